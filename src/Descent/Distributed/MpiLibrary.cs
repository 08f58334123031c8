using System.Runtime.InteropServices;

namespace Descent.Distributed;

/// <summary>
/// A minimal binding to Open MPI's C library (<c>libmpi.so.40</c>), loaded only when asked for: the functions
/// data-parallel training needs (initialization, rank and size, all-reduce, broadcast, barrier, error handling,
/// abort, finalization), called through function pointers looked up with <see cref="NativeLibrary.GetExport"/>.
/// <para>Open MPI's handles (<c>MPI_Comm</c>, <c>MPI_Datatype</c>, <c>MPI_Op</c>, <c>MPI_Errhandler</c>) are
/// pointers to predefined objects the library exports, e.g. <c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>
/// and <c>MPI_FLOAT</c> is <c>&amp;ompi_mpi_float</c>; <c>MPI_IN_PLACE</c> is <c>(void*)1</c> (Open MPI's
/// <c>mpi.h</c>). MPICH and its derivatives use integer handles instead and are not supported: loading one
/// fails with a message saying so. (MPI.NET 1.4.0 from NuGet was tried first: it is built for Microsoft MPI's
/// <c>msmpi.dll</c> with MS-MPI's integer handles, so on Linux it does not load, and mapping it onto Open MPI
/// crashes; see docs/distributed.md.)</para>
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The library names tried, in order, when none is given.</summary>
    public static readonly string[] DefaultNames = ["libmpi.so.40", "libmpi.so"];

    /// <summary><c>MPI_SUCCESS</c>.</summary>
    public const int Success = 0;

    /// <summary><c>MPI_THREAD_SERIALIZED</c>: any thread may call MPI, one at a time.</summary>
    public const int ThreadSerialized = 2;

    private const int MaxErrorString = 256;
    private const int RtldNow = 2, RtldGlobal = 0x100;

    private readonly delegate* unmanaged<int*, nint*, int, int*, int> initThread;
    private readonly delegate* unmanaged<int*, int> initialized, finalized;
    private readonly delegate* unmanaged<nint, int*, int> commRank, commSize;
    private readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> allreduce;
    private readonly delegate* unmanaged<nint, int, nint, int, nint, int> bcast;
    private readonly delegate* unmanaged<nint, int> barrier;
    private readonly delegate* unmanaged<nint, int, int> abort;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<nint, nint, int> commSetErrhandler;
    private readonly delegate* unmanaged<int, byte*, int*, int> errorString;
    private readonly delegate* unmanaged<byte*, int*, int> libraryVersion;

    private MpiLibrary(string path, nint handle)
    {
        Path = path;
        nint F(string name) => NativeLibrary.TryGetExport(handle, name, out var p) ? p
            : throw new DllNotFoundException($"{path} has no function {name}; is it an MPI library?");
        nint G(string name) => NativeLibrary.TryGetExport(handle, name, out var p) ? p
            : throw new DllNotFoundException($"{path} has no symbol {name}, so it is not Open MPI (MPICH-style MPI libraries use integer handles and are not supported); install Open MPI (openmpi-bin, libopenmpi-dev)");
        CommWorld = G("ompi_mpi_comm_world");
        Float = G("ompi_mpi_float");
        Double = G("ompi_mpi_double");
        Byte = G("ompi_mpi_byte");
        Int = G("ompi_mpi_int");
        Sum = G("ompi_mpi_op_sum");
        Max = G("ompi_mpi_op_max");
        Min = G("ompi_mpi_op_min");
        ErrorsReturn = G("ompi_mpi_errors_return");
        initThread = (delegate* unmanaged<int*, nint*, int, int*, int>)F("MPI_Init_thread");
        initialized = (delegate* unmanaged<int*, int>)F("MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)F("MPI_Finalized");
        commRank = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_rank");
        commSize = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_size");
        allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)F("MPI_Allreduce");
        bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)F("MPI_Bcast");
        barrier = (delegate* unmanaged<nint, int>)F("MPI_Barrier");
        abort = (delegate* unmanaged<nint, int, int>)F("MPI_Abort");
        finalize = (delegate* unmanaged<int>)F("MPI_Finalize");
        commSetErrhandler = (delegate* unmanaged<nint, nint, int>)F("MPI_Comm_set_errhandler");
        errorString = (delegate* unmanaged<int, byte*, int*, int>)F("MPI_Error_string");
        libraryVersion = (delegate* unmanaged<byte*, int*, int>)F("MPI_Get_library_version");
    }

    /// <summary>The file that was loaded.</summary>
    public string Path { get; }

    /// <summary><c>MPI_COMM_WORLD</c>.</summary>
    public nint CommWorld { get; }

    /// <summary><c>MPI_FLOAT</c>.</summary>
    public nint Float { get; }

    /// <summary><c>MPI_DOUBLE</c>.</summary>
    public nint Double { get; }

    /// <summary><c>MPI_BYTE</c>.</summary>
    public nint Byte { get; }

    /// <summary><c>MPI_INT</c>.</summary>
    public nint Int { get; }

    /// <summary><c>MPI_SUM</c>.</summary>
    public nint Sum { get; }

    /// <summary><c>MPI_MAX</c>.</summary>
    public nint Max { get; }

    /// <summary><c>MPI_MIN</c>.</summary>
    public nint Min { get; }

    /// <summary><c>MPI_ERRORS_RETURN</c>: failed calls return an error code instead of aborting the job.</summary>
    public nint ErrorsReturn { get; }

    /// <summary><c>MPI_IN_PLACE</c> in Open MPI.</summary>
    public static nint InPlace => 1;

    /// <summary>Loads the library from <paramref name="path"/> (or the first of <see cref="DefaultNames"/>
    /// that loads) with <c>RTLD_NOW | RTLD_GLOBAL</c>, as Open MPI's plug-ins expect.</summary>
    /// <exception cref="DllNotFoundException">No library loads, or it is not Open MPI.</exception>
    public static MpiLibrary Load(string? path = null)
    {
        var errors = new List<string>();
        foreach (var name in path is null ? DefaultNames : [path])
        {
            nint h = Dlopen(name, RtldNow | RtldGlobal);
            if (h != 0) return new MpiLibrary(name, h);
            errors.Add(DlError() ?? $"{name}: cannot be loaded");
        }
        throw new DllNotFoundException(string.Join("; ", errors));
    }

    /// <summary><c>MPI_Init_thread</c> with no arguments; returns the thread level provided.</summary>
    public int InitThread(int required)
    {
        int provided;
        Check(initThread(null, null, required, &provided), "MPI_Init_thread");
        return provided;
    }

    /// <summary><c>MPI_Initialized</c>.</summary>
    public bool IsInitialized { get { int f; Check(initialized(&f), "MPI_Initialized"); return f != 0; } }

    /// <summary><c>MPI_Finalized</c>.</summary>
    public bool IsFinalized { get { int f; Check(finalized(&f), "MPI_Finalized"); return f != 0; } }

    /// <summary><c>MPI_Comm_rank</c>.</summary>
    public int Rank(nint comm) { int r; Check(commRank(comm, &r), "MPI_Comm_rank"); return r; }

    /// <summary><c>MPI_Comm_size</c>.</summary>
    public int Size(nint comm) { int s; Check(commSize(comm, &s), "MPI_Comm_size"); return s; }

    /// <summary><c>MPI_Allreduce(MPI_IN_PLACE, buffer, count, type, op, comm)</c>.</summary>
    public void AllreduceInPlace(void* buffer, int count, nint type, nint op, nint comm) =>
        Check(allreduce(InPlace, (nint)buffer, count, type, op, comm), "MPI_Allreduce");

    /// <summary><c>MPI_Bcast</c>.</summary>
    public void Bcast(void* buffer, int count, nint type, int root, nint comm) =>
        Check(bcast((nint)buffer, count, type, root, comm), "MPI_Bcast");

    /// <summary><c>MPI_Barrier</c>.</summary>
    public void Barrier(nint comm) => Check(barrier(comm), "MPI_Barrier");

    /// <summary><c>MPI_Abort</c>: ends every process of the job (does not return when it works).</summary>
    public int Abort(nint comm, int code) => abort(comm, code);

    /// <summary><c>MPI_Finalize</c>.</summary>
    public void FinalizeMpi() => Check(finalize(), "MPI_Finalize");

    /// <summary><c>MPI_Comm_set_errhandler</c>.</summary>
    public void SetErrhandler(nint comm, nint handler) => Check(commSetErrhandler(comm, handler), "MPI_Comm_set_errhandler");

    /// <summary><c>MPI_Get_library_version</c>, first line.</summary>
    public string Version
    {
        get
        {
            var buffer = stackalloc byte[MaxErrorString * 4];
            int len;
            if (libraryVersion(buffer, &len) != Success) return "unknown";
            string s = System.Text.Encoding.ASCII.GetString(buffer, Math.Max(0, len)).TrimEnd('\0');
            int nl = s.IndexOfAny(['\n', ',']);
            return (nl > 0 ? s[..nl] : s).Trim();
        }
    }

    /// <summary>The text of an MPI error code (<c>MPI_Error_string</c>).</summary>
    public string ErrorText(int code)
    {
        var buffer = stackalloc byte[MaxErrorString];
        int len;
        if (errorString(code, buffer, &len) != Success) return $"MPI error {code}";
        return System.Text.Encoding.ASCII.GetString(buffer, Math.Max(0, len)).TrimEnd('\0');
    }

    private void Check(int code, string call)
    {
        if (code != Success) throw new DistributedException($"{call} failed: {ErrorText(code)} (MPI error {code}).");
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern nint DlopenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern nint DlerrorNative();

    private static nint Dlopen(string file, int mode)
    {
        try
        {
            return DlopenNative(file, mode);
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without dlopen (glibc before 2.34 keeps it in libdl): fall back to the runtime's loader.
            return NativeLibrary.TryLoad(file, out var h) ? h : 0;
        }
    }

    private static string? DlError()
    {
        try
        {
            nint p = DlerrorNative();
            return p == 0 ? null : Marshal.PtrToStringUTF8(p);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Descent.Distributed;

/// <summary>
/// <c>MPI_COMM_WORLD</c> through <see cref="MpiLibrary"/>. MPI is initialized with <c>MPI_THREAD_SERIALIZED</c>
/// (calls may come from any thread, one at a time) and errors are returned rather than fatal
/// (<c>MPI_ERRORS_RETURN</c>), so a failed call raises a <see cref="DistributedException"/> with MPI's text.
/// <para>A watchdog thread ends the process when one collective waits longer than <see cref="Timeout"/>: the
/// peers of a process that died are ended by <c>mpirun</c> itself, but one that hangs (stopped, deadlocked, cut
/// off) would otherwise keep the others waiting for ever. The watchdog prints one line and exits with code 1,
/// and <c>mpirun</c> then ends the whole job.</para>
/// </summary>
internal sealed unsafe class MpiCommunicator : Communicator
{
    private const int ChunkElements = 1 << 28; // MPI counts are ints; large buffers go in chunks
    private static readonly object Gate = new();
    private static MpiCommunicator? current;

    private readonly MpiLibrary mpi;
    private readonly Thread watchdog;
    private long waitingSince; // Stopwatch timestamp while inside a collective, else 0
    private string activity = "";
    private volatile bool disposed;

    private MpiCommunicator(MpiLibrary mpi)
    {
        this.mpi = mpi;
        Rank = mpi.Rank(mpi.CommWorld);
        Size = mpi.Size(mpi.CommWorld);
        Description = $"{mpi.Version}, {Size} process{(Size == 1 ? "" : "es")}";
        watchdog = new Thread(Watch) { IsBackground = true, Name = "mpi-watchdog" };
        watchdog.Start();
    }

    public override int Rank { get; }

    public override int Size { get; }

    public override string Description { get; }

    /// <summary>Initializes MPI (once per process) and returns <c>MPI_COMM_WORLD</c>.</summary>
    /// <exception cref="ConfigurationException">The library cannot be loaded or MPI cannot start.</exception>
    public static MpiCommunicator Start(string? library, string why)
    {
        lock (Gate)
        {
            if (current is { disposed: false }) return current;
            MpiLibrary mpi;
            try
            {
                mpi = MpiLibrary.Load(library);
            }
            catch (DllNotFoundException e)
            {
                throw new ConfigurationException(
                    $"MPI is needed ({why}) but its library could not be loaded: {e.Message}. Install Open MPI (apt-get install openmpi-bin libopenmpi-dev, or scripts/install-system-packages.sh), or set DESCENT_MPI_LIBRARY to Open MPI's libmpi.so.");
            }
            try
            {
                if (mpi.IsInitialized && mpi.IsFinalized)
                    throw new ConfigurationException("MPI was already finalized in this process; it can be started only once per process.");
                if (!mpi.IsInitialized)
                {
                    int provided = mpi.InitThread(MpiLibrary.ThreadSerialized);
                    if (provided < MpiLibrary.ThreadSerialized)
                        throw new ConfigurationException($"{mpi.Path} provides thread level {provided}; Descent needs MPI_THREAD_SERIALIZED (2).");
                }
                mpi.SetErrhandler(mpi.CommWorld, mpi.ErrorsReturn);
            }
            catch (DistributedException e)
            {
                throw new ConfigurationException($"MPI is needed ({why}) but could not start: {e.Message}");
            }
            current = new MpiCommunicator(mpi);
            return current;
        }
    }

    public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (float* p = buffer)
            Reduce(p, buffer.Length, sizeof(float), mpi.Float, op, "float");
    }

    public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
    {
        fixed (double* p = buffer)
            Reduce(p, buffer.Length, sizeof(double), mpi.Double, op, "double");
    }

    private void Reduce(void* p, int length, int width, nint type, ReduceOp op, string typeName)
    {
        nint mpiOp = op switch { ReduceOp.Sum => mpi.Sum, ReduceOp.Max => mpi.Max, _ => mpi.Min };
        Enter($"an all-reduce ({op.ToString().ToLowerInvariant()} of {length.ToString("N0", CultureInfo.InvariantCulture)} {typeName}s)");
        try
        {
            for (int start = 0; start < length; start += ChunkElements)
                mpi.AllreduceInPlace((byte*)p + (long)start * width, Math.Min(ChunkElements, length - start), type, mpiOp, mpi.CommWorld);
        }
        finally
        {
            Leave();
        }
    }

    public override void Broadcast(Span<byte> buffer, int root = 0)
    {
        Enter($"a broadcast of {buffer.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes from rank {root}");
        try
        {
            fixed (byte* p = buffer)
                for (int start = 0; start < buffer.Length; start += ChunkElements)
                    mpi.Bcast(p + start, Math.Min(ChunkElements, buffer.Length - start), mpi.Byte, root, mpi.CommWorld);
        }
        finally
        {
            Leave();
        }
    }

    public override void Barrier()
    {
        Enter("a barrier");
        try
        {
            mpi.Barrier(mpi.CommWorld);
        }
        finally
        {
            Leave();
        }
    }

    public override void Abort(int exitCode)
    {
        disposed = true;
        Console.Error.Flush();
        mpi.Abort(mpi.CommWorld, exitCode);
        Exit(exitCode); // MPI_Abort does not return; if it does, end this process anyway
    }

    public override void Dispose()
    {
        lock (Gate)
        {
            if (disposed) return;
            disposed = true;
            if (!mpi.IsFinalized) mpi.FinalizeMpi();
        }
    }

    private void Enter(string what)
    {
        activity = what;
        Volatile.Write(ref waitingSince, Stopwatch.GetTimestamp());
    }

    private void Leave() => Volatile.Write(ref waitingSince, 0);

    private void Watch()
    {
        while (!disposed)
        {
            Thread.Sleep(250);
            long since = Volatile.Read(ref waitingSince);
            if (since == 0 || disposed) continue;
            var waited = Stopwatch.GetElapsedTime(since);
            if (waited < Timeout) continue;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"descent: error: rank {Rank} of {Size}: {activity} has waited {waited.TotalSeconds:F0} s for the other processes (timeout {Timeout.TotalSeconds:F0} s); one of them has died or hangs, so this process ends the job.{(FaultHint is null ? "" : " " + FaultHint)}"));
            Console.Error.Flush();
            Exit(1);
        }
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNative(int status);

    /// <summary>Ends the process at once (no finalizers, no MPI_Finalize): mpirun then ends the job.</summary>
    private static void Exit(int code)
    {
        Console.Out.Flush();
        ExitNative(code);
    }
}

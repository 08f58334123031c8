using System.Runtime.InteropServices;

namespace Descent.Bench;

/// <summary>
/// Minimal binding to OpenBLAS's CBLAS GEMM, loaded at run time so that the benchmarks still
/// run (without a reference) on machines where OpenBLAS is not installed.
/// </summary>
internal static unsafe class OpenBlas
{
    public const string NotInstalledMessage = "OpenBLAS not installed (apt-get install libopenblas0): no reference";

    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private static readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> dgemm;
    private static readonly delegate* unmanaged<int, void> setNumThreads;
    private static readonly delegate* unmanaged<sbyte*> getConfig;
    private static readonly delegate* unmanaged<sbyte*> getCorename;

    static OpenBlas()
    {
        foreach (var name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas" })
        {
            if (!NativeLibrary.TryLoad(name, out nint handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint s) ||
                !NativeLibrary.TryGetExport(handle, "cblas_dgemm", out nint d))
                continue;
            sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)s;
            dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)d;
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint t))
                setNumThreads = (delegate* unmanaged<int, void>)t;
            if (NativeLibrary.TryGetExport(handle, "openblas_get_config", out nint c))
                getConfig = (delegate* unmanaged<sbyte*>)c;
            if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint cn))
                getCorename = (delegate* unmanaged<sbyte*>)cn;
            LibraryName = name;
            return;
        }
    }

    /// <summary>Whether cblas_sgemm/cblas_dgemm were found.</summary>
    public static bool Available => sgemm != null;

    /// <summary>The library name that loaded, or null.</summary>
    public static string? LibraryName { get; }

    /// <summary>OpenBLAS's build configuration and detected core, for the report.</summary>
    public static string Description
    {
        get
        {
            if (!Available) return NotInstalledMessage;
            string config = getConfig != null ? new string(getConfig()) : "?";
            string core = getCorename != null ? new string(getCorename()) : "?";
            return $"{LibraryName}: {config}, core {core}";
        }
    }

    /// <summary>Sets OpenBLAS's thread count (no-op when the export is missing).</summary>
    public static void SetThreads(int threads)
    {
        if (setNumThreads != null) setNumThreads(threads);
    }

    /// <summary>Row-major cblas_sgemm.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
        float* b, int ldb, float beta, float* c, int ldc)
    {
        if (!Available) throw new InvalidOperationException(NotInstalledMessage);
        sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>Row-major cblas_dgemm.</summary>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda,
        double* b, int ldb, double beta, double* c, int ldc)
    {
        if (!Available) throw new InvalidOperationException(NotInstalledMessage);
        dgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

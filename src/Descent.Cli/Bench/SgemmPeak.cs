using System.Diagnostics;
using Descent.Tensors.Kernels;

namespace Descent.Cli.Bench;

/// <summary>
/// The machine's matrix-multiply rate as Descent reaches it, measured in the same run as the problems: the
/// median GFLOP/s of repeated single-precision products of two n×n matrices with all kernel threads. It is
/// the roofline the problems' achieved GFLOP/s are compared with.
/// </summary>
internal static class SgemmPeak
{
    /// <summary>Median GFLOP/s of <paramref name="reps"/> n×n×n SGEMMs (each sample at least ~20 ms of work).</summary>
    public static double Measure(int n, int reps)
    {
        var rng = new Random(1);
        var a = new float[n * n];
        var b = new float[n * n];
        var c = new float[n * n];
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble(); b[i] = (float)rng.NextDouble(); }
        double flops = 2.0 * n * n * n;
        void Call() => Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
        long t0 = Stopwatch.GetTimestamp();
        int calls = 0;
        do { Call(); calls++; } while (calls < 2 || Stopwatch.GetElapsedTime(t0).TotalSeconds < 0.05);
        int batch = Math.Max(1, (int)Math.Ceiling(0.02 / (Stopwatch.GetElapsedTime(t0).TotalSeconds / calls)));
        var samples = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long s = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++) Call();
            samples[r] = flops * batch / Stopwatch.GetElapsedTime(s).TotalSeconds / 1e9;
        }
        return Stats.Median(samples);
    }
}

using System.Diagnostics;
using Descent.Tensors.Kernels;

namespace Descent.Cli.Bench;

/// <summary>
/// The machine's matrix-multiply rate as Descent reaches it, measured in the same run as the problems: single-
/// precision products of two n×n matrices with all kernel threads, in samples of about 20 ms. The bench takes a
/// sample beside every timed window of a problem, so the roofline a problem is compared with was measured under
/// the same machine conditions (on a shared machine the rate varies from minute to minute).
/// </summary>
internal sealed class SgemmPeak
{
    private readonly int n;
    private readonly float[] a, b, c;
    private int batch = 1;

    /// <summary>Allocates the matrices and warms up (JIT, caches, the batch size of a ~20 ms sample).</summary>
    public SgemmPeak(int n)
    {
        this.n = n;
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        var rng = new Random(1);
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble(); b[i] = (float)rng.NextDouble(); }
        long t0 = Stopwatch.GetTimestamp();
        int calls = 0;
        do { Call(); calls++; } while (calls < 2 || Stopwatch.GetElapsedTime(t0).TotalSeconds < 0.05);
        batch = Math.Max(1, (int)Math.Ceiling(0.02 / (Stopwatch.GetElapsedTime(t0).TotalSeconds / calls)));
    }

    /// <summary>Matrix size n.</summary>
    public int Size => n;

    /// <summary>GFLOP/s of one sample.</summary>
    public double Sample()
    {
        long s = Stopwatch.GetTimestamp();
        for (int i = 0; i < batch; i++) Call();
        return 2.0 * n * n * n * batch / Stopwatch.GetElapsedTime(s).TotalSeconds / 1e9;
    }

    /// <summary>The median of <paramref name="samples"/> samples.</summary>
    public double Median(int samples) => Stats.Median(Enumerable.Range(0, samples).Select(_ => Sample()).ToArray());

    private void Call() => Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
}

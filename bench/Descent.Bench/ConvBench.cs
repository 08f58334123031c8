using System.Diagnostics;
using Descent.Autograd;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Bench;

/// <summary>
/// Forward and forward+backward time of the two convolution layers of fmnist_2c2d (batch 128:
/// 1→32 channels 5×5 "same" padding on 28×28, then 32→64 on 14×14) and of the 2×2 max pooling after
/// each, in float. The reference measured in the same run is the GEMM alone on the equivalent matrix
/// product (m = OC, n = N·OH·OW, k = C·KH·KW) on preallocated matrices: the ratio (GEMM-only over
/// convolution, fastest runs; 1 = no overhead) shows what im2col, col2im and the bias cost. GFLOP/s counts
/// the multiply-adds of the forward and the needed backward products.
/// Options: --reps N (default 21), --threads T.
/// </summary>
internal static class ConvBench
{
    private sealed record Layer(string Name, int N, int C, int H, int W, int OC, int K, int Pad, bool InputGrad);

    private static readonly Layer[] Layers =
    [
        new("conv1 1→32 5×5 28×28", 128, 1, 28, 28, 32, 5, 2, InputGrad: false),
        new("conv2 32→64 5×5 14×14", 128, 32, 14, 14, 64, 5, 2, InputGrad: true),
    ];

    /// <summary>Runs the benchmark from the command line.</summary>
    public static void Run(string[] args)
    {
        int reps = 21;
        int? threads = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
            switch (args[i])
            {
                case "--reps": reps = int.Parse(args[i + 1]); break;
                case "--threads": threads = int.Parse(args[i + 1]); break;
                default: throw new ArgumentException($"unknown option {args[i]} (use --reps, --threads)");
            }
        using var limit = threads is int t ? KernelThreads.Limit(t) : default;
        Console.WriteLine($"Conv2d, float, {KernelThreads.MaxThreads} threads, GEMM kernel {Gemm.BestKernel}, " +
            $"weight-grad chunk ≤ {ConvKernels.MaxColumnBytes / (double)(1 << 20):F1} MB; ms (median / fastest of {reps} runs after warm-up)");
        Console.WriteLine($"{"layer",-24} {"fwd ms",14} {"fwd+bwd ms",14} {"GFLOP/s",8} {"GEMM-only ms",14} {"ratio",6}");
        foreach (var layer in Layers) Measure(layer, reps);
        Console.WriteLine();
        Console.WriteLine($"{"max pool 2×2",-24} {"fwd ms",14} {"fwd+bwd ms",14}");
        MeasurePool(128, 32, 28, reps);
        MeasurePool(128, 64, 14, reps);
    }

    private static void Measure(Layer l, int reps)
    {
        var rng = new Rng(1);
        var x = Tensor.Randn(new Shape(l.N, l.C, l.H, l.W), rng);
        var w = Tensor.Randn(new Shape(l.OC, l.C, l.K, l.K), rng, std: 0.1).RequireGrad();
        var b = Tensor.Zeros(new Shape(l.OC)).RequireGrad();
        if (l.InputGrad) x.RequireGrad();
        var gy = Tensor.Randn(new Shape(l.N, l.OC, l.H, l.W), rng);
        Tensor[] wrt = l.InputGrad ? [x, w, b] : [w, b];

        var fwd = Time(reps, () =>
        {
            using var scope = TensorScope.Begin();
            using var _ = Autodiff.NoGrad();
            Tensor.Conv2d(x, w, b, padding: l.Pad);
        });
        var both = Time(reps, () =>
        {
            using var scope = TensorScope.Begin();
            var y = Tensor.Conv2d(x, w, b, padding: l.Pad);
            Autodiff.Grad([y], wrt, [gy]);
        });

        // the same multiply-adds as three plain GEMMs on preallocated matrices
        int m = l.OC, n = l.N * l.H * l.W, k = l.C * l.K * l.K;
        var A = new float[m * k];
        var B = new float[k * n];
        var C = new float[m * n];
        var dB = new float[k * n];
        var dA = new float[m * k];
        var gemm = Time(reps, () =>
        {
            Gemm.Sgemm(false, false, m, n, k, 1f, A, k, B, n, 0f, C, n);
            Gemm.Sgemm(false, true, m, k, n, 1f, C, n, B, n, 0f, dA, k);
            if (l.InputGrad) Gemm.Sgemm(true, false, k, n, m, 1f, A, k, C, n, 0f, dB, n);
        });
        double flops = 2.0 * m * n * k * (l.InputGrad ? 3 : 2);
        Console.WriteLine($"{l.Name,-24} {F(fwd)} {F(both)} {flops / both.Min / 1e6,8:F1} {F(gemm)} {gemm.Min / both.Min,6:F2}");
    }

    private static void MeasurePool(int n, int c, int hw, int reps)
    {
        var x = Tensor.Randn(new Shape(n, c, hw, hw), new Rng(2)).RequireGrad();
        var gy = Tensor.Randn(new Shape(n, c, hw / 2, hw / 2), new Rng(3));
        var fwd = Time(reps, () =>
        {
            using var scope = TensorScope.Begin();
            using var _ = Autodiff.NoGrad();
            x.MaxPool2d(2);
        });
        var both = Time(reps, () =>
        {
            using var scope = TensorScope.Begin();
            Autodiff.Grad([x.MaxPool2d(2)], [x], [gy]);
        });
        Console.WriteLine($"{$"[{n}, {c}, {hw}, {hw}]",-24} {F(fwd)} {F(both)}");
    }

    /// <summary>Median and fastest time in ms (the fastest is the better estimate on a shared, busy machine).</summary>
    private static (double Median, double Min) Time(int reps, Action body)
    {
        for (int i = 0; i < 3; i++) body();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[reps / 2], times[0]);
    }

    private static string F((double Median, double Min) t) => $"{t.Median,7:F2} /{t.Min,6:F2}";
}

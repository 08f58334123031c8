using System.Diagnostics;
using Descent.Curvature;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Bench;

/// <summary>
/// The curvature acceptance on a small MLP too large for the test suite's time budget: a tanh network
/// 16-h-h'-5 (2,549 parameters by default, float64) on 200 examples of 5 Gaussian classes. Lanczos's extreme
/// eigenvalues against the dense Hessian's eigen-decomposition (the reference, computed in the same run from n
/// products), with the products and seconds of each; Hutchinson's 95% interval against the exact trace.
/// </summary>
public static class CurvatureBench
{
    public static void Run(string[] args)
    {
        int h1 = BenchArgs.Int(args, "--hidden1", 48), h2 = BenchArgs.Int(args, "--hidden2", 32), k = BenchArgs.Int(args, "--k", 5);
        int probes = BenchArgs.Int(args, "--probes", 100);
        var rng = new Rng(5);
        int n = 200;
        var x = new double[n * 16];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 5;
            for (int j = 0; j < 16; j++) x[i * 16 + j] = rng.NextNormal() + (j % 5 == y[i] ? 1.5 : 0);
        }
        var init = new Rng(6);
        var model = new Sequential(new Linear(16, h1, rng: init, dtype: DType.Float64), new Tanh(), new Linear(h1, h2, rng: init, dtype: DType.Float64), new Tanh(),
            new Linear(h2, 5, rng: init, dtype: DType.Float64));
        var data = CurvatureData.Batch(Tensor.From(x, n, 16).CloneUnscoped(), y);
        var hessian = CurvatureOperator.Create(CurvatureKind.Hessian, model, new CrossEntropy(), data);
        int dim = hessian.Dimension;
        Console.WriteLine($"MLP 16-{h1}-{h2}-5, tanh, {dim:N0} parameters (float64), {n} examples; Hessian of the mean cross-entropy");

        var clock = Stopwatch.StartNew();
        var matrix = hessian.Dense();
        var dense = SymmetricEigen.Values(matrix, dim);
        double denseSeconds = clock.Elapsed.TotalSeconds;
        long denseProducts = hessian.Products;

        clock.Restart();
        var lanczos = Lanczos.Eigenvalues(hessian, new EigenOptions { Top = k, Bottom = k, Tolerance = 1e-8, MaxIterations = 1000, VerifyResiduals = true });
        double lanczosSeconds = clock.Elapsed.TotalSeconds;
        double scale = Math.Abs(dense[0]), worstTop = 0, worstBottom = 0;
        for (int i = 0; i < k; i++)
        {
            worstTop = Math.Max(worstTop, Math.Abs(lanczos.Largest[i].Value - dense[i]) / Math.Abs(dense[i]));
            worstBottom = Math.Max(worstBottom, Math.Abs(lanczos.Smallest[i].Value - dense[^(i + 1)]) / scale);
        }
        Console.WriteLine($"dense (reference): {denseProducts} products + eigenvalues, {denseSeconds:F1} s; top {k}: {string.Join(", ", dense.Take(k).Select(v => v.ToString("G8")))}; bottom {k}: {string.Join(", ", dense.TakeLast(k).Reverse().Select(v => v.ToString("G8")))}");
        Console.WriteLine($"Lanczos: {lanczos.Products} products, {lanczosSeconds:F1} s, {lanczos.Message}");
        Console.WriteLine($"  largest relative difference from dense: top {worstTop:G3}, bottom {worstBottom:G3} (of λ_max); products {100.0 * lanczos.Products / denseProducts:F1}% of dense, time {100 * lanczosSeconds / denseSeconds:F1}%");

        double exact = Enumerable.Range(0, dim).Sum(i => matrix[(long)i * dim + i]);
        var trace = Hutchinson.Trace(hessian, probes, seed: 1);
        Console.WriteLine($"Hutchinson ({probes} probes): trace ≈ {trace.Trace:G6}, 95% interval [{trace.Lower:G6}, {trace.Upper:G6}]; exact {exact:G6} ({(trace.Covers(exact) ? "covered" : "NOT covered")}); relative error {100 * Math.Abs(trace.Trace - exact) / Math.Abs(exact):F2}%");
    }
}

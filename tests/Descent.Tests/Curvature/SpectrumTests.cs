using Descent.Curvature;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Problems;
using Descent.Problems.Functions;
using Descent.Tensors;

namespace Descent.Tests.Curvature;

/// <summary>The acceptance for the analysis: Lanczos on the deep quadratic and on a small MLP against
/// known and dense spectra, Hutchinson's interval, the saddle of example D, Lanczos against power iteration.</summary>
public class SpectrumTests
{
    private const DType F64 = DType.Float64;

    /// <summary>An MLP 12-h₁-h₂-5 with tanh (1,333 parameters by default, float64) on 96 examples of 5 Gaussian classes.</summary>
    internal static (Module Model, CurvatureData Data) SmallMlp(int hidden1 = 32, int hidden2 = 24)
    {
        var rng = new Rng(21);
        int n = 96;
        var x = new double[n * 12];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 5;
            for (int j = 0; j < 12; j++) x[i * 12 + j] = rng.NextNormal() + (j % 5 == y[i] ? 1.5 : 0);
        }
        var init = new Rng(22);
        var model = new Sequential(new Linear(12, hidden1, rng: init, dtype: F64), new Tanh(), new Linear(hidden1, hidden2, rng: init, dtype: F64), new Tanh(),
            new Linear(hidden2, 5, rng: init, dtype: F64));
        return (model, CurvatureData.Batch(Tensor.From(x, n, 12).CloneUnscoped(), y));
    }

    [Fact]
    public void LanczosFindsTheConstructedSpectrumOfTheDeepQuadratic()
    {
        var problem = new QuadraticDeep();
        var model = problem.BuildModel(0).To(F64);
        var data = CurvatureData.FromDataset(problem.LoadData(new ProblemContext()).Train, 128);
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, model, problem.Loss, data);
        var r = Lanczos.Eigenvalues(h, new EigenOptions { Top = 10, Bottom = 10, Tolerance = 1e-8 });
        var spectrum = QuadraticDeep.Spectrum(0);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(Math.Abs(r.Largest[i].Value - spectrum[i]) <= 1e-6 * spectrum[i], $"top {i}: {r.Largest[i].Value} vs {spectrum[i]}");
            Assert.True(Math.Abs(r.Smallest[i].Value - spectrum[^(i + 1)]) <= 1e-6 * spectrum[^(i + 1)], $"bottom {i}: {r.Smallest[i].Value} vs {spectrum[^(i + 1)]}");
        }
        Assert.True(r.Converged, r.Message);
        Assert.Equal(r.Iterations, r.Products);
        Assert.True(r.Products <= 100, $"{r.Products} products for a 100-dimensional matrix");
        Assert.Equal(spectrum[0] / spectrum[^1], r.ConditionNumber, 6);
    }

    /// <summary>Lanczos and Hutchinson against the dense Hessian of a small MLP (scripts/curvature-acceptance.sh
    /// runs the same check on larger MLPs).</summary>
    [Fact]
    public void LanczosAndHutchinsonAgreeWithTheDenseHessianOfASmallMlp()
    {
        var (model, data) = SmallMlp();
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, model, new CrossEntropy(), data);
        Assert.Equal(1333, h.Dimension);
        var matrix = h.Dense();
        long denseProducts = h.Products;
        var dense = SymmetricEigen.Values(matrix, h.Dimension);
        var r = Lanczos.Eigenvalues(h, new EigenOptions { Top = 5, Bottom = 5, Tolerance = 1e-8, MaxIterations = 600, VerifyResiduals = true, Vectors = true });
        Assert.True(r.Converged, r.Message);
        double scale = Math.Abs(dense[0]);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Math.Abs(r.Largest[i].Value - dense[i]) <= 1e-6 * Math.Abs(dense[i]), $"top {i}: {r.Largest[i].Value} vs {dense[i]}");
            Assert.True(Math.Abs(r.Smallest[i].Value - dense[^(i + 1)]) <= 1e-6 * scale, $"bottom {i}: {r.Smallest[i].Value} vs {dense[^(i + 1)]}");
        }
        // The measured residual of the returned vector is the one the recurrence promised.
        var v = r.Largest[0].Vector!;
        var hv = h.Apply(v);
        double res = Math.Sqrt(hv.Select((x, i) => (x - r.Largest[0].Value * v[i]) * (x - r.Largest[0].Value * v[i])).Sum());
        Assert.Equal(r.Largest[0].Residual, res, 10);
        Assert.True(r.Products < denseProducts / 4, $"Lanczos {r.Products} products vs {denseProducts} for the dense matrix");

        // Hutchinson's 95% interval covers the exact trace; four times the probes halve it.
        double exact = Enumerable.Range(0, h.Dimension).Sum(i => matrix[i * h.Dimension + i]);
        var t = Hutchinson.Trace(h, samples: 100, seed: 3);
        Assert.True(t.Covers(exact), $"{exact} outside [{t.Lower}, {t.Upper}]");
        Assert.Equal(100, t.Products);
        var more = Hutchinson.Trace(h, samples: 400, seed: 4);
        Assert.True(more.Covers(exact), $"{exact} outside [{more.Lower}, {more.Upper}]");
        Assert.InRange((more.Upper - more.Lower) / (t.Upper - t.Lower), 0.35, 0.65);
    }

    [Fact]
    public void HutchinsonsNinetyFivePercentIntervalsCoverAboutNinetyFivePercentOfTheTime()
    {
        var rng = new Rng(4);
        int n = 30;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.NextNormal() + (i == j ? 3 : 0);
        double trace = Enumerable.Range(0, n).Sum(i => a[i * n + i]);
        var c = CurvatureOperator.FromMatrix(a, n);
        int covered = 0, runs = 400;
        for (int s = 0; s < runs; s++)
            if (Hutchinson.Trace(c, samples: 10, seed: (ulong)s).Covers(trace)) covered++;
        double rate = (double)covered / runs;
        Assert.InRange(rate, 0.91, 0.985);
        // With the normal quantile instead of Student's t (9 degrees of freedom), coverage would be about 92%;
        // the estimate itself is unbiased.
        var one = Hutchinson.Trace(c, samples: 20000, seed: 99);
        Assert.True(one.Covers(trace));
    }

    [Fact]
    public void TheSaddleOfExampleDIsASaddleWithOneNegativeEigenvalue()
    {
        var report = CriticalPoint.Classify(new FunctionObjective(new Saddle(), [0.0, 0.0]));
        Assert.Equal(CriticalPointKind.Saddle, report.Kind);
        Assert.Equal(1, report.Negative);
        Assert.Equal(1, report.Positive);
        Assert.True(report.Exact);
        Assert.True(report.IsCritical);
        Assert.Equal(0, report.GradientNorm);
        Assert.Equal([2.0, -2.0], report.Eigenvalues);
        Assert.Contains("saddle point: 1 negative, 0 zero, 1 positive", report.Describe());
        // Away from 0 the gradient is not zero: the Hessian still says saddle, the report says not critical.
        var away = CriticalPoint.Classify(new FunctionObjective(new Saddle(), [0.5, 0.1]));
        Assert.False(away.IsCritical);
        Assert.Equal(Math.Sqrt(1 + 0.04), away.GradientNorm, 12);
        // Rosenbrock's minimum is a minimum with the known Hessian [[802, −400], [−400, 200]].
        var min = CriticalPoint.Classify(new FunctionObjective(new Rosenbrock(), [1.0, 1.0]));
        Assert.Equal(CriticalPointKind.Minimum, min.Kind);
        double l1 = 501 + Math.Sqrt(301 * 301 + 400 * 400), l2 = 501 - Math.Sqrt(301 * 301 + 400 * 400);
        Assert.Equal(l1 / l2, min.ConditionNumber, 6);
    }

    [Fact]
    public void ClassificationAboveTheDenseLimitUsesLanczosEnds()
    {
        var d = Enumerable.Range(0, 40).Select(i => i < 3 ? -1.0 - i : 1.0 + i).ToArray();
        var a = new double[40 * 40];
        for (int i = 0; i < 40; i++) a[i * 40 + i] = d[i];
        var report = CriticalPoint.Classify(CurvatureOperator.FromMatrix(a, 40), new double[40], new CriticalPointOptions { DenseLimit = 10, Ends = 5 });
        Assert.Equal(CriticalPointKind.Saddle, report.Kind);
        Assert.False(report.Exact);
        Assert.Equal(3, report.Negative);
        Assert.Equal(40, report.Largest, 8);
        Assert.Equal(-3, report.Smallest, 8);
    }

    [Fact]
    public void LanczosNeedsAtMostHalfThePowerIterationProductsForTheTopEigenvalue()
    {
        var (model, data) = SmallMlp();
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, model, new CrossEntropy(), data);
        var options = new EigenOptions { Top = 1, Tolerance = 1e-3, MaxIterations = 2000 };
        var lanczos = Lanczos.Eigenvalues(h, options);
        var power = PowerIteration.Eigenvalues(h, options);
        Assert.True(lanczos.Converged && power.Converged);
        Assert.Equal(lanczos.Largest[0].Value, power.Largest[0].Value, 2);
        Assert.True(2 * lanczos.Products <= power.Products, $"Lanczos {lanczos.Products}, power iteration {power.Products}");
    }

    [Fact]
    public void PowerIterationWithDeflationFindsTheDominantEigenvalues()
    {
        var a = new double[16];
        double[] d = [5, -4, 2, 1];
        for (int i = 0; i < 4; i++) a[i * 4 + i] = d[i];
        var r = PowerIteration.Eigenvalues(CurvatureOperator.FromMatrix(a, 4), new EigenOptions { Top = 2, Tolerance = 1e-10 });
        Assert.Equal(5, r.Largest[0].Value, 9);
        Assert.Equal(-4, r.Largest[1].Value, 9);
        Assert.True(r.Converged);
        Assert.Equal(r.Iterations, r.Products);
    }

    [Fact]
    public void LanczosRestartsInInvariantSubspacesAndEndsWithTheWholeSpectrum()
    {
        var a = new double[36];
        double[] d = [3, 3, 3, 1, 1, -2];
        for (int i = 0; i < 6; i++) a[i * 6 + i] = d[i];
        // A Krylov space of this matrix is invariant after 3 steps (3 distinct eigenvalues); asking for all 6
        // makes Lanczos restart orthogonally until the basis spans the space, where the Ritz values are exact.
        var r = Lanczos.Eigenvalues(CurvatureOperator.FromMatrix(a, 6), new EigenOptions { Top = 6, Tolerance = 1e-10 });
        Assert.Equal([3.0, 3.0, 3.0, 1.0, 1.0, -2.0], r.Largest.Select(p => Math.Round(p.Value, 9)));
        Assert.Equal(6, r.Products);
    }

    [Fact]
    public void StochasticLanczosQuadratureRecoversTheDeepQuadraticsSpectrum()
    {
        var q = QuadraticDeep.HessianMatrix(0).ToDoubleArray();
        var c = CurvatureOperator.FromMatrix(q, 100);
        var density = SpectralDensityEstimator.Estimate(c, probes: 8, steps: 40, seed: 1);
        double step = density.Grid[1] - density.Grid[0];
        Assert.Equal(1, density.Density.Sum() * step, 2);
        Assert.Equal(8 * 40, density.Products);
        // 90 eigenvalues in (0, 1), 10 in (30, 60).
        Assert.InRange(density.CountBelow(10), 85, 95);
        double high = density.Grid.Select((t, i) => t > 20 ? density.Density[i] * step : 0).Sum();
        Assert.InRange(high, 0.05, 0.15);
        Assert.True(density.Rules.All(r => Math.Abs(r.Weights.Sum() - 1) < 1e-10));
    }

    [Fact]
    public void QuadratureIsExactForADiagonalMatrixProbedWithSigns()
    {
        // For diagonal D and a ±1 probe v, vᵀDv = tr(D) and every eigenvalue carries weight vᵢ²/n = 1/n.
        double[] d = [-1, 0.5, 2, 2, 7];
        var a = new double[25];
        for (int i = 0; i < 5; i++) a[i * 5 + i] = d[i];
        var density = SpectralDensityEstimator.Estimate(CurvatureOperator.FromMatrix(a, 5), probes: 3, steps: 5, sigma: 0.05);
        Assert.Equal(d.Sum(), density.Trace, 10);
        Assert.Equal(1, density.CountBelow(0), 10);
        Assert.Equal(4, density.CountBelow(5), 10);
        Assert.Throws<ConfigurationException>(() => SpectralDensityEstimator.Estimate(CurvatureOperator.FromMatrix(a, 5), probes: 0));
    }

    [Fact]
    public void StudentsQuantilesMatchTables()
    {
        Assert.Equal(1.959964, StudentT.NormalQuantile(0.975), 6);
        Assert.Equal(-2.326348, StudentT.NormalQuantile(0.01), 6);
        Assert.Equal(12.7062, StudentT.Quantile(0.975, 1), 3);
        Assert.Equal(4.302653, StudentT.Quantile(0.975, 2), 5);
        Assert.Equal(2.776445, StudentT.Quantile(0.975, 4), 2);
        Assert.Equal(2.262157, StudentT.Quantile(0.975, 9), 3);
        Assert.Equal(2.042272, StudentT.Quantile(0.975, 30), 5);
        Assert.Equal(1.983972, StudentT.Quantile(0.975, 100), 6);
    }
}

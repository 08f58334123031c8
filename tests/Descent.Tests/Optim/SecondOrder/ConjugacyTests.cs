using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Tensors;

namespace Descent.Tests.Optim.SecondOrder;

public sealed class ConjugacyTests
{
    private static Action<Tensor, Tensor> Apply(DenseQuadratic q) => (v, into) => into.CopyFrom(Tensor.From(q.Apply(v.ToDoubleArray()), q.N));

    [Theory]
    [InlineData(5, 1UL)]
    [InlineData(12, 2UL)]
    [InlineData(30, 3UL)]
    public void LinearCg_ConvergesInAtMostNSteps_WithAConjugateDirections(int n, ulong seed)
    {
        var q = DenseQuadratic.Random(n, seed, shift: 0.5);
        var b = Tensor.From(q.B, n);
        var x = Tensor.Zeros(new Shape(n), DType.Float64);
        var directions = new List<double[]>();
        var r = LinearConjugateGradient.Solve(Apply(q), b, x, new CgOptions(MaxIterations: 10 * n, Tolerance: 1e-10),
            it => directions.Add(it.Direction.ToDoubleArray()));
        Assert.Equal("tolerance", r.Reason);
        Assert.InRange(r.Iterations, 1, n);
        var xStar = q.Solution();
        for (int i = 0; i < n; i++) Assert.Equal(xStar[i], x.ToDoubleArray()[i], 8);
        // Conjugacy decays with rounding once the residual is tiny (Greenbaum 1997), so check the first 12
        // directions: |pᵢᵀApⱼ| ≤ 1e-6 of its scale, where non-conjugate directions would give ratios of order 1.
        for (int i = 0; i < Math.Min(12, directions.Count); i++)
            for (int j = 0; j < i; j++)
            {
                double pij = Dot(directions[i], q.Apply(directions[j]));
                double scale = Math.Sqrt(Dot(directions[i], q.Apply(directions[i])) * Dot(directions[j], q.Apply(directions[j])));
                Assert.True(Math.Abs(pij) <= 1e-6 * scale, $"p{i}ᵀAp{j} = {pij} (scale {scale})");
            }
        // φ(x*) = −½bᵀx*
        Assert.Equal(-0.5 * Dot(q.B, xStar), r.Value, 9);
    }

    [Fact]
    public void LinearCg_MartensProgressRule_StopsWhenTheQuadraticStopsImproving()
    {
        int n = 400;
        var q = DenseQuadratic.Random(n, 7, shift: 1e-4);   // condition number ~ 4·10⁴: plain CG needs hundreds of steps
        var b = Tensor.From(q.B, n);
        var full = LinearConjugateGradient.Solve(Apply(q), b, Tensor.Zeros(new Shape(n), DType.Float64), new CgOptions(5 * n, 1e-12));
        var early = LinearConjugateGradient.Solve(Apply(q), b, Tensor.Zeros(new Shape(n), DType.Float64), new CgOptions(5 * n, 1e-12, ProgressEpsilon: 5e-4));
        Assert.Equal("progress", early.Reason);
        Assert.True(early.Iterations < full.Iterations / 2, $"{early.Iterations} vs {full.Iterations}");
        Assert.True(early.Value < 0.9 * full.Value, $"φ = {early.Value} vs optimum {full.Value}");   // ≥ 90% of the best decrease
    }

    [Fact]
    public void NonlinearCg_WithAnExactLineSearch_IsLinearCgOnAQuadratic()
    {
        foreach (var beta in new[] { "fr", "pr", "pr+", "hs" })
        {
            var q = DenseQuadratic.Random(8, 11, shift: 0.3);
            var cg = OptimizerFactory.Create("cg", new Dictionary<string, string> { ["beta"] = beta, ["c1"] = "1e-6", ["c2"] = "1e-5", ["max_evals"] = "60" }, q.Parameters);
            var r = Minimizer.Minimize(cg, q, 100, 1e-6);
            Assert.Equal(SearchStatus.Converged, r.Status);
            Assert.InRange(r.Iterations, 1, q.N + 1);
        }
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}

using Descent.Optim.LineSearch;
using Descent.Problems.Functions;
using Descent.Tensors;
using Xunit.Abstractions;

namespace Descent.Tests.Optim.SecondOrder;

public sealed class LineSearchTests(ITestOutputHelper output)
{
    private static LineFunction Phi(Func<double, double> f, Func<double, double> df, List<double>? trials = null) =>
        (a, withSlope) =>
        {
            trials?.Add(a);
            return new LinePoint(a, f(a), withSlope ? df(a) : double.NaN);
        };

    // φ(α) = (α − 2)² + 0.1α⁴ − 4 has φ'(0) = −4 and its minimizer near α = 1.4.
    private static readonly Func<double, double> Quartic = a => (a - 2) * (a - 2) + 0.1 * Math.Pow(a, 4) - 4;
    private static readonly Func<double, double> QuarticSlope = a => 2 * (a - 2) + 0.4 * Math.Pow(a, 3);

    [Theory]
    [InlineData(1e-6)]
    [InlineData(0.3)]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(1e8)]
    public void StrongWolfe_AcceptsOnlyStepsThatSatisfyBothConditions(double initial)
    {
        foreach (double c2 in new[] { 0.9, 0.1, 0.01 })
        {
            var ls = new StrongWolfe(1e-4, c2);
            var r = ls.Search(Phi(Quartic, QuarticSlope), Quartic(0), QuarticSlope(0), initial);
            output.WriteLine($"α0 = {initial}, c2 = {c2}: α = {r.Alpha}, {r.FunctionEvaluations} evaluations, {r.Message}");
            Assert.Equal(LineSearchStatus.Wolfe, r.Status);
            Assert.True(r.Value <= Quartic(0) + 1e-4 * r.Alpha * QuarticSlope(0));
            Assert.True(Math.Abs(QuarticSlope(r.Alpha)) <= c2 * Math.Abs(QuarticSlope(0)));
            Assert.Equal(Quartic(r.Alpha), r.Value);
            Assert.InRange(r.FunctionEvaluations, 1, 25);
        }
    }

    [Fact]
    public void StrongWolfe_OnAQuadratic_InterpolatesTheExactMinimizerAfterOneOvershoot()
    {
        // φ(α) = (α − 0.3)²: from α₀ = 1 the cubic through (0, φ, φ') and (1, φ, φ') is the quadratic itself.
        var r = new StrongWolfe(1e-4, 1e-3).Search(Phi(a => (a - 0.3) * (a - 0.3), a => 2 * (a - 0.3)), 0.09, -0.6, 1);
        Assert.Equal(0.3, r.Alpha, 12);
        Assert.Equal(2, r.FunctionEvaluations);
    }

    [Fact]
    public void StrongWolfe_ShrinksPastNonFiniteValues()
    {
        // log barrier: φ is +∞ (NaN from the log) beyond α = 1.
        Func<double, double> f = a => -Math.Log(1 - a) - 2 * a;
        Func<double, double> df = a => 1 / (1 - a) - 2;
        var r = new StrongWolfe(1e-4, 0.5).Search(Phi(f, df), 0, -1, 4);
        Assert.Equal(LineSearchStatus.Wolfe, r.Status);
        Assert.InRange(r.Alpha, 0.2, 0.99);
        Assert.True(Math.Abs(df(r.Alpha)) <= 0.5);
    }

    [Fact]
    public void AscentDirection_IsRefusedWithoutEvaluating()
    {
        var trials = new List<double>();
        var phi = Phi(a => a, _ => 1, trials);
        foreach (ILineSearch ls in new ILineSearch[] { new StrongWolfe(), new Backtracking() })
        {
            var r = ls.Search(phi, 0, 1, 1);
            Assert.Equal(LineSearchStatus.NotDescent, r.Status);
            Assert.Equal(0, r.Alpha);
            Assert.False(r.Success);
        }
        Assert.Empty(trials);
    }

    [Fact]
    public void Backtracking_ShrinksUntilSufficientDecrease_WithinTheSafeguards()
    {
        var trials = new List<double>();
        var r = new Backtracking(c1: 0.5).Search(Phi(Quartic, QuarticSlope, trials), Quartic(0), QuarticSlope(0), 100);
        Assert.Equal(LineSearchStatus.Armijo, r.Status);
        Assert.True(r.Value <= Quartic(0) + 0.5 * r.Alpha * QuarticSlope(0));
        for (int i = 1; i < trials.Count; i++) Assert.InRange(trials[i], 0.1 * trials[i - 1] - 1e-12, 0.5 * trials[i - 1] + 1e-12);
        Assert.Equal(trials.Count, r.FunctionEvaluations);
        Assert.Equal(0, r.GradientEvaluations);
        var first = new Backtracking().Search(Phi(Quartic, QuarticSlope), Quartic(0), QuarticSlope(0), 1);
        Assert.Equal(1, first.Alpha);
        Assert.Equal(1, first.FunctionEvaluations);
    }

    [Fact]
    public void Backtracking_ReportsFailureWhenTheBudgetRunsOut()
    {
        var r = new Backtracking(maxEvaluations: 2, interpolate: false).Search(Phi(Quartic, QuarticSlope), Quartic(0), QuarticSlope(0), 1e6);
        Assert.Equal(LineSearchStatus.Failed, r.Status);
        Assert.Equal(0, r.Alpha);
        Assert.Equal(2, r.FunctionEvaluations);
    }

    [Fact]
    public void OnRosenbrock_AlongSteepestDescent_MatchesSciPysStepQuality()
    {
        foreach (var (start, scipyAlpha, fc, gc) in ScipyReference.WolfeSearches())
        {
            var objective = new FunctionObjective(new Rosenbrock(2), start);
            double f0 = objective.Evaluate();
            var g = objective.Parameters.Grads.CloneUnscoped();
            var p = g.CloneUnscoped().MulInPlace(-1);
            var x0 = objective.Parameters.Values.CloneUnscoped();
            double slope = FlatVectorDot(g, p);
            var ray = new Ray(objective, x0, p);
            var ls = new StrongWolfe(1e-4, 0.9);
            var r = ls.Search(ray.Function, f0, slope, 1);
            output.WriteLine($"start ({string.Join(", ", start)}): α = {r.Alpha:G6} in {r.FunctionEvaluations} evaluations; SciPy α = {scipyAlpha:G6} with fc = {fc}, gc = {gc}");
            Assert.Equal(LineSearchStatus.Wolfe, r.Status);
            // The accepted point, evaluated afresh, satisfies both conditions.
            ray.MoveTo(r.Alpha, needGradient: false);
            double f = objective.Evaluate();
            Assert.True(f <= f0 + 1e-4 * r.Alpha * slope);
            Assert.True(Math.Abs(FlatVectorDot(objective.Parameters.Grads, p)) <= 0.9 * Math.Abs(slope));
            // SciPy's search (same algorithm family) needs about as many evaluations.
            Assert.InRange(r.FunctionEvaluations, 1, fc + 3);
        }
    }

    private static double FlatVectorDot(Tensor a, Tensor b) => a.ToDoubleArray().Zip(b.ToDoubleArray(), (x, y) => x * y).Sum();
}

using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Problems.Functions;
using Xunit.Abstractions;

namespace Descent.Tests.Optim.SecondOrder;

/// <summary>The quasi-Newton and CG methods on Rosenbrock from (−1.2, 1) to ‖∇f‖ &lt; 1e-6, against SciPy's counts.</summary>
public sealed class RosenbrockTests(ITestOutputHelper output)
{
    private SearchResult Run(string name, Dictionary<string, string>? settings = null, double gtol = 1e-6)
    {
        var objective = new FunctionObjective(new Rosenbrock(2), [-1.2, 1]);
        var opt = OptimizerFactory.Create(name, settings, objective.Parameters);
        var r = Minimizer.Minimize(opt, objective, 2000, gtol);
        output.WriteLine($"{name} {string.Join(",", (settings ?? []).Select(kv => kv.Key + "=" + kv.Value))}: {r.Status} nit={r.Iterations} nfev={r.FunctionEvaluations} njev={r.GradientEvaluations} nhev={r.CurvatureProducts} |g|={r.GradientNorm:G3} x={string.Join(",", objective.X)}");
        return r;
    }

    [Theory]
    [InlineData("lbfgs", "L-BFGS-B", "")]
    [InlineData("bfgs", "BFGS", "")]
    [InlineData("cg", "CG", "beta=pr")]
    [InlineData("cg", "CG", "beta=pr+")]
    public void ReachesTheGradientTolerance_WithinTwiceSciPysIterations(string name, string scipy, string setting)
    {
        var settings = setting.Length == 0 ? null : new Dictionary<string, string> { [setting.Split('=')[0]] = setting.Split('=')[1] };
        var r = Run(name, settings);
        var reference = ScipyReference.Method(scipy);
        output.WriteLine($"SciPy {scipy}: nit={reference.Nit} nfev={reference.Nfev} njev={reference.Njev}");
        Assert.Equal(SearchStatus.Converged, r.Status);
        Assert.True(r.GradientNorm < 1e-6);
        Assert.InRange(r.Iterations, 1, 2 * reference.Nit);
        Assert.InRange(r.FunctionEvaluations, 1, 2 * reference.Nfev);
    }

    [Theory]
    [InlineData("cg", "beta=fr")]
    [InlineData("cg", "beta=hs")]
    [InlineData("newton", "")]
    [InlineData("saddle-free-newton", "")]
    [InlineData("lbfgs", "line_search=armijo")]
    [InlineData("hessian-free", "")]
    [InlineData("cg", "restart_nu=0.1")]
    public void OtherVariants_Converge(string name, string setting)
    {
        var settings = setting.Length == 0 ? null : new Dictionary<string, string> { [setting.Split('=')[0]] = setting.Split('=')[1] };
        var r = Run(name, settings);
        Assert.Equal(SearchStatus.Converged, r.Status);
    }
}

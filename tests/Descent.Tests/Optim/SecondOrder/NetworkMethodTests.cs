using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Tensors;

namespace Descent.Tests.Optim.SecondOrder;

/// <summary>The model-based methods on a small float64 classifier (4-8-3, tanh) over 64 fixed examples.</summary>
public sealed class NetworkMethodTests
{
    private static Dictionary<string, string> S(params string[] kv) => kv.ToDictionary(s => s.Split('=')[0], s => s.Split('=')[1]);

    private static Objective Problem(ulong seed = 1)
    {
        var rng = new Rng(seed);
        var model = new Sequential(new Linear(4, 8, rng: rng, dtype: DType.Float64), new Tanh(), new Linear(8, 3, rng: rng, dtype: DType.Float64));
        var x = Tensor.Randn(new Shape(64, 4), rng, dtype: DType.Float64).CloneUnscoped();
        var xs = x.ToDoubleArray();
        var y = Enumerable.Range(0, 64).Select(i => xs[i * 4] + xs[i * 4 + 1] > 0.5 ? 2 : xs[i * 4 + 2] > 0 ? 1 : 0).ToArray();
        var objective = new Objective(model, new CrossEntropy());
        objective.SetBatch(x, y);
        return objective;
    }

    [Theory]
    [InlineData("hessian-free", "")]
    [InlineData("natural-gradient", "")]
    [InlineData("natural-gradient", "fisher=fisher-empirical")]
    [InlineData("kfac", "")]
    [InlineData("lbfgs", "")]
    [InlineData("cg", "")]
    [InlineData("newton", "")]
    public void TrainingSteps_ReduceTheLoss(string name, string setting)
    {
        var objective = Problem();
        var opt = OptimizerFactory.Create(name, setting.Length == 0 ? null : S(setting), objective.Parameters);
        double f0 = objective.Evaluate();
        int curvature = 0;
        for (int k = 0; k < 30; k++)
        {
            opt.Step(objective);
            curvature += ((SearchMethod)opt).LastStep!.CurvatureProducts;
        }
        double f = objective.Evaluate(computeGradient: false);
        Assert.True(f < 0.5 * f0, $"{name}: f {f0} → {f}");
        if (name is "hessian-free" or "natural-gradient" or "kfac" or "newton") Assert.True(curvature > 0);
    }

    [Fact]
    public void HessianFree_UsesGaussNewtonProducts_AndAdaptsTheDamping()
    {
        var objective = Problem();
        var hf = (HessianFree)OptimizerFactory.Create("hessian-free", S("damping=100"), objective.Parameters);
        hf.Step(objective);
        // one product for r₀, one per iteration, one pass for the preconditioner's Fisher diagonal
        Assert.Equal(0, hf.LastStep!.CurvatureProducts - hf.LastSolve!.Iterations - 2);
        Assert.Equal(0, objective.HessianVectorProducts);                                     // Gv products, not Hv
        Assert.True(hf.LastRho > 0.75, $"ρ = {hf.LastRho}");                                 // heavy damping: the model is trusted
        Assert.Equal(100 * 2.0 / 3, hf.Damping, 10);                                        // so λ falls by 2/3
    }

    [Fact]
    public void NaturalGradient_SolvesTheDampedFisherSystem()
    {
        var objective = Problem(3);
        double lambda = 1e-2;
        var ng = OptimizerFactory.Create("natural-gradient", S($"damping={lambda}", "cg_tol=1e-10", "cg_max_iter=500", "line_search=none"), objective.Parameters);
        var theta0 = objective.Parameters.Values.ToDoubleArray();
        objective.Evaluate();
        var g = objective.Parameters.Grads.ToDoubleArray();
        var fisher = CurvatureOperator.Create(CurvatureKind.Fisher, objective);
        ng.Step(objective);
        var delta = objective.Parameters.Values.ToDoubleArray().Zip(theta0, (a, b) => a - b).ToArray();
        objective.Parameters.Values.CopyFrom(Tensor.From(theta0, theta0.Length));
        var fd = fisher.Apply(delta);
        for (int i = 0; i < g.Length; i++) Assert.Equal(-g[i], fd[i] + lambda * delta[i], 1e-7);
    }
}

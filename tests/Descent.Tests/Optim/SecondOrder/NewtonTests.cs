using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Problems.Functions;

namespace Descent.Tests.Optim.SecondOrder;

public sealed class NewtonTests
{
    [Fact]
    public void Newton_SolvesAQuadraticInOneStep()
    {
        var q = DenseQuadratic.Random(6, seed: 3);
        var newton = (Newton)OptimizerFactory.Create("newton", null, q.Parameters);
        newton.Step(q);
        var x = q.X;
        var xStar = q.Solution();
        for (int i = 0; i < q.N; i++) Assert.Equal(xStar[i], x[i], 10);
        Assert.Equal(SearchStatus.Stepped, newton.LastStep!.Status);
        Assert.Equal(q.N, newton.LastStep.CurvatureProducts);   // one Hessian column per parameter
        Assert.Equal(2, newton.LastStep.FunctionEvaluations);    // θ, then the accepted trial
        var r = Minimizer.Minimize(OptimizerFactory.Create("newton", null, new DenseQuadratic(q.A, q.B, xStar).Parameters), new DenseQuadratic(q.A, q.B, xStar), 5, 1e-9);
        Assert.Equal(SearchStatus.Converged, r.Status);
    }

    [Fact]
    public void Newton_OnTheIllConditionedQuadraticTestFunction_OneStepThroughAutograd()
    {
        var objective = new FunctionObjective(new IllConditionedQuadratic(5, 1000), [1, -2, 3, -4, 5]);
        var r = Minimizer.Minimize(OptimizerFactory.Create("newton", null, objective.Parameters), objective, 10, 1e-10);
        Assert.Equal(SearchStatus.Converged, r.Status);
        Assert.Equal(1, r.Iterations);
        Assert.All(objective.X, v => Assert.Equal(0, v, 12));
    }

    [Fact]
    public void PureNewton_IsAttractedToTheSaddle_SaddleFreeNewtonEscapesIt()
    {
        // MISSION.md example D: f = x₁² − x₂², a saddle at 0 with Hessian diag(2, −2); start near it.
        var pure = new FunctionObjective(new Saddle(), [1, 1e-3]);
        var newton = OptimizerFactory.Create("newton", new Dictionary<string, string> { ["mode"] = "pure" }, pure.Parameters);
        for (int k = 0; k < 5; k++) newton.Step(pure);
        Assert.All(pure.X, v => Assert.Equal(0, v, 12));    // −H⁻¹g = −x lands on the saddle and stays

        var sfn = new FunctionObjective(new Saddle(), [1, 1e-3]);
        var method = (SaddleFreeNewton)OptimizerFactory.Create("saddle-free-newton", null, sfn.Parameters);
        for (int k = 0; k < 12; k++) method.Step(sfn);
        Assert.Equal([2, -2], method.LastEigenvalues);
        Assert.Equal(0, sfn.X[0], 9);                        // Newton along the positive-curvature axis
        Assert.True(Math.Abs(sfn.X[1]) > 1, $"x₂ = {sfn.X[1]}"); // and downhill, away from the saddle, along the other
        Assert.True(new Saddle().Value(sfn.X) < -1);
    }

    [Fact]
    public void DampedNewton_RaisesTheDampingOnIndefiniteCurvature_AndStillDescends()
    {
        var objective = new FunctionObjective(new Saddle(), [1, 1e-3]);
        var newton = (Newton)OptimizerFactory.Create("newton", null, objective.Parameters);
        double f0 = new Saddle().Value(objective.X);
        newton.Step(objective);
        Assert.True(newton.LastDamping > 2, $"λ = {newton.LastDamping}");   // H + λI needs λ > 2 to be positive definite
        Assert.True(new Saddle().Value(objective.X) < f0);
        Assert.Equal(SearchStatus.Stepped, newton.LastStep!.Status);
    }

    [Fact]
    public void DenseMethods_RefuseLargeModels_WithTheAlternative()
    {
        var objective = new FunctionObjective(new Rosenbrock(30), new double[30]);
        foreach (var name in new[] { "newton", "saddle-free-newton", "bfgs" })
        {
            var e = Assert.Throws<ConfigurationException>(() =>
                OptimizerFactory.Create(name, new Dictionary<string, string> { ["max_params"] = "20" }, objective.Parameters));
            Assert.Contains("max_params", e.Message);
            Assert.Contains("30×30", e.Message);
        }
    }
}

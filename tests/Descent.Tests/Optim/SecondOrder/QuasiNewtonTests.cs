using Descent.Data;
using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Problems.Functions;

namespace Descent.Tests.Optim.SecondOrder;

public sealed class QuasiNewtonTests
{
    private static Dictionary<string, string> S(params string[] kv) => kv.ToDictionary(s => s.Split('=')[0], s => s.Split('=')[1]);

    /// <summary>Runs to convergence on Rosenbrock and returns (x, f, g) at every iterate.</summary>
    private static List<(double[] X, double F, double[] G)> Iterates(string name, Dictionary<string, string>? settings, Action<Optimizer>? afterStep = null)
    {
        var fn = new Rosenbrock(2);
        var objective = new FunctionObjective(fn, [-1.2, 1]);
        var opt = OptimizerFactory.Create(name, settings, objective.Parameters);
        var points = new List<(double[], double, double[])>();
        void Record()
        {
            var x = objective.X;
            var g = new double[2];
            fn.Gradient(x, g);
            points.Add((x, fn.Value(x), g));
        }
        Record();
        var r = Minimizer.Minimize(opt, objective, 500, 1e-6, _ => { Record(); afterStep?.Invoke(opt); });
        Assert.Equal(SearchStatus.Converged, r.Status);
        return points;
    }

    [Theory]
    [InlineData("lbfgs", 0.9)]
    [InlineData("bfgs", 0.9)]
    [InlineData("cg", 0.1)]
    public void StrongWolfeConditionsHold_AtEveryAcceptedStep(string name, double c2)
    {
        var points = Iterates(name, null);
        for (int k = 1; k < points.Count; k++)
        {
            var (x0, f0, g0) = points[k - 1];
            var (x1, f1, g1) = points[k];
            var s = x1.Zip(x0, (a, b) => a - b).ToArray();
            double slope0 = Dot(g0, s), slope1 = Dot(g1, s);   // φ'(0)·α and φ'(α)·α
            Assert.True(slope0 < 0, $"step {k}: not a descent step");
            Assert.True(f1 <= f0 + 1e-4 * slope0 + 1e-15 * Math.Abs(f0), $"step {k}: sufficient decrease fails");
            Assert.True(Math.Abs(slope1) <= c2 * Math.Abs(slope0) * (1 + 1e-9) + 1e-300, $"step {k}: curvature condition fails");
        }
    }

    [Fact]
    public void Bfgs_KeepsTheInverseHessianPositiveDefinite()
    {
        int checkedSteps = 0;
        Iterates("bfgs", null, opt =>
        {
            var h = ((Bfgs)opt).InverseHessian;
            var eig = SymmetricEigen.Decompose(h, 2);
            Assert.True(eig.Values[^1] > 0, $"smallest eigenvalue {eig.Values[^1]}");
            Assert.Equal(h[1], h[2], 12);   // symmetric
            checkedSteps++;
        });
        Assert.True(checkedSteps > 20);
    }

    [Fact]
    public void Lbfgs_KeepsAtMostHistoryPairs()
    {
        int most = 0;
        Iterates("lbfgs", S("history=3"), opt => most = Math.Max(most, ((Lbfgs)opt).HistoryCount));
        Assert.Equal(3, most);
    }

    [Theory]
    [InlineData("lbfgs")]
    [InlineData("bfgs")]
    [InlineData("cg")]
    [InlineData("newton")]
    public void ExportAndImport_ContinueBitIdentically(string name)
    {
        var fn = new Rosenbrock(4);
        double[] start = [-1.2, 1, -0.5, 0.8];
        var straight = new FunctionObjective(fn, start);
        var a = OptimizerFactory.Create(name, null, straight.Parameters);
        for (int k = 0; k < 10; k++) a.Step(straight);

        var first = new FunctionObjective(fn, start);
        var b = OptimizerFactory.Create(name, null, first.Parameters);
        for (int k = 0; k < 5; k++) b.Step(first);
        var state = b.ExportState();
        var resumed = new FunctionObjective(fn, first.X);
        var c = OptimizerFactory.Create(name, null, resumed.Parameters);
        c.ImportState(state);
        for (int k = 0; k < 5; k++) c.Step(resumed);
        Assert.Equal(straight.X, resumed.X);
        Assert.Equal(10, c.StepCount);
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}

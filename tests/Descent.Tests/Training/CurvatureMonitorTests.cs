using System.Globalization;
using Descent.Curvature;
using Descent.Data;
using Descent.Nn.Losses;
using Descent.Training;
using static Descent.Tests.Training.TrainingFixtures;

namespace Descent.Tests.Training;

public sealed class CurvatureMonitorTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void OnAQuadraticLossThePredictedChangeIsTheObservedOne()
    {
        // Linear regression with squared error: f is quadratic in θ, so the second-order model is exact.
        var parts = RegressionParts(lr: 0.05);
        var monitor = new CurvatureMonitor(every: 4, examples: 64, lanczosSteps: 5);
        new Trainer(parts, new TrainerOptions { Epochs = 2, RunDirectory = dir.Path }, [monitor]).Run();
        monitor.Dispose();
        Assert.Equal(4, monitor.Rows.Count);
        foreach (var r in monitor.Rows)
        {
            Assert.Equal(r.PredictedChange, r.ObservedChange, 10);
            Assert.True(r.PredictedChange < 0, "a small step along −g decreases a convex quadratic");
            Assert.Equal(2 / 0.05, r.TwoOverLr, 10);
            Assert.Equal(0.05, r.LearningRate, 12);
        }
        // The sharpness is the Hessian's largest eigenvalue on the monitoring set: (2/N) XᵀX for 4 inputs + bias.
        var data = CurvatureData.FromDataset(parts.Data.Train, 64);
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, parts.Model, new MeanSquaredError(), data);
        double lambdaMax = SymmetricEigen.Values(h.Dense(), h.Dimension)[0];
        // (a short Lanczos run stopped at relative residual 1e-2: the eigenvalue is much closer than that)
        Assert.True(Math.Abs(monitor.Rows[^1].Sharpness - lambdaMax) < 1e-3 * lambdaMax, $"{monitor.Rows[^1].Sharpness} vs {lambdaMax}");
        var lines = File.ReadAllLines(Path.Combine(dir.Path, CurvatureMonitor.FileName));
        Assert.Equal(CurvatureMonitor.Header, lines[0]);
        Assert.Equal(["4", "8", "12", "16"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(monitor.Rows[0].Ghg, double.Parse(lines[1].Split(',')[5], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheMonitorLeavesTheTrajectoryUntouched()
    {
        // A network with dropout: the monitor must not draw from the dropout stream or move the weights.
        var plain = Parts("momentum", new Dictionary<string, string> { ["lr"] = "0.05", ["momentum"] = "0.9" });
        new Trainer(plain, new TrainerOptions { Epochs = 2 }).Run();
        var monitored = Parts("momentum", new Dictionary<string, string> { ["lr"] = "0.05", ["momentum"] = "0.9" });
        var monitor = new CurvatureMonitor(every: 3, examples: 50, lanczosSteps: 4);
        new Trainer(monitored, new TrainerOptions { Epochs = 2 }, [monitor]).Run();
        Assert.Equal(Bits(plain), Bits(monitored));
        Assert.True(monitored.Model.Training);
        Assert.Equal(5, monitor.Rows.Count);
        Assert.All(monitor.Rows, r => Assert.True(r.Sharpness > 0 && r.GradNormSquared > 0 && r.Products >= 2));
    }

    [Fact]
    public void InvalidSettingsAreConfigurationErrors()
    {
        Assert.Throws<ConfigurationException>(() => new CurvatureMonitor(0));
        Assert.Throws<ConfigurationException>(() => new CurvatureMonitor(5, examples: 0));
        Assert.Throws<ConfigurationException>(() => new RunSpec { Problem = "two_layer_linear", Optimizer = "sgd", CurvatureEvery = -1 }.Resolve());
    }
}

using Descent.Training;

namespace Descent.Tests.Training;

public class ResolvedRunTests
{
    [Fact]
    public void ResolveCompletesTheSpecOnceAndCanonically()
    {
        var spec = new RunSpec
        {
            Problem = "FMNIST_LOGREG", Optimizer = "Adam", Settings = new Dictionary<string, string> { ["LR"] = "0.01" },
            Groups = ["nodecay@rank=1:weight_decay=0"], L2 = 1e-4,
        };
        var run = spec.Resolve();
        Assert.Equal("fmnist_logreg", run.Spec.Problem);
        Assert.Equal("adam", run.Spec.Optimizer);
        Assert.Equal(new Dictionary<string, string> { ["lr"] = "0.01" }, run.Spec.Settings);
        Assert.Equal("shuffle", run.Spec.Sampler);
        Assert.Equal(run.Problem.DefaultEpochs, run.Epochs);
        Assert.Equal(run.Problem.DefaultBatchSize, run.Spec.BatchSize);
        Assert.Equal(["nodecay@rank:1:weight_decay=0"], run.Spec.Groups);
        Assert.Equal(RunSpec.DefaultL2On, run.L2On!.Text);
        Assert.Equal("val_loss", run.Monitor.Name);
        // The completed spec resolves to itself: what a checkpoint stores compares equal on resume.
        Assert.Empty(run.Spec.Resolve().Spec.Differences(run.Spec));
    }

    [Fact]
    public void AFullBatchOptimizerWithoutABatchSizeGetsTheFullSampler()
    {
        var run = new RunSpec { Problem = "fmnist_logreg", Optimizer = "gd" }.Resolve();
        Assert.Equal("full", run.Spec.Sampler);
        Assert.Null(run.Spec.BatchSize);
    }

    [Fact]
    public void ALargeBatchMethodWithoutABatchSizeGetsItsPreferredOne()
    {
        int preferred = Descent.Optim.SecondOrder.HessianFree.Definition.PreferredBatchSize!.Value;
        Assert.True(preferred > 128);
        Assert.Equal(preferred, new RunSpec { Problem = "fmnist_mlp", Optimizer = "hessian-free" }.Resolve().Spec.BatchSize);
        Assert.Equal(128, new RunSpec { Problem = "fmnist_mlp", Optimizer = "hessian-free", BatchSize = 128 }.Resolve().Spec.BatchSize);
        Assert.Equal(128, new RunSpec { Problem = "fmnist_mlp", Optimizer = "adam" }.Resolve().Spec.BatchSize);
    }

    [Theory]
    [InlineData("fmnist_mlp", "adam", "lr=-1", "lr must be a number ≥ 0")]
    [InlineData("fmnist_mlp", "adma", "", "Unknown optimizer 'adma'")]
    [InlineData("no_such_problem", "adam", "", "no_such_problem")]
    public void AnInvalidSpecIsOneConfigurationError(string problem, string optimizer, string setting, string message)
    {
        var settings = setting.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [setting.Split('=')[0]] = setting.Split('=')[1] };
        var e = Assert.Throws<ConfigurationException>(() => new RunSpec { Problem = problem, Optimizer = optimizer, Settings = settings }.Resolve());
        Assert.Contains(message, e.Message);
    }
}

using Descent.Cli.Bench;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Tests.Cli;

/// <summary><c>descent bench</c> runs end to end on tiny sizes (no timing is asserted: speed lives in the bench
/// itself), and the numbers it derives are right.</summary>
public class BenchCommandTests
{
    [Fact]
    public void Quick_RunsEveryProblem_AndPrintsTheTable()
    {
        var r = CliRunner.Run("bench", "--quick", "--no-peer");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("PyTorch reference: none — skipped (--no-peer)", r.Out);
        Assert.Contains("| problem | recipe | batch | step ms |", r.Out);
        foreach (var c in BenchCase.All)
        {
            Assert.Contains($"| {c.Problem} | {c.Recipe} | 16 |", r.Out);
            Assert.Contains($"bench problem={c.Problem} batch=16 steps_per_window=2 step_ms=", r.Out);
        }
        // the machine-readable lines carry the figures the table shows, and no PyTorch ratio without the peer
        Assert.Contains("pytorch=none", r.Out);
        Assert.DoesNotContain("ratio_vs_pytorch", r.Out);
    }

    [Fact]
    public void WindowsOfAFastProblem_GetEnoughStepsToLastAQuarterSecond()
    {
        var r = CliRunner.Run("bench", "--no-peer", "--problems", "fmnist_logreg", "--batch-size", "16", "--windows", "1",
            "--warmup-seconds", "0");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 windows of at least 30 steps and 0.25 s", r.Out);
        var m = System.Text.RegularExpressions.Regex.Match(r.Out, @"steps_per_window=(\d+) step_ms=([0-9.]+)");
        Assert.True(m.Success, r.Out);
        int steps = int.Parse(m.Groups[1].Value);
        double stepMs = double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(steps > 30, $"{steps} steps of {stepMs} ms");   // a logistic-regression step takes well under 8 ms
        // with --steps the window is exactly that long
        var fixedSteps = CliRunner.Run("bench", "--no-peer", "--problems", "fmnist_logreg", "--batch-size", "16", "--windows", "1",
            "--warmup-seconds", "0", "--steps", "5");
        Assert.Contains("steps_per_window=5 ", fixedSteps.Out);
    }

    [Fact]
    public void MissingPython_IsReported_AndTheBenchStillRuns()
    {
        var r = CliRunner.Run("bench", "--quick", "--problems", "lstm_adding", "--python", "/nonexistent/python3");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("PyTorch reference: none — /nonexistent/python3 not found", r.Out);
        Assert.Contains("| lstm_adding | adam lr=0.01 | 16 |", r.Out);
    }

    [Fact]
    public void Epoch_CountsAllocationsOverAWholeEpoch()
    {
        var r = CliRunner.Run("bench", "--quick", "--no-peer", "--problems", "fmnist_logreg", "--epoch");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("alloc MB/epoch (measured)", r.Out);
        Assert.Contains("bench problem=fmnist_logreg batch=16", r.Out);
        Assert.Contains(" epoch_s=", r.Out);
    }

    [Fact]
    public void TimeToAccuracy_Quick_PrintsItsTable()
    {
        var r = CliRunner.Run("bench", "--quick", "--no-peer", "--problems", "fmnist_mlp", "--time-to-accuracy");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("| problem | recipe | target | Descent s | epochs | accuracy |", r.Out);
        Assert.Contains("| fmnist_mlp | adam lr=0.001 | 0.88 |", r.Out);
    }

    [Theory]
    [InlineData("--steps", "0", "--steps must be at least 1")]
    [InlineData("--problems", "mnist_resnet", "the benchmark problems are fmnist_logreg, fmnist_mlp, fmnist_2c2d, deep_skip_bn, lstm_adding")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--warmup-seconds", "-1", "--warmup-seconds must be a non-negative number of seconds")]
    public void BadOptions_AreOneLineErrors(string option, string value, string message)
    {
        var r = CliRunner.Run("bench", "--quick", "--no-peer", option, value);
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void FlopCount_OfTheMlp_IsItsMatrixProducts()
    {
        var model = new FashionMnistMlp().BuildModel(0);
        var f = FlopCount.Of(model, new Shape(128, 784))!.Value;
        double macs = 784.0 * 1000 + 1000 * 500 + 500 * 100 + 100 * 10;
        Assert.Equal(2 * 128 * macs, f.Forward);
        // the weight gradient of every layer, the input gradient of all but the first
        Assert.Equal(2 * 128 * (2 * macs - 784.0 * 1000), f.Backward);
    }

    [Fact]
    public void FlopCount_OfTheConvNet_CountsConvolutionsAtTheirOutputSize()
    {
        var model = new FashionMnist2c2d().BuildModel(0);
        var f = FlopCount.Of(model, new Shape(2, 1, 28, 28))!.Value;
        double conv1 = 2.0 * 2 * 32 * 28 * 28 * 25, conv2 = 2.0 * 2 * 64 * 14 * 14 * 32 * 25, fc1 = 2.0 * 2 * 3136 * 1024, fc2 = 2.0 * 2 * 1024 * 10;
        Assert.Equal(conv1 + conv2 + fc1 + fc2, f.Forward);
        Assert.Equal(conv1 + 2 * (conv2 + fc1 + fc2), f.Backward);
    }

    [Fact]
    public void PeerScript_IsEmbedded_AndKnowsEveryProblem()
    {
        var script = TorchPeer.Script;
        foreach (var c in BenchCase.All) Assert.Contains($"'{c.Problem}'", script);
        Assert.Contains("def serve(", script);
    }
}

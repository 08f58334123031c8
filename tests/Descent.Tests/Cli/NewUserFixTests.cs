using System.Text.Json;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>What a new user used to hit: validation-driven options without a validation set, a plateau schedule never
/// fed in <c>optimize</c>, <c>summary.json</c> without the L2 strength; and the script-friendly output modes.</summary>
public sealed class NewUserFixTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("--early-stopping", "2")]
    [InlineData("--restore-best", null)]
    [InlineData("--schedule", "plateau:patience=2")]
    public void ValidationDrivenOptions_WithoutAValidationSet_AreRefused(string option, string? value)
    {
        string[] extra = value is null ? [option] : [option, value];
        var r = CliRunner.Run(["train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--val-fraction", "0", "--limit-eval", "100", .. extra, "--out", dir.File("x")]);
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains("no validation set", r.Err);
        Assert.Contains("--val-fraction", r.Err);
        Assert.False(File.Exists(Path.Combine(dir.File("x"), RunSummary.FileName)));
    }

    [Fact]
    public void OptimizePlateau_IsFedTheFunctionValue()
    {
        // Gradient descent with lr = 1 on x² bounces between 10 and −10 forever; reduce-on-plateau sees f stall and lowers the rate.
        var stuck = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=1", "--start", "10", "--steps", "30");
        Assert.Contains("x = [10.000000]", stuck.Out);
        var fed = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=1", "--start", "10", "--steps", "30", "--schedule", "plateau:patience=2", "--json");
        Assert.True(fed.Code == 0, fed.Err);
        using var doc = JsonDocument.Parse(fed.Out);
        Assert.InRange(doc.RootElement.GetProperty("runs")[0].GetProperty("f").GetDouble(), 0, 1);
        var max = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--steps", "3", "--schedule", "plateau:mode=max");
        Assert.Equal(2, max.Code);
        Assert.Contains("mode=min", max.Err);
    }

    [Fact]
    public void Summary_RecordsTheL2Strength()
    {
        string run = dir.File("l2");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_linear", "--optimizer", "sgd", "--epochs", "2", "--l2", "0.001", "--out", run).Code);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunSummary.FileName)));
        Assert.Equal(0.001, doc.RootElement.GetProperty("l2").GetDouble());
        Assert.Equal("kind:weight", doc.RootElement.GetProperty("l2_on").GetString());
    }

    [Fact]
    public void QuietAndJson_PrintOnlyTheResult()
    {
        string[] args = ["train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--epochs", "1", "--limit-train", "256", "--limit-eval", "100"];
        var quiet = CliRunner.Run([.. args, "--out", dir.File("q"), "--quiet"]);
        Assert.Equal(0, quiet.Code);
        var line = Assert.Single(quiet.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("completed test_accuracy ", line);
        var json = CliRunner.Run([.. args, "--out", dir.File("j"), "--json"]);
        Assert.Equal(0, json.Code);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("completed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, CliRunner.Run([.. args, "--out", dir.File("both"), "--json", "--quiet"]).Code);
    }
}

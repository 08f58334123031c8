using System.Text.Json;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>Experiment files: YAML or JSON with the command's options as keys, overridden by the command line, checked
/// like the command line; the resolved file a run saves re-runs it exactly.</summary>
public sealed class ExperimentFileTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string[] Metrics(string run) =>
        File.ReadAllLines(Path.Combine(run, MetricsCsv.FileName)).Select(l => l[..l.LastIndexOf(',')]).ToArray(); // without the time

    [Fact]
    public void YamlAndJson_GiveTheSameRun_AsTheCommandLine()
    {
        string yaml = dir.File("exp.yaml"), json = dir.File("exp.json");
        File.WriteAllText(yaml, "# a comment\nproblem: two_layer_tanh\noptimizer: momentum\nset:\n  lr: 0.05\n  momentum: 0.8\nepochs: 6\nschedule: cosine:T=300\naverage: ema:0.9\n");
        File.WriteAllText(json, """{ "command": "train", "problem": "two_layer_tanh", "optimizer": "momentum", "set": { "lr": 0.05, "momentum": 0.8 }, "epochs": 6, "schedule": "cosine:T=300", "average": "ema:0.9" }""");
        string a = dir.File("cli"), b = dir.File("yaml"), c = dir.File("json");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "momentum", "--set", "lr=0.05", "--set", "momentum=0.8", "--epochs", "6",
            "--schedule", "cosine:T=300", "--average", "ema:0.9", "--out", a).Code);
        var rb = CliRunner.Run("train", "--config", yaml, "--out", b);
        Assert.True(rb.Code == 0, rb.Err);
        var rc = CliRunner.Run("train", "--config", json, "--out", c);
        Assert.True(rc.Code == 0, rc.Err);
        Assert.Equal(Metrics(a), Metrics(b));
        Assert.Equal(Metrics(a), Metrics(c));
    }

    [Fact]
    public void CommandLine_OverridesTheFile_AndTheResolvedFileRerunsExactly()
    {
        string yaml = dir.File("exp.yaml");
        File.WriteAllText(yaml, "problem: two_layer_linear\noptimizer: sgd\nset: {lr: 0.1}\nepochs: 9\nseed: 3\n");
        string first = dir.File("first");
        var r = CliRunner.Run("train", "--config", yaml, "--epochs", "4", "--out", first);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(first, MetricsCsv.FileName)).Length); // header + the 4 epochs of the command line
        string resolved = File.ReadAllText(Path.Combine(first, "experiment.yaml"));
        foreach (var line in new[] { "command: train", "problem: two_layer_linear", "epochs: 4", "seed: 3", "  lr: 0.1", "sampler: shuffle", "batch-size: 1" })
            Assert.Contains(line + "\n", resolved);

        string again = dir.File("again");
        var r2 = CliRunner.Run("train", "--config", Path.Combine(first, "experiment.yaml"), "--out", again);
        Assert.True(r2.Code == 0, r2.Err);
        Assert.Equal(Metrics(first), Metrics(again));
    }

    [Theory]
    [InlineData("problem: two_layer_linear\noptimizer: sgd\nepochz: 3\n", "'epochz' is not an option of descent train")]
    [InlineData("command: compare\nproblem: fmnist_mlp\n", "experiment for 'descent compare'")]
    [InlineData("problem: [two_layer_linear\n", "not valid YAML")]
    [InlineData("- problem\n- sgd\n", "must be a map")]
    [InlineData("problem: two_layer_linear\noptimizer: sgd\nset: {lr: -1}\n", "lr")]
    [InlineData("problem: two_layer_linear\noptimizer: sgd\nrestore-best: maybe\n", "true or false")]
    public void BadFiles_FailWithOneLine(string text, string message)
    {
        string yaml = dir.File("bad.yaml");
        File.WriteAllText(yaml, text);
        var r = CliRunner.Run("train", "--config", yaml, "--out", dir.File("bad"));
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void MissingFile_IsAnError()
    {
        var r = CliRunner.Run("train", "--config", dir.File("none.yaml"), "--out", dir.File("x"));
        Assert.Equal(2, r.Code);
        Assert.Contains("no such file", r.Err);
    }

    [Fact]
    public void CompareFile_ListsOptimizersAndPerOptimizerSettings()
    {
        string yaml = dir.File("compare.yaml");
        File.WriteAllText(yaml, "problem: two_layer_linear\noptimizers: [sgd, momentum]\nset:\n  lr: 0.02\n  momentum:\n    momentum: 0.5\ntune: none\nseeds: 1\nepochs: 2\n");
        string outDir = dir.File("cmp");
        var r = CliRunner.Run("compare", "--config", yaml, "--out", outDir, "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var opts = doc.RootElement.GetProperty("optimizers").EnumerateArray().ToList();
        Assert.Equal(["sgd", "momentum"], opts.Select(o => o.GetProperty("optimizer").GetString()));
        Assert.All(opts, o => Assert.Equal(0.02, o.GetProperty("lr").GetDouble()));
        Assert.Equal("0.5", opts[1].GetProperty("settings").GetProperty("momentum").GetString());
        string resolved = File.ReadAllText(Path.Combine(outDir, "experiment.yaml"));
        Assert.Contains("command: compare\n", resolved);
        Assert.Contains("- momentum:momentum=0.5\n", resolved);
    }
}

using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary><c>descent train --group</c>, <c>--show-groups</c> and <c>--l2-on</c>. Each run is one SGD step of
/// fmnist_logreg (64 examples, batch 64) from the same initialization and batch, so the parameters after it
/// are θ − lr·(g + decay term) with the same g in every run and can be compared exactly.</summary>
public sealed class TrainGroupTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string[] OneStep(string outDir, params string[] extra) =>
        ["train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--set", "lr=0.5", "--epochs", "1", "--limit-train", "64",
         "--batch-size", "64", "--limit-eval", "50", "--out", outDir, .. extra];

    private CliRunner.Outcome Run(string name, params string[] extra)
    {
        var r = CliRunner.Run(OneStep(dir.File(name), extra));
        Assert.True(r.Code == 0, r.Err);
        return r;
    }

    private double[] Param(string name, string parameter) =>
        CheckpointFile.LoadLatest(dir.File(name))!.Parameters[parameter].ToDoubleArray();

    [Fact]
    public void AGroupWithoutWeightDecayOnBiases_LeavesBiasesUndecayedWhileWeightsDecay()
    {
        Run("plain");
        Run("decay", "--weight-decay", "0.2");
        var grouped = Run("grouped", "--weight-decay", "0.2", "--group", "nodecay@kind=bias:weight_decay=0");

        Assert.NotEqual(Param("plain", "0.bias"), Param("decay", "0.bias"));      // decay does move the biases
        Assert.NotEqual(Param("plain", "0.weight"), Param("decay", "0.weight"));
        Assert.Equal(Param("plain", "0.bias"), Param("grouped", "0.bias"));      // the group's biases: not decayed
        Assert.Equal(Param("decay", "0.weight"), Param("grouped", "0.weight"));  // the default group: decayed

        // The table is printed because groups were given, with the canonical selector.
        Assert.Contains("parameter groups:\n", grouped.Out);
        var lines = grouped.Out.Split('\n');
        Assert.Matches(@"^parameter\s+shape\s+group\s+lr\s+weight_decay$", lines[Array.IndexOf(lines, "parameter groups:") + 1]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^0\.weight\s+\[10, 784\]\s+default\s+0\.5\s+0\.2$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^0\.bias\s+\[10\]\s+nodecay\s+0\.5\s+0$"));
        Assert.DoesNotContain("warning", grouped.Out);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("grouped"), RunSummary.FileName)));
        Assert.Equal("nodecay@kind:bias:weight_decay=0", Assert.Single(summary.RootElement.GetProperty("groups").EnumerateArray()).GetString());
    }

    [Fact]
    public void TrainHelp_DocumentsTheOptionsAndTheSelectorAndGroupSyntax()
    {
        var r = CliRunner.Run("train", "--help");
        Assert.Equal(0, r.Code);
        foreach (var o in new[] { "--group <group>", "--show-groups", "--l2-on <l2-on>" }) Assert.Contains(o, r.Out);
        Assert.Contains(Descent.Nn.ParameterSelector.Syntax, r.Out);
        Assert.Contains(Descent.Optim.ParameterGroups.Syntax, r.Out);
    }

    [Fact]
    public void ShowGroups_PrintsTheTableWithoutGroups_AndAnEmptyGroupIsAWarning()
    {
        var shown = Run("shown", "--show-groups");
        Assert.Contains("parameter groups:\n", shown.Out);
        Assert.Matches(@"\n0\.bias\s+\[10\]\s+default\s+0\.5\s+0\n", shown.Out);
        Assert.DoesNotContain("parameter groups:", Run("quiet").Out);

        var empty = Run("empty", "--group", "norms@kind:norm_scale:lr=0.1");
        Assert.Contains("warning: parameter group 'norms' (kind:norm_scale) holds no parameter of fmnist_logreg", empty.Out);
    }

    [Fact]
    public void L2On_ChoosesThePenalizedParameters()
    {
        Run("plain");
        Run("weights", "--l2", "0.1");
        Run("biases", "--l2", "0.1", "--l2-on", "kind:bias");
        Run("all", "--l2", "0.1", "--l2-on", "all");
        Assert.Equal(Param("plain", "0.bias"), Param("weights", "0.bias"));     // default: weights only
        Assert.NotEqual(Param("plain", "0.weight"), Param("weights", "0.weight"));
        Assert.Equal(Param("plain", "0.weight"), Param("biases", "0.weight"));
        Assert.NotEqual(Param("plain", "0.bias"), Param("biases", "0.bias"));
        Assert.Equal(Param("weights", "0.weight"), Param("all", "0.weight"));
        Assert.Equal(Param("biases", "0.bias"), Param("all", "0.bias"));
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("biases"), RunSummary.FileName)));
        Assert.Equal("kind:bias", summary.RootElement.GetProperty("l2_on").GetString());
    }

    [Theory]
    [InlineData("Unknown parameter kind 'biases' in 'kind:biases'", "--group", "nodecay@kind:biases:weight_decay=0")]
    [InlineData("needs overrides after a colon", "--group", "nodecay@kind:bias")]
    [InlineData("cannot differ between parameter groups", "--group", "nodecay@kind:bias:clip_norm=1")]
    [InlineData("weight_dekay", "--group", "nodecay@kind:bias:weight_dekay=0")]
    [InlineData("give --l2 λ > 0 too", "--l2-on", "kind:bias")]
    [InlineData("a term is missing after 'kind:weight&'", "--l2", "0.1", "--l2-on", "kind:weight&")]
    public void BadGroupsAndSelectors_AreOneLineAndExitCode2(string message, params string[] extra)
    {
        string run = dir.File("bad");
        var r = CliRunner.Run(OneStep(run, extra));
        Assert.Equal(2, r.Code);
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("descent: error: ", line);
        Assert.Contains(message, line);
        Assert.False(Directory.Exists(run) && Directory.EnumerateFileSystemEntries(run).Any(), "nothing is written for a bad spec");
    }

    [Fact]
    public void Resume_RefusesOtherGroups_AndAcceptsTheSameGroupsSpelledDifferently()
    {
        string run = dir.File("resume");
        string[] Args(params string[] extra) =>
            ["train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--set", "lr=0.5", "--weight-decay", "0.1", "--epochs", "2",
             "--limit-train", "64", "--batch-size", "64", "--limit-eval", "50", "--out", run, .. extra];
        var first = CliRunner.Run(Args("--group", "nodecay@kind:bias:weight_decay=0", "--max-steps", "1"));
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("Paused", first.Out);

        var other = CliRunner.Run(Args("--resume"));
        Assert.Equal(2, other.Code);
        Assert.Contains("groups: nodecay@kind:bias:weight_decay=0 vs (none)", Assert.Single(other.ErrLines));

        var l2 = CliRunner.Run(Args("--resume", "--group", "nodecay@kind:bias:weight_decay=0", "--l2", "0.1"));
        Assert.Equal(2, l2.Code);
        Assert.Contains("l2-on: (none) vs kind:weight", l2.Err);

        var same = CliRunner.Run(Args("--resume", "--group", "nodecay @ kind=Bias : weight_decay = 0"));
        Assert.True(same.Code == 0, same.Err);
        Assert.Contains("resuming", same.Out);
        Assert.Contains("epoch 2/2", same.Out);
    }
}

using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>Every user error is one <c>descent: error:</c> line on stderr and exit code 2, never a stack trace.</summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static void AssertOneLineError(CliRunner.Outcome r, string mustContain)
    {
        Assert.Equal(2, r.Code);
        var lines = r.ErrLines;
        Assert.Single(lines);
        Assert.StartsWith("descent: error: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
    }

    private static string[] Square(params string[] extra) =>
        ["optimize", "--function", "square", "--start", "10", "--steps", "3", .. extra];

    [Fact]
    public void UnknownOptimizer() => AssertOneLineError(CliRunner.Run(Square("--optimizer", "adma")), "did you mean 'adam'");

    [Fact]
    public void NegativeLearningRate() => AssertOneLineError(CliRunner.Run(Square("--optimizer", "sgd", "--set", "lr=-0.1")), "lr must be");

    [Fact]
    public void BetaOfOne() => AssertOneLineError(CliRunner.Run(Square("--optimizer", "adam", "--set", "beta1=1")), "beta1");

    [Fact]
    public void UnknownKey() => AssertOneLineError(CliRunner.Run(Square("--optimizer", "adam", "--set", "betta1=0.9")), "did you mean 'beta1'");

    [Fact]
    public void SettingWithoutValue() => AssertOneLineError(CliRunner.Run(Square("--optimizer", "adam", "--set", "lr")), "key=value");

    [Fact]
    public void UnknownSchedule() => AssertOneLineError(CliRunner.Run(Square("--optimizer", "gd", "--schedule", "cosin:T=3")), "did you mean 'cosine'");

    [Fact]
    public void UnknownFunction() => AssertOneLineError(CliRunner.Run("optimize", "--function", "rosenbrok", "--optimizer", "gd", "--steps", "1"), "rosenbrock");

    [Fact]
    public void StartOfTheWrongLength()
    {
        AssertOneLineError(CliRunner.Run("optimize", "--function", "square", "--dim", "2", "--optimizer", "gd", "--start", "1", "--steps", "1"), "--start");
        AssertOneLineError(CliRunner.Run("optimize", "--function", "beale", "--optimizer", "gd", "--start", "1,2,3", "--steps", "1"), "2 dimensions");
        AssertOneLineError(CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--start", "1,x", "--steps", "1"), "'x' is not a number");
    }

    [Fact]
    public void MissingRequiredOption()
    {
        AssertOneLineError(CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--start", "1"), "--steps");
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd"), "--out");
    }

    [Fact]
    public void ParseErrors()
    {
        AssertOneLineError(CliRunner.Run(Square("--optimizer", "gd", "--bogus")), "--bogus");
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--epochs", "many", "--out", "x"), "many");
        AssertOneLineError(CliRunner.Run("frobnicate"), "frobnicate");
        AssertOneLineError(CliRunner.Run(), "no command");
    }

    [Fact]
    public void UnknownProblem() =>
        AssertOneLineError(CliRunner.Run("train", "--problem", "fmnist_mpl", "--optimizer", "sgd", "--out", dir.File("r")), "Unknown problem");

    [Fact]
    public void BadTrainingOptions()
    {
        string[] Train(params string[] extra) => ["train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--out", dir.File("bad"), .. extra];
        AssertOneLineError(CliRunner.Run(Train("--batch-size", "0")), "--batch-size");
        AssertOneLineError(CliRunner.Run(Train("--sampler", "random")), "sampler");
        AssertOneLineError(CliRunner.Run(Train("--monitor", "val_accuracy")), "regression");
        AssertOneLineError(CliRunner.Run(Train("--average", "mean")), "--average");
        AssertOneLineError(CliRunner.Run(Train("--clip-norm", "1", "--set", "clip_norm=2")), "clip_norm");
        Assert.False(Directory.Exists(dir.File("bad")));
    }

    [Fact]
    public void CorruptCheckpoint()
    {
        string run = dir.File("corrupt");
        Directory.CreateDirectory(run);
        File.WriteAllBytes(Path.Combine(run, CheckpointFile.LatestFileName), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--out", run, "--resume"), CheckpointFile.LatestFileName);
    }

    [Fact]
    public void ResumeWithoutCheckpoint() =>
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--out", dir.File("empty"), "--resume"), "no checkpoint");

    [Fact]
    public void ResumeOfAnotherRun_AndOverwritingWithoutAsking()
    {
        string run = dir.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--set", "lr=0.1", "--epochs", "3", "--out", run).Code);
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "adam", "--epochs", "3", "--out", run, "--resume"),
            "from problem two_layer_tanh with optimizer gd");
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_linear", "--optimizer", "gd", "--set", "lr=0.1", "--out", run, "--resume"),
            "two_layer_tanh");
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--set", "lr=0.2", "--epochs", "3", "--out", run, "--resume"),
            "settings: lr=0.1 vs lr=0.2");
        AssertOneLineError(CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--set", "lr=0.1", "--epochs", "3", "--out", run),
            "--resume");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "gd", "--set", "lr=0.1", "--epochs", "3", "--out", run, "--overwrite").Code);
    }

    [Fact]
    public void NonFiniteHalt_IsOneLineToo()
    {
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=1e200", "--start", "1e200", "--steps", "5");
        AssertOneLineError(r, "nonfinite=skip");
    }

    [Fact]
    public void ControlCharactersInAValue_AreShownEscaped()
    {
        // Found by the fuzz campaign: "war\rmup" gave "Unknown schedule 'warmup' (did you mean 'warmup'?)" over two lines.
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--schedule", "war\rmup", "--steps", "2");
        AssertOneLineError(r, "Unknown schedule 'war\\rmup' (did you mean 'warmup'?)");
        Assert.Equal("a\\nb\\u0001", new DescentException("a\nb\u0001").Message);
    }
}

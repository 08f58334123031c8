using System.Globalization;
using System.Text.Json;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void FashionMnist_WritesTheRunDirectory_AndSaysWhereTheDataCameFrom()
    {
        string run = dir.File("logreg");
        var r = CliRunner.Run("train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--set", "lr=0.1", "--epochs", "2",
            "--limit-train", "512", "--limit-eval", "400", "--batch-size", "64", "--out", run);
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        // The full set where it is installed, else the bundled sample (and the output says which).
        bool full = Descent.Data.FashionMnist.LocateDirectory() is not null;
        Assert.StartsWith(full ? "data: Fashion-MNIST" : "data: bundled sample", r.Out);
        Assert.Contains("using 512 train / 400 validation / 400 test examples", r.Out);
        Assert.Contains("epoch 2/2", r.Out);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunSummary.FileName)));
        var root = summary.RootElement;
        double acc = root.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(acc, 0.5, 1.0);
        Assert.Equal("fmnist_logreg", root.GetProperty("problem").GetString());
        Assert.Equal(16, root.GetProperty("total_steps").GetInt32());
        Assert.Equal(64, root.GetProperty("batch_size").GetInt32());
        var data = root.GetProperty("data");
        Assert.Equal(data.GetProperty("is_sample").GetBoolean(), data.TryGetProperty("sample_notice", out _));
        Assert.Contains($"test_accuracy {acc.ToString("F4", CultureInfo.InvariantCulture)}", r.Out);

        var lines = File.ReadAllLines(Path.Combine(run, MetricsCsv.FileName));
        Assert.Equal(MetricsCsv.Header, lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.True(File.Exists(Path.Combine(run, Trainer.ModelFileName)));
        Assert.True(File.Exists(Path.Combine(run, CheckpointFile.LatestFileName)));
    }

    [Fact]
    public void ValFractionZero_TrainsOnTheWholeTrainingSet()
    {
        string run = dir.File("all");
        var r = CliRunner.Run("train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--epochs", "1", "--val-fraction", "0",
            "--limit-eval", "200", "--out", run);
        Assert.Equal(0, r.Code);
        Assert.Contains(" train / 0 validation / 200 test examples", r.Out);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunSummary.FileName)));
        var data = summary.RootElement.GetProperty("data");
        Assert.Equal(0, data.GetProperty("validation").GetInt32());
        Assert.Equal(data.GetProperty("is_sample").GetBoolean() ? 6000 : 60000, data.GetProperty("train").GetInt32());
        Assert.InRange(summary.RootElement.GetProperty("test_accuracy").GetDouble(), 0.5, 1.0);

        var bad = CliRunner.Run("train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--val-fraction", "1.5", "--out", dir.File("bad"));
        Assert.Equal(2, bad.Code);
        Assert.Contains("fraction", bad.Err);
    }

    [Fact]
    public void MaxSteps_ThenResume_EqualsAStraightRun()
    {
        string[] Args(string outDir, params string[] extra) =>
            ["train", "--problem", "two_layer_tanh", "--optimizer", "momentum", "--set", "lr=0.05", "--schedule", "cosine:T=40",
             "--epochs", "40", "--average", "ema:0.9", "--log-every", "2", "--out", outDir, .. extra];
        string a = dir.File("a"), b = dir.File("b");
        Assert.Equal(0, CliRunner.Run(Args(a)).Code);
        var paused = CliRunner.Run(Args(b, "--max-steps", "13"));
        Assert.Equal(0, paused.Code);
        Assert.Contains("Paused: paused after 13 steps", paused.Out);
        Assert.Contains("Resume with: descent train --problem two_layer_tanh", paused.Out);
        Assert.DoesNotContain("--max-steps", paused.Out.Split("Resume with: ")[1]);
        var resumed = CliRunner.Run(Args(b, "--resume"));
        Assert.Equal(0, resumed.Code);
        Assert.Contains("resuming", resumed.Out);
        TrainProcessTests.AssertSameFinalState(a, b);
        Assert.Equal(File.ReadAllText(Path.Combine(a, GradientNormLog.FileName)), File.ReadAllText(Path.Combine(b, GradientNormLog.FileName)));
    }

    [Fact]
    public void TrainingOptions_ReachTheRun()
    {
        string run = dir.File("opts");
        var r = CliRunner.Run("train", "--problem", "two_layer_linear", "--optimizer", "sgd", "--set", "lr=0", "--epochs", "30",
            "--early-stopping", "3", "--restore-best", "--clip-norm", "1", "--weight-decay", "0.01", "--l2", "0.1", "--keep-epoch-checkpoints", "--out", run);
        Assert.Equal(0, r.Code);
        Assert.Contains("Stopped early", r.Out);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunSummary.FileName)));
        var root = summary.RootElement;
        Assert.Equal("stopped", root.GetProperty("status").GetString());
        Assert.Equal(4, root.GetProperty("epochs_completed").GetInt32());
        Assert.Equal(1, root.GetProperty("restored_best_epoch").GetInt32());
        Assert.Equal("1", root.GetProperty("settings").GetProperty("clip_norm").GetString());
        Assert.Equal("0.01", root.GetProperty("settings").GetProperty("weight_decay").GetString());
        Assert.Equal(4, Directory.GetFiles(run, "checkpoint-epoch*.safetensors").Length);
    }

    [Fact]
    public void ResumeCommand_RepeatsTheArgumentsWithResume()
    {
        Assert.Equal("descent train --problem p --out 'my dir' --resume",
            Descent.Cli.Commands.TrainCommand.ResumeCommand(["train", "--problem", "p", "--max-steps", "10", "--out", "my dir", "--overwrite"]));
    }
}

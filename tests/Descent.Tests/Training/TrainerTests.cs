using System.Globalization;
using System.Text.Json;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Tensors;
using Descent.Training;
using static Descent.Tests.Training.TrainingFixtures;

namespace Descent.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static Dictionary<string, string> Lr(double lr, params (string Key, string Value)[] more)
    {
        var d = new Dictionary<string, string> { ["lr"] = lr.ToString(CultureInfo.InvariantCulture) };
        foreach (var (k, v) in more) d[k] = v;
        return d;
    }

    [Fact]
    public void Run_LearnsAndWritesMetricsSummaryCheckpointAndModel()
    {
        var parts = Parts("adam", Lr(0.02));
        var result = new Trainer(parts, new TrainerOptions { Epochs = 3, RunDirectory = dir.Path }).Run();

        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.Equal(24, result.TotalSteps);
        Assert.Equal([8L, 16, 24], result.History.Select(m => m.Step));
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.True(result.History[^1].ValAccuracy > 0.8, $"validation accuracy {result.History[^1].ValAccuracy}");

        var lines = File.ReadAllLines(Path.Combine(dir.Path, MetricsCsv.FileName));
        Assert.Equal("epoch,step,train_loss,val_loss,val_accuracy,test_loss,test_accuracy,lr,seconds", lines[0]);
        Assert.Equal(4, lines.Length);
        var cells = lines[3].Split(',');
        Assert.Equal("3", cells[0]);
        Assert.Equal(result.History[^1].TestAccuracy, double.Parse(cells[6], CultureInfo.InvariantCulture));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, RunSummary.FileName)));
        var root = summary.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(result.History[^1].TestAccuracy, root.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(24, root.GetProperty("total_steps").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped_steps").GetInt32());
        Assert.Equal("adam", root.GetProperty("optimizer").GetString());
        Assert.Equal("0.02", root.GetProperty("settings").GetProperty("lr").GetString());
        Assert.Equal("synthetic blobs", root.GetProperty("data").GetProperty("source").GetString());
        Assert.True(root.GetProperty("bytes_allocated_per_step").GetDouble() > 0);
        Assert.Equal(result.Best!.Epoch, root.GetProperty("best").GetProperty("epoch").GetInt32());

        var model = CheckpointFile.Load(Path.Combine(dir.Path, Trainer.ModelFileName));
        Assert.Equal(parts.Model.StateDict().Keys.Order(), model.Parameters.Keys.Order());
        Assert.Equal(24, CheckpointFile.LoadLatest(dir.Path)!.RunStateAs<RunState>().GlobalStep);
    }

    [Fact]
    public void Summary_SaysWhenTheDataIsTheBundledSample()
    {
        var parts = Parts();
        parts = parts with { Data = parts.Data with { Source = "bundled sample (240 train)", IsSample = true } };
        new Trainer(parts, new TrainerOptions { Epochs = 1, RunDirectory = dir.Path }).Run();
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, RunSummary.FileName)));
        var data = summary.RootElement.GetProperty("data");
        Assert.True(data.GetProperty("is_sample").GetBoolean());
        Assert.Contains("bundled sample (240 train)", data.GetProperty("sample_notice").GetString());
    }

    [Fact]
    public void Regression_LeavesTheAccuracyCellsEmpty()
    {
        var result = new Trainer(RegressionParts(), new TrainerOptions { Epochs = 10, RunDirectory = dir.Path }).Run();
        Assert.True(double.IsNaN(result.History[0].ValAccuracy));
        var row = File.ReadAllLines(Path.Combine(dir.Path, MetricsCsv.FileName))[1].Split(',');
        Assert.Equal(9, row.Length);
        Assert.Equal("", row[4]);
        Assert.Equal("", row[6]);
        Assert.NotEqual("", row[5]);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, RunSummary.FileName)));
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("test_accuracy").ValueKind);
        Assert.True(result.History[^1].ValLoss < 0.1, $"validation MSE {result.History[^1].ValLoss}");
    }

    [Fact]
    public void TrainLoss_IsTheMeanOfTheEpochsMiniBatchLosses()
    {
        var losses = new List<double>();
        var result = new Trainer(Parts("sgd", Lr(0.05)), new TrainerOptions { Epochs = 2 }, [new Recorder(losses)]).Run();
        Assert.Equal(16, losses.Count);
        Assert.Equal(losses.Take(8).Average(), result.History[0].TrainLoss, 12);
        Assert.Equal(losses.Skip(8).Average(), result.History[1].TrainLoss, 12);
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatienceEpochsWithoutImprovement()
    {
        // lr = 0: the validation loss never improves after the first epoch.
        var stopper = new EarlyStopping(patience: 2);
        var result = new Trainer(Parts("sgd", Lr(0)), new TrainerOptions { Epochs = 10, RunDirectory = dir.Path }, [stopper]).Run();
        Assert.Equal(TrainingStatus.Stopped, result.Status);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(1, stopper.BestEpoch);
        Assert.Contains("early_stopping", result.Message);

        // Resuming a stopped run does not train on.
        var again = new Trainer(Parts("sgd", Lr(0)), new TrainerOptions { Epochs = 10, RunDirectory = dir.Path }, [new EarlyStopping(2)]);
        again.Restore(CheckpointFile.LoadLatest(dir.Path)!);
        var r2 = again.Run();
        Assert.Equal(TrainingStatus.Stopped, r2.Status);
        Assert.Equal(24, r2.TotalSteps);
    }

    [Fact]
    public void BestWeights_EndsWithTheBestEpochsWeights()
    {
        // A learning rate large enough that later epochs are worse than the best one.
        var parts = Parts("sgd", Lr(3));
        var best = new BestWeights();
        var result = new Trainer(parts, new TrainerOptions { Epochs = 6 }, [best]).Run();
        Assert.Equal(result.Best!.Epoch, result.RestoredEpoch);
        Assert.Equal(result.Best, result.Report);
        var now = Evaluator.Evaluate(parts.Model, parts.Objective.Loss, parts.Data.Validation, accuracy: true);
        Assert.Equal(result.Best.ValLoss, now.Loss, 12);
    }

    [Fact]
    public void PolyakEvaluation_MeasuresTheAveragedWeightsAndTrainsOnTheLiveOnes()
    {
        var parts = Parts("sgd", Lr(0.5, ("average", "arithmetic")));
        var result = new Trainer(parts, new TrainerOptions { Epochs = 2 }, [new PolyakEvaluation()]).Run();
        var average = parts.Optimizer.Average!;
        Assert.False(average.IsSwappedIn);
        var live = Evaluator.Evaluate(parts.Model, parts.Objective.Loss, parts.Data.Validation, true);
        Evaluation averaged;
        using (average.SwapIn()) averaged = Evaluator.Evaluate(parts.Model, parts.Objective.Loss, parts.Data.Validation, true);
        Assert.Equal(averaged.Loss, result.History[^1].ValLoss, 12);
        Assert.NotEqual(live.Loss, averaged.Loss);
    }

    [Fact]
    public void PlateauFeed_HalvesTheRateWhenValidationStalls()
    {
        var parts = Parts("sgd", Lr(1e-9), schedule: "plateau:patience=0,factor=0.5");
        var result = new Trainer(parts, new TrainerOptions { Epochs = 4 }, [new PlateauFeed(ValidationMetric.ValLoss)]).Run();
        var lr = result.History.Select(m => m.LearningRate).ToArray();
        Assert.Equal(lr[0], lr[1]);
        Assert.Equal(lr[0] / 2, lr[2], 15);
        Assert.Equal(lr[0] / 4, lr[3], 15);
    }

    [Fact]
    public void NonFinite_HaltWritesAHaltedSummary_SkipCountsTheSteps()
    {
        var halt = new Trainer(Parts("sgd", Lr(1e30)), new TrainerOptions { Epochs = 2, RunDirectory = dir.Path });
        var e = Assert.Throws<NonFiniteException>(() => halt.Run());
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, RunSummary.FileName))))
        {
            Assert.Equal("halted", summary.RootElement.GetProperty("status").GetString());
            Assert.Equal(e.Message, summary.RootElement.GetProperty("message").GetString());
        }

        var skipDir = Path.Combine(dir.Path, "skip");
        var skip = new Trainer(Parts("sgd", Lr(1e30, ("nonfinite", "skip"))), new TrainerOptions { Epochs = 2, RunDirectory = skipDir }).Run();
        Assert.True(skip.SkippedSteps > 0);
        Assert.Equal(16, skip.TotalSteps);
        using var s2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(skipDir, RunSummary.FileName)));
        Assert.Equal(skip.SkippedSteps, s2.RootElement.GetProperty("skipped_steps").GetInt64());
    }

    [Fact]
    public void GradientNormLog_WritesEveryNthStep()
    {
        var log = new GradientNormLog(3);
        new Trainer(Parts(), new TrainerOptions { Epochs = 2, RunDirectory = dir.Path }, [log]).Run();
        log.Dispose();
        var lines = File.ReadAllLines(Path.Combine(dir.Path, GradientNormLog.FileName));
        Assert.Equal(GradientNormLog.Header, lines[0]);
        Assert.Equal(["3", "6", "9", "12", "15"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(lines.Skip(1), l => Assert.True(double.Parse(l.Split(',')[3], CultureInfo.InvariantCulture) > 0));
    }

    [Fact]
    public void Restarts_KeepsTheSeedWithTheBestValidationMetric()
    {
        var r = Restarts.Run([1UL, 2, 3], seed => new Trainer(Parts("sgd", Lr(seed == 2 ? 0.2 : 0), seed: seed), new TrainerOptions { Epochs = 2 }).Run());
        Assert.Equal(3, r.Runs.Count);
        Assert.Equal(2UL, r.BestSeed);
        Assert.Equal(r.Runs.Min(x => x.Result.BestValidation), r.Best.BestValidation);
    }

    [Fact]
    public void Parts_MustFitTogether()
    {
        var parts = Parts();
        var other = Parts(seed: 9);
        Assert.Throws<ConfigurationException>(() => new Trainer(parts with { Optimizer = other.Optimizer }, new TrainerOptions()));
        Assert.Throws<ConfigurationException>(() => new Trainer(parts with { Sampler = new ShuffledSampler(10, 2, 0) }, new TrainerOptions()));
        Assert.Throws<ConfigurationException>(() => new Trainer(parts, new TrainerOptions(), [new EarlyStopping(1), new EarlyStopping(2)]));
    }

    private sealed class Recorder(List<double> losses) : ITrainingCallback
    {
        public string Name => "recorder";

        public CallbackAction OnStepEnd(TrainingContext context, in StepInfo step)
        {
            losses.Add(step.Loss);
            return CallbackAction.Continue;
        }
    }
}

/// <summary>Steady-state steps allocate no large arrays: the tensors of a step are rented from the pool.</summary>
[Collection("Training allocation")]
public sealed class TrainerAllocationTests
{
    [Fact]
    public void SteadyStateStep_AllocatesFarLessThanOneActivation()
    {
        var rng = new Rng(5);
        const int n = 512, d = 64, hidden = 1024, batch = 64;
        var x = Tensor.Randn(new Shape(n, d), rng).CloneUnscoped();
        var labels = Enumerable.Range(0, n).Select(i => i % 10).ToArray();
        var set = new Dataset(x, labels, null, 10, "random");
        var data = new DataSplits(set, set.Subset([.. Enumerable.Range(0, 64)]), set.Subset([.. Enumerable.Range(0, 64)]), "random");
        var model = new Sequential(new Linear(d, hidden, rng: rng), new ReLU(), new Linear(hidden, 10, rng: rng));
        var objective = new Objective(model, new CrossEntropy());
        var opt = OptimizerFactory.Create("adam", new Dictionary<string, string> { ["lr"] = "0.001" }, model.Flat);
        var parts = new TrainingParts(model, objective, opt, new ShuffledSampler(n, batch, 1), data, true);
        var result = new Trainer(parts, new TrainerOptions { Epochs = 3, AllocationWarmupSteps = 8 }).Run();
        const double activationBytes = batch * hidden * sizeof(float);
        Assert.True(result.BytesAllocatedPerStep < activationBytes / 4,
            $"{result.BytesAllocatedPerStep:F0} bytes per step (one hidden activation is {activationBytes} bytes)");
    }
}

[CollectionDefinition("Training allocation", DisableParallelization = true)]
public sealed class TrainingAllocationCollection;

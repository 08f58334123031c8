using Descent.Optim;
using Descent.Training;
using static Descent.Tests.Training.TrainingFixtures;

namespace Descent.Tests.Training;

/// <summary>
/// A resumed run equals the uninterrupted one bit for bit: parameters, optimizer state (moments and the
/// Polyak average), metrics and logs, with a checkpoint taken mid-epoch, with dropout, a warm-up +
/// reduce-on-plateau schedule, early stopping and best-weight callbacks all carrying state across.
/// </summary>
public sealed class TrainerResumeTests : IDisposable
{
    private const int Epochs = 4; // 8 steps per epoch
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly Dictionary<string, string> Settings = new() { ["lr"] = "0.02", ["average"] = "ema", ["average_decay"] = "0.9" };
    private const string Schedule = "warmup:5+plateau:patience=0,factor=0.5";

    private static TrainingParts Fresh() => Parts("adam", Settings, Schedule);

    private static List<ITrainingCallback> Callbacks() =>
        [new PlateauFeed(ValidationMetric.ValLoss), new EarlyStopping(50), new BestWeights(), new PolyakEvaluation(), new GradientNormLog(3),
         new CurvatureMonitor(every: 4, examples: 40, lanczosSteps: 3)];

    private static TrainerOptions Options(string runDir, long? maxSteps = null, int every = 0) =>
        new() { Epochs = Epochs, RunDirectory = runDir, MaxSteps = maxSteps, CheckpointEvery = every };

    private string Straight()
    {
        string a = Path.Combine(dir.Path, "straight");
        var result = new Trainer(Fresh(), Options(a), Callbacks()).Run();
        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.Equal(Epochs * 8, result.TotalSteps);
        return a;
    }

    private static void AssertSameRun(string expectedDir, string actualDir)
    {
        var e = CheckpointFile.LoadLatest(expectedDir)!;
        var a = CheckpointFile.LoadLatest(actualDir)!;
        Assert.Equal(e.Parameters.Keys.Order(), a.Parameters.Keys.Order());
        foreach (var (k, t) in e.Parameters) Assert.Equal(Bits(t), Bits(a.Parameters[k]));
        Assert.Equal(e.Optimizer.Keys.Order(), a.Optimizer.Keys.Order());
        Assert.Contains("polyak.average", e.Optimizer.Keys);
        Assert.Contains("callback/best_weights/weights", e.Optimizer.Keys);
        foreach (var (k, t) in e.Optimizer) Assert.Equal(Bits(t), Bits(a.Optimizer[k]));
        var es = e.RunStateAs<RunState>();
        var state = a.RunStateAs<RunState>();
        Assert.Equal(WithoutTime(es.History), WithoutTime(state.History));
        Assert.Equal(es.OptimizerScalars, state.OptimizerScalars);
        Assert.Equal(es.Callbacks.Keys, state.Callbacks.Keys);
        foreach (var (k, v) in es.Callbacks) Assert.Equal(v, state.Callbacks[k]);
        Assert.Equal(es.Sampler, state.Sampler);
        Assert.Equal(es.Rngs.Keys, state.Rngs.Keys);
        foreach (var (k, v) in es.Rngs) Assert.Equal(v, state.Rngs[k]);
        Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, GradientNormLog.FileName)), File.ReadAllText(Path.Combine(actualDir, GradientNormLog.FileName)));
        Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, CurvatureMonitor.FileName)), File.ReadAllText(Path.Combine(actualDir, CurvatureMonitor.FileName)));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expectedDir, Trainer.ModelFileName)), File.ReadAllBytes(Path.Combine(actualDir, Trainer.ModelFileName)));
    }

    [Fact]
    public void PauseMidEpoch_NewObjects_Resume_EqualsUninterruptedRun()
    {
        string a = Straight();
        string b = Path.Combine(dir.Path, "resumed");
        var paused = new Trainer(Fresh(), Options(b, maxSteps: 11), Callbacks()).Run();
        Assert.Equal(TrainingStatus.Paused, paused.Status);
        Assert.True(paused.Resumable);
        Assert.Equal(11, paused.TotalSteps);
        var saved = CheckpointFile.LoadLatest(b)!.RunStateAs<RunState>();
        Assert.Equal((1, 3), (saved.Sampler.Epoch, saved.Sampler.Cursor)); // mid-epoch: epoch 2, 3 of 8 batches taken

        var parts = Fresh(); // a new model, optimizer, sampler and callbacks, as in a new process
        var trainer = new Trainer(parts, Options(b), Callbacks());
        trainer.Restore(CheckpointFile.LoadLatest(b)!);
        Assert.Equal(11, trainer.Context.GlobalStep);
        var result = trainer.Run();

        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.Equal(Epochs * 8, result.TotalSteps);
        AssertSameRun(a, b);
    }

    [Fact]
    public void CancellationFinishesTheStep_SavesAndResumesExactly()
    {
        string a = Straight();
        string b = Path.Combine(dir.Path, "cancelled");
        using var cts = new CancellationTokenSource();
        var callbacks = Callbacks();
        callbacks.Add(new CancelAt(13, cts));
        var interrupted = new Trainer(Fresh(), Options(b), callbacks).Run(cts.Token);
        Assert.Equal(TrainingStatus.Interrupted, interrupted.Status);
        Assert.Equal(13, interrupted.TotalSteps);
        Assert.Equal(13, CheckpointFile.LoadLatest(b)!.RunStateAs<RunState>().GlobalStep);

        var trainer = new Trainer(Fresh(), Options(b), Callbacks());
        trainer.Restore(CheckpointFile.LoadLatest(b)!);
        Assert.Equal(TrainingStatus.Completed, trainer.Run().Status);
        AssertSameRun(a, b);
    }

    [Fact]
    public void CheckpointWriteInterruptedMidFile_KeepsThePreviousOne_WhichResumesExactly()
    {
        string a = Straight();
        string b = Path.Combine(dir.Path, "torn");
        var trainer = new Trainer(Fresh(), Options(b, every: 5), Callbacks());
        int saves = 0;
        trainer.SaveCheckpoint = (d, c, epoch) =>
        {
            // Saves at steps 5, 8 (epoch end), 10, then the one at step 15 dies half-way through the file.
            if (++saves < 4) { CheckpointFile.SaveLatest(d, c, epoch); return; }
            string scratch = Path.Combine(dir.Path, "scratch.safetensors");
            CheckpointFile.Save(scratch, c);
            var bytes = File.ReadAllBytes(scratch);
            AtomicFile.Write(CheckpointFile.LatestPath(d), s =>
            {
                s.Write(bytes, 0, bytes.Length / 2);
                throw new IOException("No space left on device (simulated)");
            });
        };
        Assert.Throws<IOException>(() => trainer.Run());
        Assert.Equal(15, trainer.Context.GlobalStep);
        Assert.Empty(AtomicFile.StaleTemporaries(CheckpointFile.LatestPath(b)));
        var kept = CheckpointFile.LoadLatest(b)!;
        Assert.Equal(10, kept.RunStateAs<RunState>().GlobalStep);

        var resumed = new Trainer(Fresh(), Options(b), Callbacks());
        resumed.Restore(kept);
        Assert.Equal(TrainingStatus.Completed, resumed.Run().Status);
        AssertSameRun(a, b);
    }

    [Fact]
    public void Restore_RejectsACheckpointOfAnotherOptimizer()
    {
        string b = Path.Combine(dir.Path, "adam");
        new Trainer(Fresh(), Options(b, maxSteps: 3), Callbacks()).Run();
        var sgd = new Trainer(Parts("sgd"), Options(b), Callbacks());
        var e = Assert.Throws<DataFormatException>(() => sgd.Restore(CheckpointFile.LoadLatest(b)!));
        Assert.Contains("adam", e.Message);
    }

    private sealed class CancelAt(long step, CancellationTokenSource cts) : ITrainingCallback
    {
        public string Name => "cancel_at";

        public CallbackAction OnStepEnd(TrainingContext context, in StepInfo info)
        {
            if (info.GlobalStep == step) cts.Cancel();
            return CallbackAction.Continue;
        }
    }
}

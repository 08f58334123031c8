using Descent.Data;
using Descent.Distributed;
using Descent.Optim;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Distributed;

/// <summary>
/// The trainer over several ranks (threads with real collectives): the same run as one process to rounding,
/// the same metrics on every rank, files from rank 0 only, a checkpoint that records the number of processes,
/// resume at the same number bit for bit, another number refused, and a stop on any rank stops all at the
/// same step.
/// </summary>
public sealed class ParallelTrainerTests : IDisposable
{
    private static readonly DataSplits Data = DataParallelTests.Float64(TrainingFixtures.Blobs(96));
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static Trainer Create(Communicator? comm, string? runDir, long? maxSteps = null)
    {
        var o = DataParallelTests.Model(batchNorm: true, dropout: true);
        var opt = OptimizerFactory.Create("adam", new Dictionary<string, string> { ["lr"] = "0.01" });
        opt.Init(o.Model.Flat);
        var parts = new TrainingParts(o.Model, o, opt, new ShuffledSampler(Data.Train.Count, 24, 3), Data, IsClassification: true);
        return new Trainer(parts, new TrainerOptions
        {
            Epochs = 3, RunDirectory = runDir, Communicator = comm, SyncBatchNorm = true, CheckpointEvery = 5, MaxSteps = maxSteps,
        });
    }

    private sealed record Finished(TrainingResult Result, double[] Parameters);

    private static Finished Finish(Trainer t, CancellationToken cancel = default) =>
        new(t.Run(cancel), t.Context.Model.Flat.Values.Doubles.ToArray());

    [Fact]
    public void TwoRanks_TrainLikeOneProcess_RankZeroWrites()
    {
        var one = Finish(Create(null, null));
        string[] dirs = [dir.File("rank0"), dir.File("rank1")];
        var two = ThreadGroup.Run(2, c => Finish(Create(c, dirs[c.Rank])));

        // 12 Adam steps in float64 with synchronised batch normalization and dropout: only the order of sums differs
        double diff = one.Parameters.Zip(two[0].Parameters, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff < 1e-9, $"parameters differ from one process's by {diff:G3}");
        Assert.Equal(two[0].Parameters, two[1].Parameters);
        Assert.Equal(one.Result.TotalSteps, two[0].Result.TotalSteps);
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(two[0].Result.History[e].ValLoss, two[1].Result.History[e].ValLoss);   // every rank sees the same metrics
            Assert.Equal(one.Result.History[e].ValAccuracy, two[0].Result.History[e].ValAccuracy);
            Assert.Equal(one.Result.History[e].TestLoss, two[0].Result.History[e].TestLoss, 1e-9);
            Assert.Equal(one.Result.History[e].TrainLoss, two[0].Result.History[e].TrainLoss, 1e-9);
        }
        Assert.True(File.Exists(CheckpointFile.LatestPath(dirs[0])));
        Assert.True(File.Exists(Path.Combine(dirs[0], MetricsCsv.FileName)));
        Assert.True(File.Exists(Path.Combine(dirs[0], Trainer.ModelFileName)));
        Assert.False(Directory.Exists(dirs[1]) && Directory.EnumerateFileSystemEntries(dirs[1]).Any(), "rank 1 wrote files");
        Assert.Equal(2, CheckpointFile.LoadLatest(dirs[0])!.RunStateAs<RunState>().Processes);
    }

    [Fact]
    public void Resume_WithTheSameRanks_IsBitIdentical_AnotherCountIsRefused()
    {
        var straight = ThreadGroup.Run(2, c => Finish(Create(c, null)));
        string run = dir.File("paused");
        var paused = ThreadGroup.Run(2, c => Create(c, run, maxSteps: 7).Run());
        Assert.All(paused, r => Assert.Equal(TrainingStatus.Paused, r.Status));
        var checkpoint = CheckpointFile.LoadLatest(run)!;
        var resumed = ThreadGroup.Run(2, c =>
        {
            var t = Create(c, run);
            t.Restore(checkpoint);
            return Finish(t);
        });
        Assert.Equal(straight[0].Parameters, resumed[0].Parameters);
        Assert.Equal(straight[1].Parameters, resumed[1].Parameters);

        var e = Assert.Throws<ConfigurationException>(() => Create(null, null).Restore(checkpoint));
        Assert.Contains("written by 2 processes and this run has 1 process", e.Message);
        Assert.Contains("mpirun -np 2", e.Message);
    }

    [Fact]
    public void ACancellationOnOneRank_StopsEveryRankAtTheSameStep()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var results = ThreadGroup.Run(2, c => Create(c, null).Run(c.Rank == 1 ? cancelled.Token : CancellationToken.None));
        Assert.All(results, r => Assert.Equal(TrainingStatus.Interrupted, r.Status));
        Assert.All(results, r => Assert.Equal(1, r.TotalSteps));
    }
}

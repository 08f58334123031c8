using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Distributed;
using Descent.Tests.Cli;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Distributed;

/// <summary>
/// Real MPI jobs on localhost (<c>mpirun -np 2 --oversubscribe</c>), when Open MPI is installed: two processes
/// end where one does, within the stated tolerance; two runs at 2 processes are bit-identical; a rank that is
/// killed ends the job with a clear error and leaves the last checkpoint, which resumes at 2 processes (to the
/// uninterrupted run's bits) and is refused at 1; a rank that hangs is ended by the collective timeout. Without
/// mpirun each test checks the single-process fallback instead.
/// </summary>
public sealed class MpiJobTests(MpiJob job) : IClassFixture<MpiJob>, IDisposable
{
    /// <summary>
    /// |θ(2 processes) − θ(1 process)| after the 32 SGD steps (lr 0.1) of <see cref="MpiJob.Args"/>. The gradient
    /// of a shard is summed in another order than the gradient of the whole batch, so each step's gradient differs
    /// in its last bits (float32: relative 2⁻²⁴ ≈ 6e-8 per rounding); the parameters (|θ| ≲ 0.1) move by
    /// lr·g per step, so the differences stay near 32 steps × 0.1 × |g|·1e-7 ≈ 1e-8 unless training amplifies
    /// them. Measured here: 3.0e-8; the bound leaves a factor of ~30. (Longer runs do amplify them: one full epoch
    /// ends 2e-3 apart, docs/distributed.md; so the test keeps to a short run.)
    /// </summary>
    public const double Tolerance = 1e-6;

    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SigKill = 9, SigStop = 19;

    /// <summary>Without mpirun: this process is rank 0 of 1 and trains alone, recording 1 process.</summary>
    private void AssertSingleProcessFallback()
    {
        Assert.Same(Communicator.Single, Communicator.Connect());
        string run = dir.File("alone");
        var r = CliRunner.Run(MpiJob.Args(run));
        Assert.True(r.Code == 0, r.Err);
        Assert.DoesNotContain("data parallel", r.Out);
        Assert.Equal(1, CheckpointFile.LoadLatest(run)!.RunStateAs<RunState>().Processes);
    }

    [Fact]
    public void TwoProcesses_EndWhereOneDoes_WithinTheTolerance()
    {
        if (MpiJob.Mpirun is null) { AssertSingleProcessFallback(); return; }
        string one = dir.File("np1");
        var r = CliRunner.Run(MpiJob.Args(one));
        Assert.True(r.Code == 0, r.Err);
        var a = CheckpointFile.LoadLatest(one)!;
        var b = CheckpointFile.LoadLatest(job.Straight)!;
        Assert.Equal(2, b.RunStateAs<RunState>().Processes);
        double worst = 0;
        foreach (var (name, t) in a.Parameters)
        {
            var u = b.Parameters[name];
            for (int i = 0; i < t.Size; i++) worst = Math.Max(worst, Math.Abs(t.Floats[i] - u.Floats[i]));
        }
        Assert.True(worst <= Tolerance, $"2 processes end {worst:G3} away from 1 (tolerance {Tolerance:G3})");
    }

    [Fact]
    public void TwoProcesses_AreBitIdenticalFromRunToRun()
    {
        if (MpiJob.Mpirun is null) { AssertSingleProcessFallback(); return; }
        string again = dir.File("again");
        var r = MpiJob.Run(2, MpiJob.Args(again));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("data parallel: Open MPI", r.Out);
        TrainProcessTests.AssertSameFinalState(job.Straight, again);
    }

    [Fact]
    public void AKilledRank_EndsTheJobWithAClearError_AndTheCheckpointResumes()
    {
        if (MpiJob.Mpirun is null) { AssertSingleProcessFallback(); return; }
        string run = dir.File("killed");
        CliRunner.Outcome ended;
        using (var p = MpiJob.Start(2, MpiJob.Args(run)))
        {
            WaitForCheckpoint(p, run);
            int victim = MpiJob.RankProcess(p, 1) ?? throw new InvalidOperationException("rank 1 not found");
            Assert.Equal(0, kill(victim, SigKill));
            ended = MpiJob.Collect(p, TimeSpan.FromSeconds(90)); // mpirun ends the job: no hang
        }
        Assert.NotEqual(0, ended.Code);
        Assert.Contains("rank 1", ended.Err);
        Assert.Contains("signal 9", ended.Err);                  // mpirun's own report of the dead rank
        Assert.Contains("descent: rank 0 of 2: SIGTERM received", ended.Err); // and the survivor's
        var saved = CheckpointFile.LoadLatest(run)!.RunStateAs<RunState>(); // intact
        Assert.InRange(saved.GlobalStep, 4, 31);
        Assert.False(File.Exists(Path.Combine(run, RunSummary.FileName)));

        var alone = CliRunner.Run(MpiJob.Args(run, "--resume"));
        Assert.Equal(2, alone.Code);
        Assert.Equal($"descent: error: {CheckpointFile.LatestPath(run)} was written by 2 processes and this run has 1 process; resume with the same number (mpirun -np 2), since the shards of every batch, and so the result, depend on it.",
            Assert.Single(alone.ErrLines));

        var resumed = MpiJob.Run(2, MpiJob.Args(run, "--resume"));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains($"step {saved.GlobalStep}", resumed.Out);
        TrainProcessTests.AssertSameFinalState(job.Straight, run);
    }

    [Fact]
    public void AHungRank_IsEndedByTheCollectiveTimeout()
    {
        if (MpiJob.Mpirun is null) { AssertSingleProcessFallback(); return; }
        string run = dir.File("hung");
        CliRunner.Outcome ended;
        using (var p = MpiJob.Start(2, MpiJob.Args(run, "--mpi-timeout", "3")))
        {
            WaitForCheckpoint(p, run);
            int victim = MpiJob.RankProcess(p, 1) ?? throw new InvalidOperationException("rank 1 not found");
            Assert.Equal(0, kill(victim, SigStop)); // alive but silent: mpirun alone would wait for ever
            ended = MpiJob.Collect(p, TimeSpan.FromSeconds(90));
        }
        Assert.NotEqual(0, ended.Code);
        Assert.Contains("descent: error: rank 0 of 2: an all-reduce", ended.Err);
        Assert.Contains("timeout 3 s); one of them has died or hangs, so this process ends the job.", ended.Err);
        Assert.Contains($"The last checkpoint, {CheckpointFile.LatestPath(run)}, is intact", ended.Err);
        Assert.NotNull(CheckpointFile.LoadLatest(run)!.RunStateAs<RunState>().Sampler);
    }

    private static void WaitForCheckpoint(Process p, string run)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(CheckpointFile.LatestPath(run)))
        {
            if (p.HasExited) throw new InvalidOperationException($"the job exited early ({p.ExitCode}): {p.StandardError.ReadToEnd()}");
            if (clock.Elapsed > TimeSpan.FromSeconds(120)) { p.Kill(true); throw new TimeoutException("no checkpoint after 120 s"); }
            Thread.Sleep(5);
        }
    }
}

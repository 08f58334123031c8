using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>One uninterrupted run of the arguments the process tests interrupt, made once.</summary>
public sealed class UninterruptedRun : IDisposable
{
    private readonly TempDirectory dir = new();

    /// <summary>Runs it.</summary>
    public UninterruptedRun()
    {
        Directory = dir.File("straight");
        var r = CliRunner.Run(TrainProcessTests.Args(Directory));
        Assert.True(r.Code == 0, r.Err);
    }

    /// <summary>Its run directory.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public void Dispose() => dir.Dispose();
}

/// <summary>
/// A real <c>descent train</c> process killed with SIGKILL (or interrupted with SIGINT) after its first
/// checkpoint, resumed with <c>--resume</c>, ends with exactly the parameters and optimizer state of an
/// uninterrupted run.
/// </summary>
public sealed class TrainProcessTests(UninterruptedRun straight) : IClassFixture<UninterruptedRun>, IDisposable
{
    private const int TotalSteps = 240; // 4 epochs of 60 steps
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    internal static string[] Args(string outDir, params string[] extra) =>
        ["train", "--problem", "deep_plain", "--optimizer", "adam", "--set", "lr=0.001", "--epochs", "4", "--batch-size", "32",
         "--limit-train", "1920", "--limit-eval", "300", "--checkpoint-every", "7", "--seed", "5", "--out", outDir, .. extra];

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SigInt = 2, SigTerm = 15;

    /// <summary>
    /// SIGINT (Ctrl-C), unless this process ignores it: a shell without job control starts background commands
    /// with SIGINT ignored, children inherit that, and .NET leaves an inherited ignored SIGINT ignored (as it
    /// should: the user asked for it). Then SIGTERM, which the command handles the same way.
    /// </summary>
    private static int InterruptSignal()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        bool ignored = line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
        return ignored ? SigTerm : SigInt;
    }

    /// <summary>Starts the run in a child process and returns once its first checkpoint exists.</summary>
    private static Process StartAndWaitForCheckpoint(string run)
    {
        var p = CliRunner.Start(Args(run));
        var clock = Stopwatch.StartNew();
        string latest = CheckpointFile.LatestPath(run);
        while (!File.Exists(latest))
        {
            if (p.HasExited) throw new InvalidOperationException($"descent exited early ({p.ExitCode}): {p.StandardError.ReadToEnd()}");
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) { p.Kill(true); throw new TimeoutException("no checkpoint after 60 s"); }
            Thread.Sleep(2);
        }
        return p;
    }

    [Fact]
    public void KilledProcess_ResumesToTheSameBits()
    {
        string run = dir.File("killed");
        using (var p = StartAndWaitForCheckpoint(run))
        {
            p.Kill(); // SIGKILL: no chance to save anything more
            p.WaitForExit();
        }
        var saved = CheckpointFile.LoadLatest(run)!.RunStateAs<RunState>();
        Assert.InRange(saved.GlobalStep, 7, TotalSteps - 1); // killed mid-run, after at least one checkpoint
        Assert.False(File.Exists(Path.Combine(run, RunSummary.FileName)));

        var r = CliRunner.Run(Args(run, "--resume"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains($"step {saved.GlobalStep}", r.Out);
        AssertSameFinalState(straight.Directory, run);
    }

    [Fact]
    public async Task CtrlC_FinishesTheStep_SavesAndTellsHowToResume()
    {
        string run = dir.File("interrupted");
        string stdout;
        int code;
        using (var p = StartAndWaitForCheckpoint(run))
        {
            var output = p.StandardOutput.ReadToEndAsync();
            Assert.Equal(0, kill(p.Id, InterruptSignal()));
            Assert.True(p.WaitForExit(60_000));
            code = p.ExitCode;
            stdout = await output;
        }
        Assert.True(code == 130, $"exit code {code}, expected 130; output:\n{stdout}");
        Assert.Contains("Interrupted: interrupted after step", stdout);
        var resume = stdout.Split('\n').Single(l => l.StartsWith("Resume with: ", StringComparison.Ordinal))["Resume with: ".Length..];
        var saved = CheckpointFile.LoadLatest(run)!.RunStateAs<RunState>();
        Assert.InRange(saved.GlobalStep, 7, TotalSteps - 1);

        var args = resume.Split(' ')[1..]; // drop "descent"
        Assert.Equal([.. Args(run), "--resume"], args);
        var r = CliRunner.Run(args);
        Assert.True(r.Code == 0, r.Err);
        AssertSameFinalState(straight.Directory, run);
    }

    /// <summary>The final checkpoints of two run directories hold the same bits (parameters and optimizer
    /// state), the same metrics (but for wall-clock time) and the same final model file.</summary>
    internal static void AssertSameFinalState(string expectedDir, string actualDir)
    {
        var e = CheckpointFile.LoadLatest(expectedDir)!;
        var a = CheckpointFile.LoadLatest(actualDir)!;
        Assert.Equal(e.Parameters.Keys.Order(), a.Parameters.Keys.Order());
        foreach (var (k, t) in e.Parameters) Assert.True(Same(t, a.Parameters[k]), $"parameter {k} differs");
        Assert.Equal(e.Optimizer.Keys.Order(), a.Optimizer.Keys.Order());
        foreach (var (k, t) in e.Optimizer) Assert.True(Same(t, a.Optimizer[k]), $"optimizer tensor {k} differs");
        var es = e.RunStateAs<RunState>();
        var s = a.RunStateAs<RunState>();
        Assert.Equal(es.GlobalStep, s.GlobalStep);
        Assert.Equal(es.OptimizerScalars, s.OptimizerScalars);
        Assert.Equal(TrainingFixtures.WithoutTime(es.History), TrainingFixtures.WithoutTime(s.History));
        Assert.Equal(File.ReadAllBytes(Path.Combine(expectedDir, Trainer.ModelFileName)), File.ReadAllBytes(Path.Combine(actualDir, Trainer.ModelFileName)));
    }

    private static bool Same(Descent.Tensors.Tensor x, Descent.Tensors.Tensor y) =>
        x.DType == y.DType && x.Shape == y.Shape && (x.DType == Descent.Tensors.DType.Float32
            ? x.Floats.SequenceEqual(y.Floats) && TrainingFixtures.Bits(x).SequenceEqual(TrainingFixtures.Bits(y))
            : x.Doubles.ToArray().Select(BitConverter.DoubleToUInt64Bits).SequenceEqual(y.Doubles.ToArray().Select(BitConverter.DoubleToUInt64Bits)));
}

using System.Diagnostics;
using System.Globalization;
using Descent.Tests.Training;
using Descent.Training;
using Xunit.Abstractions;

namespace Descent.Tests.Cli;

/// <summary>
/// SIGKILL at random moments of a run that writes a checkpoint after every step (so that most of its time is
/// spent inside checkpoint writes): afterwards the run directory always holds a latest checkpoint that loads
/// and verifies, and so does the previous one when there is one (at an earlier step, or at the same one when
/// the kill fell between the two renames of a save). CI kills a few runs; scripts/kill-checkpoints.sh
/// kills 100 (<c>DESCENT_KILLS=100</c>) and prints "N/100 verifiable".
/// </summary>
public sealed class CheckpointKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string[] Args(string run) =>
        ["train", "--problem", "fmnist_logreg", "--optimizer", "adam", "--epochs", "1000", "--limit-train", "512", "--limit-eval", "100",
         "--batch-size", "8", "--checkpoint-every", "1", "--seed", "3", "--out", run];

    /// <summary>What one kill left behind.</summary>
    private sealed record KillOutcome(bool Verifiable, bool MidWrite, long Step, string Detail);

    /// <summary>Starts a run, waits for its first checkpoint, kills it after a random delay of up to
    /// <paramref name="maxDelayMs"/> and checks the directory.</summary>
    private static KillOutcome KillOnce(string run, Random rng, int maxDelayMs)
    {
        using (var p = CliRunner.Start(Args(run)))
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            string latest = CheckpointFile.LatestPath(run);
            while (!File.Exists(latest))
            {
                if (p.HasExited) throw new InvalidOperationException($"descent exited early ({p.ExitCode})");
                if (clock.Elapsed > TimeSpan.FromSeconds(120)) { p.Kill(true); throw new TimeoutException("no checkpoint after 120 s"); }
                Thread.Sleep(1);
            }
            Thread.Sleep(rng.Next(maxDelayMs + 1));
            if (p.HasExited) throw new InvalidOperationException($"descent exited before the kill ({p.ExitCode})");
            p.Kill(); // SIGKILL
            p.WaitForExit();
        }
        bool midWrite = AtomicFile.StaleTemporaries(CheckpointFile.LatestPath(run)).Length > 0
            || AtomicFile.StaleTemporaries(CheckpointFile.PreviousPath(run)).Length > 0;
        try
        {
            var c = CheckpointFile.LoadLatest(run) ?? throw new DataFormatException($"{run}: no {CheckpointFile.LatestFileName}");
            if (!c.Verified) throw new DataFormatException($"{c.Source}: not verified");
            long step = c.RunStateAs<RunState>().GlobalStep;
            if (File.Exists(CheckpointFile.PreviousPath(run)))
            {
                var prev = CheckpointFile.Load(CheckpointFile.PreviousPath(run));
                long prevStep = prev.RunStateAs<RunState>().GlobalStep;
                if (!prev.Verified || prevStep > step) throw new DataFormatException($"previous checkpoint at step {prevStep}, latest at {step}");
            }
            return new KillOutcome(true, midWrite, step, "");
        }
        catch (DataFormatException e)
        {
            return new KillOutcome(false, midWrite, -1, e.Message);
        }
    }

    [Fact]
    public void KilledWhileCheckpointing_LeavesAVerifiableCheckpoint()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("DESCENT_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 3;
        var rng = new Random(20240601);
        var outcomes = new List<KillOutcome>();
        for (int i = 0; i < kills; i++)
        {
            var o = KillOnce(dir.File($"run{i}"), rng, maxDelayMs: 1000);
            outcomes.Add(o);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kill {i + 1}: {(o.Verifiable ? $"verifiable, latest at step {o.Step}" : "NOT verifiable: " + o.Detail)}{(o.MidWrite ? " (killed inside a write: a temporary file was left)" : "")}"));
            Directory.Delete(dir.File($"run{i}"), recursive: true);
        }
        int ok = outcomes.Count(o => o.Verifiable);
        output.WriteLine($"{ok}/{kills} verifiable ({outcomes.Count(o => o.MidWrite)} kills landed inside a checkpoint write)");
        Assert.Equal(kills, ok);
    }
}

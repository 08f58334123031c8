using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>
/// A damaged checkpoint is never resumed from: every single damaged byte of a real run's checkpoint is
/// detected, <c>descent train --resume</c> refuses it with one line (exit code 2) that names the file and
/// the damaged part and offers the previous checkpoint, and <c>--resume-from</c> that checkpoint continues
/// the run to exactly the state of an uninterrupted one.
/// </summary>
public sealed class DamagedCheckpointTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string[] Args(string outDir, params string[] extra) =>
        ["train", "--problem", "two_layer_tanh", "--optimizer", "momentum", "--set", "lr=0.05", "--epochs", "20", "--out", outDir, .. extra];

    /// <summary>A run paused after 13 steps (one step per epoch): checkpoint.safetensors at step 13, checkpoint-prev at step 12.</summary>
    private string Paused(string name)
    {
        string run = dir.File(name);
        var r = CliRunner.Run(Args(run, "--max-steps", "13"));
        Assert.True(r.Code == 0, r.Err);
        return run;
    }

    private static void Damage(string path, int at, byte mask)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[at] ^= mask;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Every byte of the file is damaged in turn, each with one of the eight single-bit flips or 0xFF
    /// (cycling, so every bit position is hit throughout the file); with <c>DESCENT_FUZZ=long</c> every byte
    /// gets all nine.</summary>
    [Fact]
    public void EveryFlippedByte_OfARunsCheckpoint_IsDetected()
    {
        string run = Paused("exhaustive");
        string latest = CheckpointFile.LatestPath(run);
        byte[] good = File.ReadAllBytes(latest);
        Assert.True(CheckpointFile.Load(latest).Verified);
        string path = dir.File("flipped.safetensors");
        byte[] masks = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF];
        int detected = 0;
        using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite))
        {
            file.Write(good);
            file.Flush();
            bool all = Environment.GetEnvironmentVariable("DESCENT_FUZZ") == "long";
            for (int at = 0; at < good.Length; at++)
            {
                foreach (byte mask in all ? masks : [masks[at % masks.Length]])
                {
                    file.Position = at;
                    file.WriteByte((byte)(good[at] ^ mask));
                    file.Flush();
                    var e = Record.Exception(() => CheckpointFile.Load(path));
                    Assert.True(e is DataFormatException, $"byte {at} ^ 0x{mask:x2}: {(e is null ? "accepted" : e.GetType().Name + ": " + e.Message)}");
                    Assert.StartsWith(path + ": ", e!.Message);
                    detected++;
                }
                file.Position = at;
                file.WriteByte(good[at]);
            }
        }
        Assert.Equal(good.Length * (Environment.GetEnvironmentVariable("DESCENT_FUZZ") == "long" ? masks.Length : 1), detected);
    }

    [Fact]
    public void Resume_RefusesADamagedCheckpoint_AndOffersThePreviousOne()
    {
        string run = Paused("offer");
        string latest = CheckpointFile.LatestPath(run), previous = CheckpointFile.PreviousPath(run);
        byte[] good = File.ReadAllBytes(latest);
        // Positions spread over the whole file: the size prefix, the header, the run state, the data area.
        for (int at = 0; at < good.Length; at += good.Length / 23)
        {
            File.WriteAllBytes(latest, good);
            Damage(latest, at, 0x10);
            var r = CliRunner.Run(Args(run, "--resume"));
            Assert.True(r.Code == 2, $"byte {at}: exit {r.Code}, {r.Err}");
            Assert.Single(r.ErrLines);
            Assert.StartsWith($"descent: error: {latest}: ", r.Err);
            Assert.Contains($"the earlier checkpoint {previous} (step 12) verifies: resume from it with --resume-from {previous}", r.Err);
        }
        File.WriteAllBytes(latest, good);
        Damage(latest, good.Length - 3, 0x01); // the last tensor's data
        var last = CliRunner.Run(Args(run, "--resume"));
        Assert.Matches("tensor '[^']+' is damaged: its bytes do not match the CRC-32", last.Err);
    }

    [Fact]
    public void ResumeFromThePreviousCheckpoint_EndsAsAStraightRunDoes()
    {
        string straight = dir.File("straight");
        Assert.Equal(0, CliRunner.Run(Args(straight)).Code);
        string run = Paused("recover");
        string latest = CheckpointFile.LatestPath(run), previous = CheckpointFile.PreviousPath(run);
        Damage(latest, File.ReadAllBytes(latest).Length / 2, 0x04);

        var r = CliRunner.Run(Args(run, "--resume-from", previous));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("resuming", r.Out);
        Assert.Contains("step 12", r.Out);
        Assert.Contains($"moved the damaged {latest} to {Path.Combine(run, ResumeCheckpoint.DamagedFileName)}", r.Out);
        TrainProcessTests.AssertSameFinalState(straight, run);
        Assert.True(CheckpointFile.Load(previous).Verified); // the damaged file was not rotated into checkpoint-prev
    }

    [Fact]
    public void BothCheckpointsDamaged_SaysSo()
    {
        string run = Paused("both");
        string latest = CheckpointFile.LatestPath(run), previous = CheckpointFile.PreviousPath(run);
        Damage(latest, 100, 0x01);
        Damage(previous, File.ReadAllBytes(previous).Length - 1, 0x01);
        var r = CliRunner.Run(Args(run, "--resume"));
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains("no earlier checkpoint verifies (checkpoint-prev.safetensors is damaged too); start the run over with --overwrite", r.Err);

        var from = CliRunner.Run(Args(run, "--resume-from", previous));
        Assert.Equal(2, from.Code);
        Assert.StartsWith($"descent: error: {previous}: tensor '", from.Err);
    }

    [Fact]
    public void LegacyCheckpointWithoutChecksums_ResumesWithAWarning()
    {
        string straight = dir.File("straight");
        Assert.Equal(0, CliRunner.Run(Args(straight)).Code);
        string run = Paused("legacy");
        string latest = CheckpointFile.LatestPath(run);
        // Rewrite the checkpoint as the previous layout wrote it: the same tensors and metadata, no checksums.
        var (tensors, meta) = Safetensors.Read(latest);
        meta[CheckpointFile.FormatKey] = CheckpointFile.LegacyFormatVersion;
        Safetensors.Write(latest, [.. tensors.Select(kv => (kv.Key, kv.Value))], meta, checksums: false);
        Assert.False(CheckpointFile.Load(latest).Verified);

        var r = CliRunner.Run(Args(run, "--resume"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains($"warning: {latest} records no checksums", r.Out);
        TrainProcessTests.AssertSameFinalState(straight, run);
        Assert.True(CheckpointFile.Load(latest).Verified);
    }

    [Fact]
    public void CurrentLayoutWithoutChecksums_IsRefused()
    {
        string run = Paused("stripped");
        string latest = CheckpointFile.LatestPath(run);
        var (tensors, meta) = Safetensors.Read(latest);
        Safetensors.Write(latest, [.. tensors.Select(kv => (kv.Key, kv.Value))], meta, checksums: false);
        var r = CliRunner.Run(Args(run, "--resume"));
        Assert.Equal(2, r.Code);
        Assert.Contains("records no checksums, though every 'checkpoint-2' checkpoint has them", r.Err);
    }

    [Fact]
    public void ResumeCommand_DropsResumeFrom() =>
        Assert.Equal("descent train --out d --resume",
            Descent.Cli.Commands.TrainCommand.ResumeCommand(["train", "--out", "d", "--resume-from", "d/checkpoint-prev.safetensors"]));
}

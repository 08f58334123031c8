using System.Globalization;
using System.Text.RegularExpressions;

namespace Descent.Training;

/// <summary>
/// Chooses and loads the checkpoint a run resumes from (<c>descent train --resume</c> or
/// <c>--resume-from FILE</c>). A damaged latest checkpoint is refused with one message that names the file
/// and the damaged tensor (or part of the header) and offers the newest earlier checkpoint that verifies —
/// <see cref="CheckpointFile.PreviousFileName"/>, then the kept epoch checkpoints — with the option that
/// resumes from it. A checkpoint that records no checksums (written before Descent recorded them) is
/// accepted with a warning.
/// </summary>
public static partial class ResumeCheckpoint
{
    /// <summary>The name a damaged latest checkpoint is moved to when the run resumes from another file,
    /// so that the next save does not rotate it into <see cref="CheckpointFile.PreviousFileName"/>.</summary>
    public const string DamagedFileName = "checkpoint-damaged.safetensors";

    /// <summary>
    /// The checkpoint to resume the run in <paramref name="runDirectory"/> from: <paramref name="resumeFrom"/>
    /// when given, else the directory's latest. Warnings and notes go to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">There is no such checkpoint.</exception>
    /// <exception cref="DataFormatException">The checkpoint is unreadable or damaged; for the latest one, the
    /// message offers the newest earlier checkpoint that verifies.</exception>
    public static Checkpoint Load(string runDirectory, string? resumeFrom, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        string latest = CheckpointFile.LatestPath(runDirectory);
        Checkpoint checkpoint;
        if (resumeFrom is null)
        {
            if (!File.Exists(latest))
                throw new ConfigurationException($"--resume: {runDirectory} holds no checkpoint ({CheckpointFile.LatestFileName}); "
                    + (Earlier(runDirectory, latest) is { } earlier ? $"{earlier.Path} exists: resume from it with --resume-from {earlier.Path}." : "start the run without --resume."));
            try
            {
                checkpoint = CheckpointFile.Load(latest);
            }
            catch (DataFormatException e)
            {
                throw new DataFormatException($"{e.Message}; {Offer(runDirectory, latest)}", e);
            }
        }
        else
        {
            if (!File.Exists(resumeFrom)) throw new ConfigurationException($"--resume-from: {resumeFrom} does not exist.");
            checkpoint = CheckpointFile.Load(resumeFrom);
            if (!SameFile(resumeFrom, latest) && File.Exists(latest) && !Verifies(latest))
            {
                string damaged = Path.Combine(runDirectory, DamagedFileName);
                File.Move(latest, damaged, overwrite: true);
                output.WriteLine($"note: moved the damaged {latest} to {damaged}; the run continues from {resumeFrom}.");
            }
        }
        if (!checkpoint.Verified)
            output.WriteLine($"warning: {checkpoint.Source} records no checksums (it was written before Descent recorded them), so it cannot be verified; the next checkpoint will have them.");
        return checkpoint;
    }

    /// <summary>What to do instead of resuming from the damaged <paramref name="damaged"/>: resume from the
    /// newest earlier checkpoint of <paramref name="runDirectory"/> that verifies, or start over.</summary>
    public static string Offer(string runDirectory, string damaged)
    {
        var tried = new List<string>();
        foreach (var path in Candidates(runDirectory, damaged))
        {
            try
            {
                var c = CheckpointFile.Load(path);
                return $"the earlier checkpoint {path} ({Describe(c)}) verifies: resume from it with --resume-from {path}";
            }
            catch (DataFormatException)
            {
                tried.Add(Path.GetFileName(path));
            }
        }
        return tried.Count == 0
            ? $"there is no earlier checkpoint ({CheckpointFile.PreviousFileName} is missing); start the run over with --overwrite"
            : $"no earlier checkpoint verifies ({string.Join(", ", tried)} {(tried.Count == 1 ? "is" : "are")} damaged too); start the run over with --overwrite";
    }

    private static (string Path, Checkpoint Checkpoint)? Earlier(string runDirectory, string latest)
    {
        foreach (var path in Candidates(runDirectory, latest))
        {
            try
            {
                return (path, CheckpointFile.Load(path));
            }
            catch (DataFormatException)
            {
            }
        }
        return null;
    }

    /// <summary>The previous checkpoint, then the kept epoch checkpoints from the newest epoch down.</summary>
    private static IEnumerable<string> Candidates(string runDirectory, string except)
    {
        var previous = CheckpointFile.PreviousPath(runDirectory);
        if (File.Exists(previous) && !SameFile(previous, except)) yield return previous;
        if (!Directory.Exists(runDirectory)) yield break;
        var epochs = Directory.GetFiles(runDirectory, "checkpoint-epoch*.safetensors")
            .Select(f => (File: f, Match: EpochFile().Match(Path.GetFileName(f))))
            .Where(x => x.Match.Success)
            .OrderByDescending(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture));
        foreach (var (file, _) in epochs)
            if (!SameFile(file, except)) yield return file;
    }

    private static string Describe(Checkpoint c)
    {
        try
        {
            var s = c.RunStateAs<RunState>();
            return string.Create(CultureInfo.InvariantCulture, $"step {s.GlobalStep}");
        }
        catch (DataFormatException)
        {
            return "no run state";
        }
    }

    private static bool Verifies(string path)
    {
        try
        {
            CheckpointFile.Load(path);
            return true;
        }
        catch (DataFormatException)
        {
            return false;
        }
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    [GeneratedRegex(@"^checkpoint-epoch([0-9]{1,9})\.safetensors$")]
    private static partial Regex EpochFile();
}

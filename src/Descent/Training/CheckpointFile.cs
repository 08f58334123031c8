using System.Globalization;
using System.Text.Json;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// Saves and loads <see cref="Checkpoint"/>s as safetensors files (see <see cref="Safetensors"/>):
/// model tensors are named <c>param/&lt;name&gt;</c>, optimizer tensors <c>optim/&lt;name&gt;</c>, and the
/// metadata holds <c>format: pt</c> (what PyTorch-side loaders expect), <see cref="FormatKey"/>, the
/// run state JSON under <see cref="RunStateKey"/>, the caller's own keys, and the CRC-32 checksums of
/// <see cref="SafetensorsChecksums"/> (of each tensor, of the run state and of the header), verified by
/// <see cref="Load"/>. Files are replaced atomically. In a run directory the latest checkpoint is
/// <see cref="LatestFileName"/> and the one before it <see cref="PreviousFileName"/>; per-epoch copies
/// <c>checkpoint-epoch&lt;N&gt;.safetensors</c> are kept on request.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Prefix of model tensors.</summary>
    public const string ParameterPrefix = "param/";

    /// <summary>Prefix of optimizer-state tensors.</summary>
    public const string OptimizerPrefix = "optim/";

    /// <summary>Metadata key of the run state JSON.</summary>
    public const string RunStateKey = "descent.run_state";

    /// <summary>Metadata key that marks a Descent checkpoint and its layout version.</summary>
    public const string FormatKey = "descent.format";

    /// <summary>The layout version written and read by this code: the tensors and run state of
    /// <see cref="LegacyFormatVersion"/>, always with the checksums of <see cref="SafetensorsChecksums"/>.</summary>
    public const string FormatVersion = "checkpoint-2";

    /// <summary>The layout written before checksums were recorded. Such files are still read (a run started
    /// by an older Descent can be resumed), with <see cref="Checkpoint.Verified"/> false.</summary>
    public const string LegacyFormatVersion = "checkpoint-1";

    /// <summary>The metadata key PyTorch-side loaders check (value <c>pt</c>).</summary>
    public const string FrameworkKey = "format";

    /// <summary>File name of the latest checkpoint in a run directory.</summary>
    public const string LatestFileName = "checkpoint.safetensors";

    /// <summary>File name of the checkpoint before the latest one in a run directory (the last two are kept).</summary>
    public const string PreviousFileName = "checkpoint-prev.safetensors";

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically, with the checksums
    /// of <see cref="SafetensorsChecksums"/>.</summary>
    /// <exception cref="ArgumentException">A tensor name is empty, or the metadata uses a reserved key.</exception>
    public static void Save(string path, Checkpoint checkpoint)
    {
        var (tensors, metadata) = Content(checkpoint);
        Safetensors.Write(path, tensors, metadata);
    }

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically; the file it replaces
    /// becomes <paramref name="previousPath"/> (see <see cref="AtomicFile.Write(string, Action{Stream}, string?)"/>).</summary>
    /// <exception cref="ArgumentException">A tensor name is empty, or the metadata uses a reserved key.</exception>
    public static void Save(string path, Checkpoint checkpoint, string previousPath)
    {
        var (tensors, metadata) = Content(checkpoint);
        Safetensors.Write(path, previousPath, tensors, metadata);
    }

    private static (List<(string, Tensor)> Tensors, Dictionary<string, string> Metadata) Content(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var tensors = new List<(string, Tensor)>(checkpoint.Parameters.Count + checkpoint.Optimizer.Count);
        foreach (var (n, t) in checkpoint.Parameters) tensors.Add((ParameterPrefix + NonEmpty(n), t));
        foreach (var (n, t) in checkpoint.Optimizer) tensors.Add((OptimizerPrefix + NonEmpty(n), t));
        var metadata = new Dictionary<string, string> { [FrameworkKey] = "pt", [FormatKey] = FormatVersion };
        if (checkpoint.RunState is not null) metadata[RunStateKey] = checkpoint.RunState;
        foreach (var (k, v) in checkpoint.Metadata)
        {
            if (k is FrameworkKey or FormatKey or RunStateKey)
                throw new ArgumentException($"Metadata key '{k}' is reserved by the checkpoint format; choose another name.", nameof(checkpoint));
            metadata[k] = v;
        }
        return (tensors, metadata);
    }

    /// <summary>
    /// Reads a checkpoint and verifies its checksums (<see cref="Checkpoint.Verified"/>). A checkpoint of the
    /// older layout <see cref="LegacyFormatVersion"/>, written before checksums, is read unverified. A
    /// safetensors file written elsewhere (without <see cref="FormatKey"/>) is accepted too, verified only
    /// if it records checksums: its tensors without a <c>param/</c> or <c>optim/</c> prefix count as model
    /// tensors under their own names, and all its metadata is kept.
    /// </summary>
    /// <exception cref="DataFormatException">The file is unreadable, corrupt, damaged (a checksum does not
    /// match: the message names the tensor or the part of the header), of a newer layout, or its run state
    /// is not valid JSON.</exception>
    public static Checkpoint Load(string path)
    {
        var (tensors, metadata, verified) = Safetensors.Read(path);
        bool ours = metadata.TryGetValue(FormatKey, out var version);
        if (ours && version != FormatVersion && version != LegacyFormatVersion)
            throw new DataFormatException($"{path}: checkpoint layout '{version}' is not supported; this version of Descent reads '{FormatVersion}' and '{LegacyFormatVersion}'");
        if (ours && version == FormatVersion && !verified)
            throw new DataFormatException($"{path}: the file records no checksums, though every '{FormatVersion}' checkpoint has them: it was damaged or edited by another program");
        var parameters = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in tensors)
        {
            if (name.StartsWith(ParameterPrefix, StringComparison.Ordinal)) parameters[name[ParameterPrefix.Length..]] = t;
            else if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) optimizer[name[OptimizerPrefix.Length..]] = t;
            else if (!ours) parameters[name] = t;
            else throw new DataFormatException($"{path}: tensor '{name}' has neither the '{ParameterPrefix}' nor the '{OptimizerPrefix}' prefix of a Descent checkpoint");
        }
        metadata.Remove(RunStateKey, out var runState);
        if (runState is not null)
        {
            try
            {
                using var _ = JsonDocument.Parse(runState);
            }
            catch (JsonException e)
            {
                throw new DataFormatException($"{path}: the run state ('{RunStateKey}') is not valid JSON: {e.Message}", e);
            }
        }
        if (ours)
        {
            metadata.Remove(FormatKey);
            metadata.Remove(FrameworkKey);
        }
        return new Checkpoint
        {
            Parameters = parameters,
            Optimizer = optimizer,
            RunState = runState,
            Metadata = metadata,
            Source = path,
            Verified = verified,
        };
    }

    /// <summary>The path of the latest checkpoint in <paramref name="runDirectory"/>.</summary>
    public static string LatestPath(string runDirectory) => Path.Combine(runDirectory, LatestFileName);

    /// <summary>The path of the checkpoint before the latest in <paramref name="runDirectory"/>.</summary>
    public static string PreviousPath(string runDirectory) => Path.Combine(runDirectory, PreviousFileName);

    /// <summary>The path of the checkpoint kept for <paramref name="epoch"/> in <paramref name="runDirectory"/>.</summary>
    public static string EpochPath(string runDirectory, int epoch) =>
        Path.Combine(runDirectory, string.Create(CultureInfo.InvariantCulture, $"checkpoint-epoch{epoch}.safetensors"));

    /// <summary>
    /// Saves <paramref name="checkpoint"/> as the latest checkpoint of <paramref name="runDirectory"/>
    /// (created if missing); the latest one so far becomes <see cref="PreviousFileName"/>, so the last two are
    /// kept, and a complete latest checkpoint exists at every instant. Also saves the epoch's own file when
    /// <paramref name="keepEpoch"/> is given. Temporary files left by an earlier interrupted save are removed
    /// first. Returns the latest checkpoint's path.
    /// </summary>
    public static string SaveLatest(string runDirectory, Checkpoint checkpoint, int? keepEpoch = null)
    {
        Directory.CreateDirectory(runDirectory);
        string latest = LatestPath(runDirectory), previous = PreviousPath(runDirectory);
        AtomicFile.DeleteStaleTemporaries(latest);
        AtomicFile.DeleteStaleTemporaries(previous);
        if (keepEpoch is int epoch)
        {
            string kept = EpochPath(runDirectory, epoch);
            AtomicFile.DeleteStaleTemporaries(kept);
            Save(kept, checkpoint);
        }
        Save(latest, checkpoint, previous);
        return latest;
    }

    /// <summary>The latest checkpoint of <paramref name="runDirectory"/>, or null when it has none.</summary>
    /// <exception cref="DataFormatException">The latest checkpoint exists but cannot be read.</exception>
    public static Checkpoint? LoadLatest(string runDirectory)
    {
        string latest = LatestPath(runDirectory);
        return File.Exists(latest) ? Load(latest) : null;
    }

    private static string NonEmpty(string name) =>
        string.IsNullOrEmpty(name) ? throw new ArgumentException("A checkpoint tensor name is empty.", nameof(name)) : name;
}

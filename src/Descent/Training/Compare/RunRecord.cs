using System.Globalization;
using System.Text.Json;

namespace Descent.Training.Compare;

/// <summary>
/// A training run as its directory records it: the epochs of <c>metrics.csv</c> and the outcome in
/// <c>summary.json</c> (status, final metrics, steps, time, data). A run still in progress has metrics but no
/// summary (<see cref="Status"/> <c>running</c>). Comparisons, reports and the live view all read runs this way.
/// </summary>
/// <param name="Directory">The run directory.</param>
/// <param name="Status">completed, stopped, halted, paused, interrupted, or running (no summary yet).</param>
/// <param name="Message">Why it stopped, or null.</param>
/// <param name="History">The epochs so far.</param>
/// <param name="Summary">The parsed <c>summary.json</c>, or null.</param>
public sealed record RunRecord(string Directory, string Status, string? Message, IReadOnlyList<EpochMetrics> History, JsonElement? Summary)
{
    /// <summary>True if the directory holds a run (a <c>metrics.csv</c> or a <c>summary.json</c>).</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, MetricsCsv.FileName)) || File.Exists(Path.Combine(directory, RunSummary.FileName));

    /// <summary>Reads the run in <paramref name="directory"/>.</summary>
    /// <exception cref="DataFormatException">A file is malformed.</exception>
    public static RunRecord Load(string directory)
    {
        string metrics = Path.Combine(directory, MetricsCsv.FileName), summary = Path.Combine(directory, RunSummary.FileName);
        var history = File.Exists(metrics) ? ReadMetrics(metrics) : [];
        JsonElement? root = null;
        if (File.Exists(summary))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(summary));
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new DataFormatException($"{summary}: not valid JSON ({e.Message}).");
            }
        }
        string status = root is { } r && r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "running";
        string? message = root is { } r2 && r2.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return new RunRecord(directory, status, message, history, root);
    }

    /// <summary>Reads a <c>metrics.csv</c> (the header of <see cref="MetricsCsv.Header"/>; empty cells are NaN).</summary>
    /// <exception cref="DataFormatException">Another header, or a row that is not numbers.</exception>
    public static IReadOnlyList<EpochMetrics> ReadMetrics(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || lines[0].Trim() != MetricsCsv.Header)
            throw new DataFormatException($"{path}: expected the header '{MetricsCsv.Header}'.");
        var rows = new List<EpochMetrics>();
        for (int i = 1; i < lines.Length; i++)
        {
            var c = lines[i].Split(',');
            if (c.Length != 9) throw new DataFormatException($"{path}, line {i + 1}: expected 9 values, found {c.Length}.");
            double D(int k) => c[k].Length == 0 ? double.NaN
                : double.TryParse(c[k], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new DataFormatException($"{path}, line {i + 1}: '{c[k]}' is not a number.");
            rows.Add(new EpochMetrics((int)D(0), (long)D(1), D(2), D(3), D(4), D(5), D(6), D(7), D(8)));
        }
        return rows;
    }

    /// <summary>A number of <c>summary.json</c> (NaN when absent or null).</summary>
    public double Number(string name) =>
        Summary is { } s && s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    /// <summary>A string of <c>summary.json</c>, or null.</summary>
    public string? Text(string name) =>
        Summary is { } s && s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Where the data came from (<c>summary.json</c>'s <c>data.source</c>), or null.</summary>
    public string? DataSource => Summary is { } s && s.TryGetProperty("data", out var d) && d.TryGetProperty("source", out var v) ? v.GetString() : null;

    /// <summary>True if the run used the bundled sample.</summary>
    public bool IsSample => Summary is { } s && s.TryGetProperty("data", out var d) && d.TryGetProperty("is_sample", out var v) && v.ValueKind == JsonValueKind.True;

    /// <summary>The final model's test accuracy (NaN for regression or an unfinished run).</summary>
    public double TestAccuracy => Number("test_accuracy");

    /// <summary>The final model's test loss.</summary>
    public double TestLoss => Number("test_loss");

    /// <summary>Wall-clock seconds of the run (the summary's, else the last epoch's).</summary>
    public double Seconds => Summary is not null ? Number("seconds") : History.Count > 0 ? History[^1].Seconds : double.NaN;

    /// <summary>Optimizer steps taken.</summary>
    public long Steps => Summary is not null ? (long)Number("total_steps") : History.Count > 0 ? History[^1].Step : 0;

    /// <summary>True once the run ended for good (completed, stopped early or halted).</summary>
    public bool Finished => Status is "completed" or "stopped" or "halted";
}

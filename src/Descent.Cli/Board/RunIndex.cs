using System.Text.Json.Nodes;
using Descent.Cli.Experiments;
using Descent.Training;
using Descent.Training.Compare;

namespace Descent.Cli.Board;

/// <summary>
/// The runs under a directory, as the live view serves them: every directory (up to <see cref="MaxDepth"/> levels
/// down) holding a <c>metrics.csv</c>, a <c>summary.json</c> or a training <c>experiment.yaml</c>, read afresh on
/// every request so epochs appear as the trainer writes them. Run ids are paths relative to the root with '/';
/// nothing outside the root is ever read.
/// </summary>
public sealed class RunIndex(string root)
{
    /// <summary>How deep the index looks for runs.</summary>
    public const int MaxDepth = 6;

    /// <summary>The root directory (full path).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The run directories, sorted by id.</summary>
    public IReadOnlyList<string> Ids()
    {
        var ids = new List<string>();
        Walk(Root, 0, ids);
        return ids.Order(StringComparer.Ordinal).ToList();
    }

    private void Walk(string dir, int depth, List<string> ids)
    {
        if (IsRun(dir)) ids.Add(Id(dir));
        if (depth >= MaxDepth) return;
        string[] subs;
        try { subs = System.IO.Directory.GetDirectories(dir); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        foreach (var sub in subs)
            if (!Path.GetFileName(sub).StartsWith('.')) Walk(sub, depth + 1, ids);
    }

    private static bool IsRun(string dir) =>
        File.Exists(Path.Combine(dir, MetricsCsv.FileName)) || File.Exists(Path.Combine(dir, RunSummary.FileName))
        || (File.Exists(Path.Combine(dir, ExperimentWriter.FileName)) && File.ReadLines(Path.Combine(dir, ExperimentWriter.FileName)).Any(l => l.Trim() == "command: train"));

    private string Id(string dir) => dir == Root ? "." : Path.GetRelativePath(Root, dir).Replace('\\', '/');

    /// <summary>The directory of run <paramref name="id"/>, or null when the id is not a run under the root.</summary>
    public string? Directory(string id)
    {
        string full = Path.GetFullPath(Path.Combine(Root, id == "." ? "" : id));
        bool inside = full == Root || full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inside && System.IO.Directory.Exists(full) && IsRun(full) ? full : null;
    }

    /// <summary>A run's description: status, problem, optimizer and settings, epochs so far and planned, the last epoch.</summary>
    public JsonObject Describe(string id)
    {
        string dir = Directory(id) ?? throw new ArgumentException($"no run '{id}'", nameof(id));
        var record = Read(dir);
        var o = new JsonObject
        {
            ["id"] = id,
            ["status"] = record?.Status ?? "starting",
            ["epochs"] = record?.History.Count ?? 0,
        };
        var experiment = Experiment(dir);
        foreach (var key in new[] { "problem", "optimizer", "epochs", "seed" })
            if (experiment.TryGetValue(key, out var v)) o[key == "epochs" ? "planned_epochs" : key] = v;
        if (experiment.TryGetValue("set.lr", out var lr)) o["lr"] = lr;
        if (record?.Text("problem") is { } p) o["problem"] = p;
        if (record?.Text("optimizer") is { } opt) o["optimizer"] = opt;
        if (record is { History.Count: > 0 } r) o["last"] = Row(r.History[^1]);
        o["updated"] = File.Exists(Path.Combine(dir, MetricsCsv.FileName))
            ? File.GetLastWriteTimeUtc(Path.Combine(dir, MetricsCsv.FileName)).ToString("O") : null;
        return o;
    }

    /// <summary>A run's epochs: <c>{id, columns, rows}</c> with the columns of <c>metrics.csv</c> (null for missing values).</summary>
    public JsonObject Metrics(string id)
    {
        string dir = Directory(id) ?? throw new ArgumentException($"no run '{id}'", nameof(id));
        var rows = new JsonArray();
        foreach (var m in Read(dir)?.History ?? []) rows.Add(Row(m));
        return new JsonObject { ["id"] = id, ["columns"] = new JsonArray(MetricsCsv.Header.Split(',').Select(c => (JsonNode)c).ToArray()), ["rows"] = rows };
    }

    private static RunRecord? Read(string dir)
    {
        try { return RunRecord.Load(dir); }
        catch (DataFormatException) { return null; } // a file caught while being replaced: the next poll reads it
        catch (IOException) { return null; }
    }

    private static JsonArray Row(EpochMetrics m) => new(
        m.Epoch, m.Step, N(m.TrainLoss), N(m.ValLoss), N(m.ValAccuracy), N(m.TestLoss), N(m.TestAccuracy), N(m.LearningRate), N(m.Seconds));

    private static JsonNode? N(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    /// <summary>The scalar keys of a run's experiment file (nested ones as <c>set.lr</c>).</summary>
    private static Dictionary<string, string> Experiment(string dir)
    {
        var d = new Dictionary<string, string>();
        string path = Path.Combine(dir, ExperimentWriter.FileName);
        if (!File.Exists(path)) return d;
        try
        {
            foreach (var (k, v) in ExperimentFile.Load(path).Entries)
            {
                if (v is ExperimentValue.Scalar s) d[k] = s.Text;
                else if (v is ExperimentValue.Map m)
                    foreach (var (k2, v2) in m.Entries) if (v2 is ExperimentValue.Scalar s2) d[k + "." + k2] = s2.Text;
            }
        }
        catch (DescentException)
        {
        }
        return d;
    }
}

using System.Text.Json;

namespace Descent.Training.Compare;

/// <summary>
/// Reads a comparison back from its directory — <c>results.json</c> and the runs it names — without running
/// anything, so its report and figures can be written again (e.g. after other analyses added figures).
/// </summary>
public static class ResultReader
{
    /// <summary>The comparison in <paramref name="directory"/>.</summary>
    /// <exception cref="DataFormatException"><c>results.json</c> is missing or malformed, or names a missing run.</exception>
    public static ComparisonResult Load(string directory)
    {
        string path = Path.Combine(directory, ResultFiles.JsonFileName);
        if (!File.Exists(path)) throw new DataFormatException($"{directory} holds no {ResultFiles.JsonFileName}; it is not a finished comparison.");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var budget = root.GetProperty("budget");
            int? Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var template = new RunSpec
            {
                Problem = root.GetProperty("problem").GetString()!,
                Optimizer = "sgd",
                Epochs = Int(budget, "epochs"),
                BatchSize = Int(budget, "batch_size"),
                Seed = budget.TryGetProperty("first_seed", out var fs) ? fs.GetUInt64() : 0,
                LimitTrain = Int(budget, "limit_train"),
                LimitEval = Int(budget, "limit_eval"),
                Schedule = Str(budget, "schedule"),
                Monitor = Str(root, "validation_metric") ?? "val_loss",
            };
            var spec = new CompareSpec
            {
                Template = template,
                Seeds = Int(budget, "seeds") ?? 1,
                TuneEpochs = Int(budget, "search_epochs"),
                Grid = LearningRateGrid.Parse(Str(budget, "grid") ?? "none"),
                Target = Str(root, "target") is { } t ? Target.Parse(t) : null,
                Monitor = template.Monitor,
            };
            var outcomes = new List<OptimizerOutcome>();
            foreach (var o in root.GetProperty("optimizers").EnumerateArray())
            {
                string name = o.GetProperty("optimizer").GetString()!;
                var trials = o.GetProperty("search").EnumerateArray().Select(s => new TrialOutcome(
                    s.GetProperty("lr").GetDouble(), s.TryGetProperty("score", out var sc) && sc.ValueKind == JsonValueKind.Number ? sc.GetDouble() : double.NaN,
                    s.GetProperty("status").GetString()!, Path.Combine(directory, s.GetProperty("run").GetString()!))).ToList();
                var runs = o.GetProperty("runs").EnumerateArray().Select(r => Run(Path.Combine(directory, r.GetProperty("run").GetString()!))).ToList();
                var settings = o.GetProperty("settings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
                double? lr = o.TryGetProperty("lr", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : null;
                outcomes.Add(OptimizerOutcome.From(name, settings, lr, o.GetProperty("searched").GetBoolean(), trials, runs, spec));
            }
            double seconds = root.TryGetProperty("seconds", out var secs) && secs.ValueKind == JsonValueKind.Number ? secs.GetDouble() : double.NaN;
            return ComparisonResult.From(spec, outcomes, seconds);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException($"{path}: not a comparison's results ({e.Message}).");
        }
    }

    private static RunRecord Run(string dir) =>
        RunRecord.Exists(dir) ? RunRecord.Load(dir) : throw new DataFormatException($"{dir}: the run this comparison names is missing.");
}

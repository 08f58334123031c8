using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Descent.Training.Compare;

/// <summary>
/// Writes a comparison's <c>results.csv</c> (one row per optimizer: the chosen rate and the mean and standard
/// deviation over seeds of each measure, the best marked) and <c>results.json</c> (the same, plus the search
/// and every run).
/// </summary>
public static class ResultFiles
{
    /// <summary>The CSV file name.</summary>
    public const string CsvFileName = "results.csv";

    /// <summary>The JSON file name.</summary>
    public const string JsonFileName = "results.json";

    /// <summary>Writes both files into <paramref name="directory"/>.</summary>
    public static void Write(string directory, ComparisonResult result)
    {
        Save(Path.Combine(directory, CsvFileName), Csv(result));
        Save(Path.Combine(directory, JsonFileName), Json(result, directory));
    }

    private static void Save(string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The CSV header for <paramref name="result"/> (its metric names depend on the problem).</summary>
    public static string CsvHeader(ComparisonResult result) =>
        $"optimizer,lr,searched,seeds,final_train_loss_mean,final_train_loss_sd,best_{result.ValidationMetricName}_mean,best_{result.ValidationMetricName}_sd," +
        $"{result.TestMetric}_mean,{result.TestMetric}_sd,seconds_per_epoch,steps_to_target,seconds_to_target,reached_target,best";

    /// <summary>The CSV text.</summary>
    public static string Csv(ComparisonResult result)
    {
        var sb = new StringBuilder(CsvHeader(result)).Append('\n');
        foreach (var o in result.Optimizers)
        {
            sb.AppendJoin(',', o.Optimizer, N(o.LearningRate ?? double.NaN), o.Searched ? "true" : "false", o.Runs.Count.ToString(CultureInfo.InvariantCulture),
                N(o.FinalTrainLoss.Mean), N(o.FinalTrainLoss.Sd), N(o.BestValidation.Mean), N(o.BestValidation.Sd), N(o.Test.Mean), N(o.Test.Sd),
                N(o.SecondsPerEpoch.Mean), N(o.StepsToTarget.Mean), N(o.SecondsToTarget.Mean),
                $"{o.StepsToTarget.Count}/{o.Runs.Count}", o.Optimizer == result.Best ? "true" : "false").Append('\n');
        }
        return sb.ToString();
    }

    private static string N(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The JSON text; run directories are relative to <paramref name="directory"/>.</summary>
    public static string Json(ComparisonResult result, string directory)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var spec = result.Spec;
            var t = spec.Template;
            w.WriteStartObject();
            w.WriteString("problem", t.Problem);
            w.WriteString("best", result.Best);
            w.WriteString("test_metric", result.TestMetric);
            w.WriteString("validation_metric", result.ValidationMetricName);
            w.WriteStartObject("data");
            w.WriteString("source", result.DataSource);
            w.WriteBoolean("is_sample", result.IsSample);
            w.WriteEndObject();
            w.WriteStartObject("budget");
            w.WriteNumber("epochs", t.Epochs ?? 0);
            if (spec.TuneEpochs is int te) w.WriteNumber("search_epochs", te);
            w.WriteString("grid", spec.Grid.Text);
            w.WriteNumber("seeds", spec.Seeds);
            w.WriteNumber("first_seed", t.Seed);
            if (t.BatchSize is int b) w.WriteNumber("batch_size", b);
            if (t.LimitTrain is int lt) w.WriteNumber("limit_train", lt);
            if (t.LimitEval is int le) w.WriteNumber("limit_eval", le);
            w.WriteString("schedule", t.Schedule);
            w.WriteEndObject();
            w.WriteString("target", spec.Target?.ToString());
            Number(w, "seconds", result.Seconds);
            w.WriteStartArray("optimizers");
            foreach (var o in result.Optimizers) Outcome(w, o, directory);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void Outcome(Utf8JsonWriter w, OptimizerOutcome o, string directory)
    {
        w.WriteStartObject();
        w.WriteString("optimizer", o.Optimizer);
        Number(w, "lr", o.LearningRate ?? double.NaN);
        w.WriteBoolean("searched", o.Searched);
        w.WriteStartObject("settings");
        foreach (var (k, v) in o.Settings) w.WriteString(k, v);
        w.WriteEndObject();
        StatJson(w, "final_train_loss", o.FinalTrainLoss);
        StatJson(w, "best_validation", o.BestValidation);
        StatJson(w, "test", o.Test);
        StatJson(w, "seconds_per_epoch", o.SecondsPerEpoch);
        StatJson(w, "steps_to_target", o.StepsToTarget);
        StatJson(w, "seconds_to_target", o.SecondsToTarget);
        w.WriteStartArray("search");
        foreach (var t in o.Trials)
        {
            w.WriteStartObject();
            Number(w, "lr", t.LearningRate);
            Number(w, "score", t.Score);
            w.WriteString("status", t.Status);
            w.WriteString("run", Relative(directory, t.Directory));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("runs");
        foreach (var r in o.Runs)
        {
            w.WriteStartObject();
            w.WriteString("run", Relative(directory, r.Directory));
            Number(w, "seed", r.Number("seed"));
            w.WriteString("status", r.Status);
            Number(w, "final_train_loss", r.History.Count > 0 ? r.History[^1].TrainLoss : double.NaN);
            Number(w, "test_accuracy", r.TestAccuracy);
            Number(w, "test_loss", r.TestLoss);
            Number(w, "seconds", r.Seconds);
            w.WriteNumber("steps", r.Steps);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static void StatJson(Utf8JsonWriter w, string name, Stat s)
    {
        w.WriteStartObject(name);
        Number(w, "mean", s.Mean);
        Number(w, "sd", s.Sd);
        w.WriteNumber("count", s.Count);
        w.WriteNumber("of", s.Total);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double x)
    {
        if (double.IsFinite(x)) w.WriteNumber(name, x);
        else w.WriteNull(name);
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;

namespace Descent.Training;

/// <summary>
/// Writes a run's <c>summary.json</c>: what ran (problem, optimizer and every setting, schedule, seed,
/// epochs, batch size, sampler), on which data (the source, with the bundled-sample notice when it applies),
/// how it ended, the metrics of the final model at top level (<c>test_accuracy</c>, <c>test_loss</c>, …),
/// the last and the best epoch, steps (skipped ones counted), time and memory per step.
/// </summary>
public static class RunSummary
{
    /// <summary>The file name in a run directory.</summary>
    public const string FileName = "summary.json";

    /// <summary>Writes the summary of <paramref name="result"/> atomically.</summary>
    public static void Write(string runDirectory, TrainingResult result, TrainingContext context)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            WriteJson(w, result, context);
        var bytes = buffer.ToArray();
        AtomicFile.Write(Path.Combine(runDirectory, FileName), s => s.Write(bytes));
    }

    private static void WriteJson(Utf8JsonWriter w, TrainingResult result, TrainingContext context)
    {
        var spec = context.Options.Spec;
        var parts = context.Parts;
        var opt = parts.Optimizer;
        w.WriteStartObject();
        w.WriteString("status", result.Status.ToString().ToLowerInvariant());
        if (result.Message is not null) w.WriteString("message", result.Message);
        w.WriteString("problem", spec?.Problem);
        w.WriteString("optimizer", opt.Name);
        w.WriteStartObject("settings");
        foreach (var (k, v) in opt.Settings.All) w.WriteString(k, v);
        w.WriteEndObject();
        w.WriteString("schedule", opt.Schedule.Spec);
        if (spec is { Groups.Count: > 0 })
        {
            w.WriteStartArray("groups");
            foreach (var g in spec.Groups) w.WriteStringValue(g);
            w.WriteEndArray();
        }
        if (spec is not null) w.WriteNumber("l2", spec.L2);
        if (spec is { L2: > 0 }) w.WriteString("l2_on", spec.L2On ?? RunSpec.DefaultL2On);
        if (spec?.Recipe is { IsEmpty: false } recipe)
        {
            w.WriteStartObject("recipe");
            foreach (var (k, v) in recipe.Fields()) w.WriteString(k, v);
            w.WriteEndObject();
        }
        if (spec is not null) w.WriteNumber("seed", spec.Seed);
        else w.WriteNull("seed");
        w.WriteNumber("epochs", context.Epochs);
        w.WriteNumber("epochs_completed", result.History.Count);
        w.WriteNumber("batch_size", parts.Sampler.BatchSize(Math.Min(context.Epoch, Math.Max(0, context.Epochs - 1))));
        w.WriteString("sampler", parts.Sampler.Kind);
        w.WriteNumber("parameters", parts.Model.ParameterCount);

        w.WriteStartObject("data");
        w.WriteString("source", parts.Data.Source);
        w.WriteBoolean("is_sample", parts.Data.IsSample);
        if (parts.Data.IsSample) w.WriteString("sample_notice", $"Trained on the {parts.Data.Source}; results on the full data set differ.");
        w.WriteNumber("train", parts.Data.Train.Count);
        w.WriteNumber("validation", parts.Data.Validation.Count);
        w.WriteNumber("test", parts.Data.Test.Count);
        w.WriteEndObject();

        var report = result.Report;
        w.WriteString("monitor", result.Monitor.Name);
        if (result.RestoredEpoch is int re) w.WriteNumber("restored_best_epoch", re);
        w.WriteBoolean("evaluated_polyak_average", opt.Average is not null);
        Number(w, "train_loss", report?.TrainLoss);
        Number(w, "val_loss", report?.ValLoss);
        Number(w, "val_accuracy", report?.ValAccuracy);
        Number(w, "test_loss", report?.TestLoss);
        Number(w, "test_accuracy", report?.TestAccuracy);
        Row(w, "final", result.Final);
        Row(w, "best", result.Best);
        w.WriteNumber("total_steps", result.TotalSteps);
        w.WriteNumber("skipped_steps", result.SkippedSteps);
        Number(w, "last_gradient_norm", context.GlobalStep > 0 ? context.LastStep.Result.GradientNorm : null);
        Number(w, "seconds", result.Seconds);
        Number(w, "bytes_allocated_per_step", result.BytesAllocatedPerStep);
        w.WriteEndObject();
    }

    private static void Row(Utf8JsonWriter w, string name, EpochMetrics? m)
    {
        if (m is null) { w.WriteNull(name); return; }
        w.WriteStartObject(name);
        w.WriteNumber("epoch", m.Epoch);
        w.WriteNumber("step", m.Step);
        Number(w, "train_loss", m.TrainLoss);
        Number(w, "val_loss", m.ValLoss);
        Number(w, "val_accuracy", m.ValAccuracy);
        Number(w, "test_loss", m.TestLoss);
        Number(w, "test_accuracy", m.TestAccuracy);
        Number(w, "lr", m.LearningRate);
        Number(w, "seconds", m.Seconds);
        w.WriteEndObject();
    }

    /// <summary>A number, or null when missing or not finite (JSON has no NaN).</summary>
    private static void Number(Utf8JsonWriter w, string name, double? x)
    {
        if (x is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}

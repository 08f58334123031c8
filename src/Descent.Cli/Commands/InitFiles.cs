using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Descent.Cli.Plots;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Cli.Commands;

/// <summary>
/// The output directory of <c>descent init</c>: <c>layers.csv</c> (one row per layer and scheme),
/// <c>summary.json</c> (the setup and, per scheme, the ratios, worst units and verdict) and <c>signal.svg</c>
/// (variance per layer on a log scale: activations, back-propagated gradients and weight gradients, one line
/// per scheme).
/// </summary>
public static class InitFiles
{
    /// <summary>The per-layer CSV.</summary>
    public const string Layers = "layers.csv";

    /// <summary>The summary JSON.</summary>
    public const string Summary = "summary.json";

    /// <summary>The figure.</summary>
    public const string Plot = "signal.svg";

    /// <summary>The header of <see cref="Layers"/>.</summary>
    public const string CsvHeader =
        "scheme,layer,units,distinct_units,pre_mean,pre_var,act_mean,act_var,saturated,dead,act_grad_mean,act_grad_var,pre_grad_var,weight_grad_var";

    /// <summary>Writes the three files into <paramref name="directory"/> (created if needed).</summary>
    public static void Write(string directory, SignalProbeOptions setup, IReadOnlyList<(string Given, SignalReport Report)> reports)
    {
        OutputFile.Write(Path.Combine(directory, Layers), Csv(reports));
        OutputFile.Write(Path.Combine(directory, Summary), Json(setup, reports));
        Figure(setup, reports).Save(Path.Combine(directory, Plot));
    }

    private static string X(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>The CSV text.</summary>
    public static string Csv(IReadOnlyList<(string Given, SignalReport Report)> reports)
    {
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var (given, r) in reports)
            foreach (var l in r.Layers)
                sb.Append(Quote(given)).Append(',').Append(l.Index).Append(',').Append(l.Units).Append(',').Append(l.DistinctUnits).Append(',')
                  .AppendJoin(',', new[] { l.PreActivation.Mean, l.PreActivation.Variance, l.Activation.Mean, l.Activation.Variance, l.Saturated, l.Dead,
                      l.ActivationGradient.Mean, l.ActivationGradient.Variance, l.PreActivationGradient.Variance, l.WeightGradient.Variance }.Select(X))
                  .Append('\n');
        return sb.ToString();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>The JSON text.</summary>
    public static string Json(SignalProbeOptions setup, IReadOnlyList<(string Given, SignalReport Report)> reports)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("activation", setup.Activation);
            w.WriteNumber("depth", setup.Depth);
            w.WriteNumber("width", setup.Width);
            w.WriteNumber("batch", setup.Batch);
            w.WriteNumber("input_std", setup.InputStd);
            w.WriteString("bias", setup.BiasScheme);
            w.WriteNumber("seed", setup.Seed);
            w.WriteString("dtype", setup.DType == DType.Float64 ? "float64" : "float32");
            w.WriteString("backward", $"random output gradient: L = sum(h{setup.Depth} * R), R ~ N(0, 1)");
            w.WriteStartArray("schemes");
            foreach (var (given, r) in reports)
            {
                w.WriteStartObject();
                w.WriteString("scheme", given);
                w.WriteString("canonical", r.Scheme);
                Number(w, "activation_ratio", r.ActivationRatio);
                Number(w, "gradient_ratio", r.GradientRatio);
                Number(w, "weight_gradient_ratio", r.WeightGradientRatio);
                Number(w, "first_activation_var", r.Layers[0].Activation.Variance);
                Number(w, "last_activation_var", r.Layers[^1].Activation.Variance);
                Number(w, "max_saturated", r.MaxSaturated);
                Number(w, "max_dead", r.MaxDead);
                w.WriteNumber("min_distinct_units", r.MinDistinctUnits);
                w.WriteBoolean("weight_gradients_all_zero", r.WeightGradientsAllZero);
                w.WriteString("verdict", r.Verdict);
                w.WriteStartArray("findings");
                foreach (var f in r.Findings) w.WriteStringValue(f);
                w.WriteEndArray();
                if (r.Lsuv is { } lsuv)
                {
                    w.WriteStartArray("lsuv");
                    foreach (var l in lsuv)
                    {
                        w.WriteStartObject();
                        w.WriteString("layer", l.Name);
                        w.WriteNumber("iterations", l.Iterations);
                        Number(w, "initial_variance", l.InitialVariance);
                        Number(w, "variance", l.Variance);
                        w.WriteBoolean("converged", l.Converged);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The figure: three log-scale panels (Var(h), Var(∂L/∂h), Var(∂L/∂W) per layer), one line per scheme.</summary>
    public static Svg Figure(SignalProbeOptions setup, IReadOnlyList<(string Given, SignalReport Report)> reports)
    {
        LineChart Panel(string title, string y, Func<SignalLayer, double> value)
        {
            var chart = new LineChart { Title = title, XLabel = "layer", YLabel = y, LogY = true, IntegerX = true };
            foreach (var (given, r) in reports)
                chart.Series.Add(new Series(given, r.Layers.Select(l => ((double)l.Index, value(l))).ToList()));
            return chart;
        }
        string title = $"Signal propagation: {setup.Depth} {setup.Activation} layers of width {setup.Width} " +
                       $"(batch {setup.Batch}, inputs N(0, {InitTables.G(setup.InputStd)}²))";
        return LineChart.Figure(title,
        [
            Panel("activations", "Var(h)", l => l.Activation.Variance),
            Panel("back-propagated gradients", "Var(∂L/∂h)", l => l.ActivationGradient.Variance),
            Panel("weight gradients", "Var(∂L/∂W)", l => l.WeightGradient.Variance),
        ]);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Descent.Cli.Plots;
using Descent.Curvature;

namespace Descent.Cli.Commands;

/// <summary>
/// The output directory of <c>descent hessian</c>: <c>hessian.json</c> (settings and, per model, every result
/// with its product counts), <c>eigenvalues.csv</c>, <c>density.csv</c> and <c>blocks.csv</c> when computed, and
/// the figures <c>spectrum.svg</c>, <c>density.svg</c> and <c>blocks.svg</c> (one line per model, so two
/// checkpoints show how the spectrum changed).
/// </summary>
public static class HessianFiles
{
    /// <summary>The summary.</summary>
    public const string Summary = "hessian.json";

    /// <summary>The eigenvalues: <c>model,end,rank,value,residual,relative_residual,converged</c>.</summary>
    public const string Eigenvalues = "eigenvalues.csv";

    /// <summary>The densities: <c>model,lambda,density</c>.</summary>
    public const string Density = "density.csv";

    /// <summary>Per-layer spectra: <c>model,layer,parameters,end,rank,value,relative_residual</c>.</summary>
    public const string Blocks = "blocks.csv";

    /// <summary>The eigenvalue figure.</summary>
    public const string SpectrumPlot = "spectrum.svg";

    /// <summary>The density figure.</summary>
    public const string DensityPlot = "density.svg";

    /// <summary>The per-layer figure.</summary>
    public const string BlocksPlot = "blocks.svg";

    /// <summary>Writes the files and returns their names.</summary>
    public static IReadOnlyList<string> Write(string dir, string problem, string dtype, HessianSettings s, IReadOnlyList<HessianAnalysis> results)
    {
        var files = new AnalysisFiles(dir);
        void Put(string name, string text) => files.Put(name, text);
        Put(Summary, Json(problem, dtype, s, results));
        Put(Eigenvalues, EigenCsv(results));
        Put(SpectrumPlot, Spectrum(problem, s, results).ToString());
        if (results.Any(r => r.Density is not null))
        {
            Put(Density, DensityCsv(results));
            Put(DensityPlot, DensityFigure(problem, s, results).ToString());
        }
        if (results.Any(r => r.Blocks.Count > 0))
        {
            Put(Blocks, BlocksCsv(results));
            Put(BlocksPlot, BlocksFigure(problem, s, results).ToString());
        }
        return files.Names;
    }

    private static string X(double v) => AnalysisFiles.Cell(v);

    private static string Quote(string s) => AnalysisFiles.Cell(s);

    /// <summary>The eigenvalue CSV.</summary>
    public static string EigenCsv(IReadOnlyList<HessianAnalysis> results)
    {
        var sb = new StringBuilder("model,end,rank,value,residual,relative_residual,converged\n");
        foreach (var r in results)
            foreach (var (end, pairs) in new[] { ("top", r.Eigen.Largest), ("bottom", r.Eigen.Smallest) })
                for (int i = 0; i < pairs.Count; i++)
                    sb.Append(CultureInfo.InvariantCulture, $"{Quote(r.Label)},{end},{i + 1},{X(pairs[i].Value)},{X(pairs[i].Residual)},{X(pairs[i].RelativeResidual)},{(pairs[i].Converged ? 1 : 0)}\n");
        return sb.ToString();
    }

    private static string DensityCsv(IReadOnlyList<HessianAnalysis> results)
    {
        var sb = new StringBuilder("model,lambda,density\n");
        foreach (var r in results)
            if (r.Density is { } d)
                for (int i = 0; i < d.Grid.Length; i++) sb.Append(CultureInfo.InvariantCulture, $"{Quote(r.Label)},{X(d.Grid[i])},{X(d.Density[i])}\n");
        return sb.ToString();
    }

    private static string BlocksCsv(IReadOnlyList<HessianAnalysis> results)
    {
        var sb = new StringBuilder("model,layer,parameters,end,rank,value,relative_residual\n");
        foreach (var r in results)
            foreach (var (b, e) in r.Blocks)
                foreach (var (end, pairs) in new[] { ("top", e.Largest), ("bottom", e.Smallest) })
                    for (int i = 0; i < pairs.Count; i++)
                        sb.Append(CultureInfo.InvariantCulture, $"{Quote(r.Label)},{Quote(b.Name)},{b.Length},{end},{i + 1},{X(pairs[i].Value)},{X(pairs[i].RelativeResidual)}\n");
        return sb.ToString();
    }

    /// <summary>The largest |node| of a density's quadratures: the spectral radius as SLQ sees it.</summary>
    public static double MaxAbs(SpectralDensity d) => d.Rules.Max(r => r.Nodes.Max(Math.Abs));

    private static void Number(Utf8JsonWriter w, string name, double v) => AnalysisFiles.Number(w, name, v);

    private static void Eigen(Utf8JsonWriter w, string name, EigenResult e)
    {
        w.WriteStartObject(name);
        w.WriteString("method", e.Method);
        w.WriteNumber("iterations", e.Iterations);
        w.WriteNumber("products", e.Products);
        w.WriteBoolean("converged", e.Converged);
        w.WriteString("message", e.Message);
        Number(w, "tolerance", e.Tolerance);
        foreach (var (end, pairs) in new[] { ("top", e.Largest), ("bottom", e.Smallest) })
        {
            w.WriteStartArray(end);
            foreach (var p in pairs)
            {
                w.WriteStartObject();
                Number(w, "value", p.Value);
                Number(w, "residual", p.Residual);
                Number(w, "relative_residual", p.RelativeResidual);
                w.WriteBoolean("converged", p.Converged);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>The summary JSON.</summary>
    public static string Json(string problem, string dtype, HessianSettings s, IReadOnlyList<HessianAnalysis> results) => AnalysisFiles.Json(w =>
        {
            w.WriteString("problem", problem);
            w.WriteString("curvature", s.Kind.Name());
            w.WriteNumber("samples", s.Samples);
            w.WriteNumber("chunk", s.Chunk);
            w.WriteString("dtype", dtype);
            w.WriteNumber("seed", s.Seed);
            Number(w, "tolerance", s.Tolerance);
            w.WriteStartArray("models");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("model", r.Label);
                w.WriteNumber("parameters", r.Parameters);
                w.WriteNumber("products", r.Products);
                Eigen(w, "lanczos", r.Eigen);
                Number(w, "condition_number", r.Eigen.ConditionNumber);
                if (r.Power is { } p) Eigen(w, "power_iteration", p);
                if (r.Trace is { } t)
                {
                    w.WriteStartObject("trace");
                    Number(w, "estimate", t.Trace);
                    Number(w, "standard_error", t.StandardError);
                    Number(w, "lower", t.Lower);
                    Number(w, "upper", t.Upper);
                    Number(w, "confidence", t.Confidence);
                    w.WriteNumber("samples", t.Samples);
                    w.WriteNumber("products", t.Products);
                    w.WriteEndObject();
                }
                if (r.Density is { } d)
                {
                    w.WriteStartObject("density");
                    w.WriteNumber("probes", d.Probes);
                    w.WriteNumber("steps", d.Steps);
                    Number(w, "sigma", d.Sigma);
                    Number(w, "trace_estimate", d.Trace);
                    Number(w, "share_below_minus_1pct_of_max", d.CountBelow(-0.01 * MaxAbs(d)) / d.Dimension);
                    w.WriteNumber("products", d.Products);
                    w.WriteEndObject();
                }
                if (r.Blocks.Count > 0)
                {
                    w.WriteStartArray("blocks");
                    foreach (var (b, e) in r.Blocks)
                    {
                        w.WriteStartObject();
                        w.WriteString("layer", b.Name);
                        w.WriteNumber("parameters", b.Length);
                        Eigen(w, "lanczos", e);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                if (r.Critical is { } c)
                {
                    w.WriteStartObject("critical_point");
                    w.WriteString("kind", c.Kind.ToString().ToLowerInvariant());
                    w.WriteString("description", c.Describe());
                    Number(w, "gradient_norm", c.GradientNorm);
                    w.WriteBoolean("critical", c.IsCritical);
                    w.WriteNumber("negative", c.Negative);
                    w.WriteNumber("zero", c.Zero);
                    w.WriteNumber("positive", c.Positive);
                    w.WriteBoolean("exact_counts", c.Exact);
                    Number(w, "largest", c.Largest);
                    Number(w, "smallest", c.Smallest);
                    w.WriteNumber("products", c.Products);
                    w.WriteEndObject();
                }
                if (r.Pruning is { } pr)
                {
                    w.WriteStartObject("pruning");
                    Number(w, "fraction", pr.Fraction);
                    w.WriteNumber("pruned", pr.Pruned);
                    w.WriteNumber("candidates", pr.Candidates);
                    Number(w, "loss_before", pr.Before.Loss);
                    Number(w, "accuracy_before", pr.Before.Accuracy);
                    Number(w, "loss_after", pr.After.Loss);
                    Number(w, "accuracy_after", pr.After.Accuracy);
                    Number(w, "magnitude_loss_after", pr.MagnitudeAfter.Loss);
                    Number(w, "magnitude_accuracy_after", pr.MagnitudeAfter.Accuracy);
                    Number(w, "predicted_increase", pr.PredictedIncrease);
                    w.WriteBoolean("exact_diagonal", pr.ExactDiagonal);
                    w.WriteNumber("products", pr.Products);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

    private static string Title(string what, string problem, HessianSettings s) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} of the {s.Kind.Title()} of {problem} ({s.Samples:N0} examples)");

    /// <summary>The eigenvalues by rank: the largest, and the smallest when computed; one line per model.</summary>
    public static Svg Spectrum(string problem, HessianSettings s, IReadOnlyList<HessianAnalysis> results)
    {
        LineChart Panel(string title, Func<HessianAnalysis, IReadOnlyList<EigenPair>> pairs)
        {
            var chart = new LineChart { Title = title, XLabel = "rank", YLabel = "eigenvalue λ", IntegerX = true };
            for (int i = 0; i < results.Count; i++)
                chart.Series.Add(new Series(results[i].Label, pairs(results[i]).Select((p, k) => ((double)k + 1, p.Value)).ToList(), SafeColours.At(i)));
            return chart;
        }
        var panels = new List<LineChart> { Panel("largest eigenvalues", r => r.Eigen.Largest) };
        if (results.Any(r => r.Eigen.Smallest.Count > 0)) panels.Add(Panel("smallest eigenvalues", r => r.Eigen.Smallest));
        return LineChart.Figure(Title("Extreme eigenvalues", problem, s), panels, panelWidth: panels.Count == 1 ? 600 : 420);
    }

    /// <summary>The smoothed spectral densities on a log scale; one line per model.</summary>
    public static Svg DensityFigure(string problem, HessianSettings s, IReadOnlyList<HessianAnalysis> results)
    {
        var chart = new LineChart { Title = "stochastic Lanczos quadrature", XLabel = "eigenvalue λ", YLabel = "density", LogY = true };
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i].Density is not { } d) continue;
            double floor = d.Density.Max() * 1e-7;
            chart.Series.Add(new Series(results[i].Label, d.Grid.Select((x, k) => (x, d.Density[k] >= floor ? d.Density[k] : double.NaN)).ToList(), SafeColours.At(i)));
        }
        return LineChart.Figure(Title("Spectral density", problem, s), [chart], panelWidth: 640, panelHeight: 360);
    }

    /// <summary>Each layer's largest eigenvalue (its diagonal block); one line per model.</summary>
    public static Svg BlocksFigure(string problem, HessianSettings s, IReadOnlyList<HessianAnalysis> results)
    {
        var chart = new LineChart { Title = "largest eigenvalue of each layer's block", XLabel = "layer (parameter block)", YLabel = "λ_max of the block", IntegerX = true };
        for (int i = 0; i < results.Count; i++)
            chart.Series.Add(new Series(results[i].Label, results[i].Blocks.Select((b, k) => ((double)k + 1, b.Result.Largest.Count > 0 ? b.Result.Largest[0].Value : double.NaN)).ToList(), SafeColours.At(i)));
        return LineChart.Figure(Title("Block-diagonal spectra", problem, s), [chart], panelWidth: 560);
    }
}

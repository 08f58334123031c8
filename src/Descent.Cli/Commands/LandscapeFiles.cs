using System.Globalization;
using System.Text;
using System.Text.Json;
using Descent.Cli.Plots;
using Descent.Curvature;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>
/// The output directory of <c>descent landscape</c>: <c>landscape.json</c> (settings, where the directions came
/// from, the extreme values), <c>surface.csv</c> (1-D: <c>alpha,train_loss,train_accuracy,test_loss,test_accuracy</c>
/// and <c>quadratic_model</c> in the eigen mode; 2-D: <c>alpha,beta,objective,loss,accuracy</c>),
/// <c>trajectory.csv</c> (trajectory mode: <c>point,x,y</c>), <c>directions.safetensors</c> (the directions d1, d2 and
/// the origin as float64 vectors in the layout of the flat parameters, for <c>--directions</c>) and
/// <c>landscape.svg</c>.
/// </summary>
public static class LandscapeFiles
{
    /// <summary>The summary.</summary>
    public const string Summary = "landscape.json";

    /// <summary>The values on the grid.</summary>
    public const string Surface = "surface.csv";

    /// <summary>The projected trajectory.</summary>
    public const string TrajectoryCsv = "trajectory.csv";

    /// <summary>The directions.</summary>
    public const string DirectionsFile = "directions.safetensors";

    /// <summary>The figure.</summary>
    public const string Plot = "landscape.svg";

    /// <summary>Writes the files and returns their names.</summary>
    public static IReadOnlyList<string> Write(string dir, string problem, string dtype, LandscapeResult r)
    {
        var files = new AnalysisFiles(dir);
        void Put(string name, string text) => files.Put(name, text);
        Put(Summary, Json(problem, dtype, r));
        Put(Surface, SurfaceCsv(r));
        if (r.Trajectory is not null) Put(TrajectoryCsv, Trajectory(r));
        SaveDirections(Path.Combine(dir, DirectionsFile), problem, r);
        files.Names.Add(DirectionsFile);
        Put(Plot, Figure(problem, r));
        return files.Names;
    }

    /// <summary>Reads directions saved by an earlier run (checked against the problem and its parameter count).</summary>
    /// <exception cref="ConfigurationException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is corrupt, of another problem, or of another size.</exception>
    public static IReadOnlyList<double[]> ReadDirections(string path, string problem, int parameters, int needed)
    {
        if (!File.Exists(path)) throw new ConfigurationException($"--directions: '{path}' does not exist.");
        var (tensors, metadata) = Safetensors.Read(path);
        if (metadata.TryGetValue("problem", out var p) && p != problem)
            throw new DataFormatException($"--directions: '{path}' holds directions of problem {p}, not {problem}.");
        var dirs = new List<double[]>();
        for (int i = 0; i < needed; i++)
        {
            if (!tensors.TryGetValue(LandscapeRun.DirectionNames[i], out var t))
                throw new DataFormatException($"--directions: '{path}' has no tensor '{LandscapeRun.DirectionNames[i]}' ({needed} directions are needed).");
            if (t.Size != parameters)
                throw new DataFormatException($"--directions: '{path}' holds directions of {t.Size} parameters; {problem} has {parameters}.");
            dirs.Add(t.ToDoubleArray());
        }
        return dirs;
    }

    private static void SaveDirections(string path, string problem, LandscapeResult r)
    {
        var tensors = new List<(string, Tensor)>();
        for (int i = 0; i < r.Directions.Count && i < LandscapeRun.DirectionNames.Length; i++)
            tensors.Add((LandscapeRun.DirectionNames[i], Tensor.From(r.Directions[i])));
        tensors.Add(("origin", Tensor.From(r.Origin)));
        var metadata = new Dictionary<string, string>
        {
            ["problem"] = problem,
            ["mode"] = r.Settings.Mode.ToString().ToLowerInvariant(),
            ["seed"] = r.Settings.Seed.ToString(CultureInfo.InvariantCulture),
            ["source"] = r.DirectionSource,
            ["points"] = string.Join(";", r.Points),
        };
        Safetensors.Write(path, tensors, metadata);
    }

    private static string X(double v) => AnalysisFiles.Cell(v);

    private static string SurfaceCsv(LandscapeResult r)
    {
        var sb = new StringBuilder();
        if (r.Plane is { } p)
        {
            sb.Append("alpha,beta,objective,loss,accuracy\n");
            for (int i = 0; i < p.Betas.Length; i++)
                for (int j = 0; j < p.Alphas.Length; j++)
                    sb.Append(CultureInfo.InvariantCulture, $"{X(p.Alphas[j])},{X(p.Betas[i])},{X(p.Objective[i, j])},{X(p.Loss[i, j])},{X(p.Accuracy[i, j])}\n");
            return sb.ToString();
        }
        sb.Append("alpha,train_objective,train_loss,train_accuracy,test_loss,test_accuracy").Append(r.Quadratic is null ? "\n" : ",quadratic_model\n");
        for (int k = 0; k < r.Alphas.Length; k++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{X(r.Alphas[k])},{X(r.Train!.Objective[k])},{X(r.Train.Loss[k])},{X(r.Train.Accuracy[k])},{X(r.Test!.Loss[k])},{X(r.Test.Accuracy[k])}");
            if (r.Quadratic is { } q) sb.Append(',').Append(X(q[k]));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Trajectory(LandscapeResult r)
    {
        var sb = new StringBuilder("point,x,y\n");
        var t = r.Trajectory!;
        for (int i = 0; i < t.X.Length; i++) sb.Append(CultureInfo.InvariantCulture, $"{r.TrajectoryLabels[i]},{X(t.X[i])},{X(t.Y[i])}\n");
        return sb.ToString();
    }

    private static void Number(Utf8JsonWriter w, string name, double v) => AnalysisFiles.Number(w, name, v);

    private static string Json(string problem, string dtype, LandscapeResult r) => AnalysisFiles.Json(w =>
        {
            var s = r.Settings;
            w.WriteString("problem", problem);
            w.WriteString("mode", s.Mode.ToString().ToLowerInvariant());
            w.WriteNumber("dims", r.Plane is null ? 1 : 2);
            w.WriteNumber("grid", s.Grid);
            Number(w, "from", s.Range!.Value.From);
            Number(w, "to", s.Range.Value.To);
            w.WriteNumber("samples", s.Samples);
            w.WriteString("dtype", dtype);
            w.WriteNumber("seed", s.Seed);
            w.WriteString("directions", r.DirectionSource);
            w.WriteStartArray("points");
            foreach (var p in r.Points) w.WriteStringValue(p);
            w.WriteEndArray();
            var values = r.Plane is { } pl ? pl.Loss.Cast<double>().ToArray() : r.Train!.Loss;
            Number(w, "min_loss", values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min());
            Number(w, "max_loss", values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max());
            if (r.Eigen is { } e)
            {
                w.WriteStartArray("eigenvalues");
                foreach (var p in e.Largest) w.WriteNumberValue(p.Value);
                w.WriteEndArray();
                w.WriteNumber("products", e.Products);
            }
            if (r.Trajectory is { } t && double.IsFinite(t.Explained[0]))
            {
                w.WriteStartArray("explained_variance");
                foreach (var v in t.Explained) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
        });

    private static string Figure(string problem, LandscapeResult r)
    {
        var s = r.Settings;
        string what = s.Mode switch
        {
            LandscapeMode.Interpolate => $"from {r.Points[0]} (α = 0) to {r.Points[1]} (α = 1)",
            LandscapeMode.Eigen => $"along the top eigenvector{(r.Plane is null ? "" : "s")} of the {s.Curvature.Title()} at {r.Points[0]}",
            LandscapeMode.Trajectory => $"on the plane of the trajectory (PCA: {100 * (r.Trajectory!.Explained[0]):F0}% + {100 * (r.Trajectory.Explained[1]):F0}% of the motion)",
            _ => $"along random filter-normalized direction{(r.Plane is null ? "" : "s")} at {r.Points[0]}",
        };
        if (r.Plane is { } p)
        {
            var plot = new HeatmapPlot(p.Alphas, p.Betas, p.Loss, $"Training loss of {problem}")
            {
                Subtitle = what,
                XLabel = s.Mode == LandscapeMode.Trajectory ? "first principal direction" : s.Mode == LandscapeMode.Eigen ? "α (eigenvector 1)" : "α (direction 1)",
                YLabel = s.Mode == LandscapeMode.Trajectory ? "second principal direction" : s.Mode == LandscapeMode.Eigen ? "β (eigenvector 2)" : "β (direction 2)",
                ValueLabel = $"training loss ({s.Samples:N0} examples)",
            };
            if (r.Trajectory is { } t)
                for (int i = 0; i < t.X.Length; i++) plot.PathPoint(t.X[i], t.Y[i], r.TrajectoryLabels[i]);
            else plot.Mark(Path.GetFileName(r.Points[0]), 0, 0);
            return plot.ToSvg();
        }
        var loss = new LineChart { Title = "loss", XLabel = "α", YLabel = "mean loss" };
        loss.Series.Add(new Series("train", r.Alphas.Zip(r.Train!.Loss).ToList(), SafeColours.At(0)));
        loss.Series.Add(new Series("test", r.Alphas.Zip(r.Test!.Loss).ToList(), SafeColours.At(1)));
        if (r.Quadratic is { } q) loss.Series.Add(new Series("quadratic model f₀ + αgᵀv + ½λα²", r.Alphas.Zip(q).ToList(), SafeColours.At(2)));
        var panels = new List<LineChart> { loss };
        if (r.Train.Accuracy.Any(double.IsFinite))
        {
            var acc = new LineChart { Title = "accuracy", XLabel = "α", YLabel = "accuracy" };
            acc.Series.Add(new Series("train", r.Alphas.Zip(r.Train.Accuracy).ToList(), SafeColours.At(0)));
            acc.Series.Add(new Series("test", r.Alphas.Zip(r.Test.Accuracy).ToList(), SafeColours.At(1)));
            panels.Add(acc);
        }
        return LineChart.Figure($"Loss of {problem} {what}", panels, panelWidth: 420).ToString();
    }
}

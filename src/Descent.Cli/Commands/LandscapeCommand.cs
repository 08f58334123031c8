using System.CommandLine;
using System.Globalization;
using Descent.Curvature;
using Descent.Problems;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent landscape --problem P --checkpoint FILE [--checkpoint2 FILE] [--mode slice|interpolate|eigen|trajectory]
/// [--dims 1|2] [--grid N] --out DIR</c>: the loss along lines and planes through parameter space — the linear
/// interpolation between two solutions, slices along random filter-normalized directions (Li et al. 2018) or along
/// the top curvature eigenvectors, and a training run's trajectory on its principal plane — with seeded directions
/// saved for reuse (see <see cref="LandscapeFiles"/>).
/// </summary>
public static class LandscapeCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "model.safetensors or checkpoint.safetensors of a run, or 'init' (the point the plot is centred on; the end point of an interpolation)" };
        var checkpoint2 = new Option<string>("--checkpoint2") { Description = "a second checkpoint: interpolate from --checkpoint (α = 0) to --checkpoint2 (α = 1)" };
        var mode = new Option<string>("--mode") { Description = "slice (random filter-normalized directions), interpolate (needs --checkpoint2), eigen (top curvature eigenvectors) or trajectory (needs --run); default: interpolate with --checkpoint2, else slice" };
        var dims = new Option<int?>("--dims") { Description = "1 (curves) or 2 (surface); default 1 for interpolate, 2 otherwise" };
        var grid = new Option<int>("--grid") { Description = "points per direction", DefaultValueFactory = _ => 21 };
        var range = new Option<string>("--range") { Description = "coordinate range FROM,TO (default: -1,1 for slices, -0.5,1.5 for interpolation, ±√(2/λ₁) for eigen, the path's extent for trajectory)" };
        var run = new Option<string>("--run") { Description = "trajectory mode: a run directory trained with --keep-epoch-checkpoints" };
        var directions = new Option<string>("--directions") { Description = "reuse the directions of an earlier run (its directions.safetensors)" };
        var curvature = new Option<string>("--curvature") { Description = "eigen mode: hessian, ggn or fisher", DefaultValueFactory = _ => "hessian" };
        var common = new AnalysisOptions("directory for landscape.json, surface.csv, directions.safetensors and landscape.svg",
            "examples of the training (and test) set the loss is measured on (the first N)", "seed of the random directions (and of 'init')");
        var cmd = new Command("landscape", "Plot the loss along lines and planes through parameter space: interpolation between two solutions, random filter-normalized or eigenvector slices, a training trajectory on its principal plane.");
        cmd.Options.Add(common.Problem);
        foreach (var o in new Option[] { checkpoint, checkpoint2, mode, dims, grid, range, run, directions, curvature })
            cmd.Options.Add(o);
        common.AddTo(cmd);

        cmd.SetAction(pr =>
        {
            var (p, dt) = common.Resolve(pr);
            string? c1 = pr.GetValue(checkpoint), c2 = pr.GetValue(checkpoint2), runDir = pr.GetValue(run);
            var m = ParseMode(pr.GetValue(mode), c2 is not null, runDir is not null);
            int d = pr.GetValue(dims) ?? (m == LandscapeMode.Interpolate ? 1 : 2);
            if (d is not (1 or 2)) throw new ConfigurationException($"--dims must be 1 or 2, got {d}.");
            if (m == LandscapeMode.Interpolate && d != 1) throw new ConfigurationException("--mode interpolate draws a line: use --dims 1.");
            if (m == LandscapeMode.Trajectory && d != 2) throw new ConfigurationException("--mode trajectory draws a plane: use --dims 2.");
            int g = pr.GetValue(grid);
            if (g < 2) throw new ConfigurationException($"--grid must be at least 2, got {g}.");
            var s = new LandscapeSettings
            {
                Mode = m,
                Dims = d,
                Grid = g,
                Range = pr.GetValue(range) is { } r ? ParseRange(r) : null,
                Samples = pr.GetValue(common.Samples),
                Chunk = pr.GetValue(common.Chunk),
                Seed = pr.GetValue(common.Seed),
                Curvature = CurvatureKinds.Parse(pr.GetValue(curvature)!),
            };
            if (s.Samples < 1) throw new ConfigurationException($"--samples must be at least 1, got {s.Samples}.");
            var models = Models(p, m, c1, c2, runDir, s.Seed, dt);
            var saved = pr.GetValue(directions) is { } df
                ? LandscapeFiles.ReadDirections(df, p.Name, models[0].Model.ParameterCount, m == LandscapeMode.Interpolate ? 1 : d)
                : null;
            var o = context.Output;
            var data = AnalysisSetup.Data(p, pr.GetValue(common.DataDir), o);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Name}: {m.ToString().ToLowerInvariant()} landscape, {(d == 1 ? $"{g} points" : $"{g}×{g} grid")}, loss on the first {Math.Min(s.Samples, data.Train.Count):N0} training examples"));
            var console = new AnalysisConsole(o, context.Interactive);
            var result = LandscapeRun.Run(p, models, data, s, saved, console);
            console.Clear();
            Print(o, result);
            string dir = pr.GetValue(common.Out)!;
            var files = LandscapeFiles.Write(dir, p.Name, AnalysisSetup.Name(dt), result);
            o.WriteLine($"wrote {Path.Combine(dir, files[0])}{string.Concat(files.Skip(1).Select(f => ", " + f))}");
            return CliErrors.Ok;
        });
        return cmd;
    }

    private static LandscapeMode ParseMode(string? text, bool two, bool run)
    {
        if (text is null) return run ? LandscapeMode.Trajectory : two ? LandscapeMode.Interpolate : LandscapeMode.Slice;
        return text.Trim().ToLowerInvariant() switch
        {
            "slice" or "random" => LandscapeMode.Slice,
            "interpolate" or "interpolation" or "line" => LandscapeMode.Interpolate,
            "eigen" or "eigenvectors" => LandscapeMode.Eigen,
            "trajectory" or "pca" => LandscapeMode.Trajectory,
            _ => throw new ConfigurationException($"Unknown --mode '{text}'; valid: slice, interpolate, eigen, trajectory."),
        };
    }

    private static (double, double) ParseRange(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && double.IsFinite(a) && double.IsFinite(b) && a < b)
            return (a, b);
        throw new ConfigurationException($"--range must be two numbers FROM,TO with FROM < TO, e.g. -1,1; got '{text}'.");
    }

    private static List<AnalysedModel> Models(Problem p, LandscapeMode m, string? c1, string? c2, string? runDir, ulong seed, Tensors.DType dt)
    {
        switch (m)
        {
            case LandscapeMode.Trajectory:
            {
                if (runDir is null) throw new ConfigurationException("--mode trajectory needs --run DIR, a run trained with --keep-epoch-checkpoints.");
                var files = LandscapeRun.EpochCheckpoints(runDir);
                var models = new List<AnalysedModel>();
                if (LandscapeRun.RunSeed(files[0]) is ulong runSeed) models.Add(AnalysisSetup.Load(p, AnalysisSetup.Init, runSeed, dt));
                foreach (var f in files) models.Add(AnalysisSetup.Load(p, f, seed, dt) with { Label = "epoch " + Path.GetFileNameWithoutExtension(f)["checkpoint-epoch".Length..] });
                if (models.Count < 2) throw new ConfigurationException($"--run: '{runDir}' gives one point only; a trajectory needs at least two (train at least 2 epochs with --keep-epoch-checkpoints).");
                return models;
            }
            case LandscapeMode.Interpolate:
                if (c1 is null || c2 is null) throw new ConfigurationException("--mode interpolate needs --checkpoint and --checkpoint2.");
                return [AnalysisSetup.Load(p, c1, seed, dt), AnalysisSetup.Load(p, c2, seed, dt)];
            default:
                if (c1 is null) throw new ConfigurationException($"--mode {m.ToString().ToLowerInvariant()} needs --checkpoint FILE (or --checkpoint init).");
                if (c2 is not null) throw new ConfigurationException("--checkpoint2 is for --mode interpolate.");
                return [AnalysisSetup.Load(p, c1, seed, dt)];
        }
    }

    private static void Print(TextWriter o, LandscapeResult r)
    {
        static string G(double x) => x.ToString("G5", CultureInfo.InvariantCulture);
        o.WriteLine($"directions: {r.DirectionSource}; range [{G(r.Settings.Range!.Value.From)}, {G(r.Settings.Range.Value.To)}]");
        if (r.Eigen is { } e) o.WriteLine($"eigenvalues of the directions: {string.Join(", ", e.Largest.Select(x => G(x.Value)))} (Lanczos, {e.Products} products)");
        if (r.Trajectory is { } t && double.IsFinite(t.Explained[0]))
            o.WriteLine($"trajectory of {t.X.Length} points; the principal plane holds {100 * (t.Explained[0]):F1}% + {100 * (t.Explained[1]):F1}% of its motion");
        if (r.Plane is { } p)
        {
            var v = p.Loss.Cast<double>().Where(double.IsFinite).ToArray();
            int c = Array.IndexOf(p.Alphas, p.Alphas.OrderBy(Math.Abs).First()), rr = Array.IndexOf(p.Betas, p.Betas.OrderBy(Math.Abs).First());
            o.WriteLine($"training loss on the plane: min {G(v.Min())}, max {G(v.Max())}, at the centre {G(p.Loss[rr, c])}");
        }
        else
        {
            int k0 = Array.IndexOf(r.Alphas, r.Alphas.OrderBy(Math.Abs).First());
            o.WriteLine($"training loss along the line: min {G(r.Train!.Loss.Min())}, max {G(r.Train.Loss.Max())}, at α = {G(r.Alphas[k0])}: {G(r.Train.Loss[k0])}");
        }
    }
}

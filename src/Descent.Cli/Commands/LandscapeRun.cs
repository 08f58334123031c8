using System.Globalization;
using System.Text.RegularExpressions;
using Descent.Curvature;
using Descent.Data;
using Descent.Problems;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>How <c>descent landscape</c> looks at the loss surface.</summary>
public enum LandscapeMode
{
    /// <summary>Along random filter-normalized directions through a checkpoint (Li et al. 2018).</summary>
    Slice,

    /// <summary>On the line through two checkpoints (Goodfellow et al. 2015).</summary>
    Interpolate,

    /// <summary>Along the top eigenvectors of the curvature at a checkpoint.</summary>
    Eigen,

    /// <summary>On the plane of a training run's trajectory (principal directions of its epoch checkpoints).</summary>
    Trajectory,
}

/// <summary>The settings of a landscape run.</summary>
public sealed record LandscapeSettings
{
    /// <summary>The mode.</summary>
    public LandscapeMode Mode { get; init; }

    /// <summary>1 or 2 directions.</summary>
    public int Dims { get; init; } = 2;

    /// <summary>Grid points per direction.</summary>
    public int Grid { get; init; } = 21;

    /// <summary>The coordinate range, or null for the mode's default.</summary>
    public (double From, double To)? Range { get; init; }

    /// <summary>Examples of each split the loss is evaluated on.</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Examples per chunk.</summary>
    public int Chunk { get; init; } = 1000;

    /// <summary>Seed of the random directions (and of the initialization for <c>init</c>).</summary>
    public ulong Seed { get; init; }

    /// <summary>The curvature of the eigen mode.</summary>
    public CurvatureKind Curvature { get; init; } = CurvatureKind.Hessian;
}

/// <summary>What a landscape run computed.</summary>
public sealed record LandscapeResult
{
    /// <summary>The settings, with the range used.</summary>
    public required LandscapeSettings Settings { get; init; }

    /// <summary>The coordinates along the first direction.</summary>
    public required double[] Alphas { get; init; }

    /// <summary>The coordinates along the second direction (2-D only).</summary>
    public double[]? Betas { get; init; }

    /// <summary>The names of the points the directions come from (the origin first).</summary>
    public required IReadOnlyList<string> Points { get; init; }

    /// <summary>1-D: the training-set curve.</summary>
    public LossLine? Train { get; init; }

    /// <summary>1-D: the test-set curve.</summary>
    public LossLine? Test { get; init; }

    /// <summary>1-D eigen mode: the quadratic model f₀ + α gᵀv + ½λα² along the top eigenvector.</summary>
    public double[]? Quadratic { get; init; }

    /// <summary>2-D: the training-set plane.</summary>
    public LossPlane? Plane { get; init; }

    /// <summary>Trajectory mode: the projection and each point's label and training loss.</summary>
    public TrajectoryProjection? Trajectory { get; init; }

    /// <summary>Trajectory mode: the label of each point (init, epoch 1, …).</summary>
    public IReadOnlyList<string> TrajectoryLabels { get; init; } = [];

    /// <summary>Eigen mode: the eigenvalues of the directions.</summary>
    public EigenResult? Eigen { get; init; }

    /// <summary>The directions used (flat, float64), to save.</summary>
    public required IReadOnlyList<double[]> Directions { get; init; }

    /// <summary>The origin of the directions (flat parameters).</summary>
    public required double[] Origin { get; init; }

    /// <summary>Where the directions came from, for the summary.</summary>
    public required string DirectionSource { get; init; }
}

/// <summary>Computes a landscape: builds the directions of the mode (or reads saved ones) and evaluates the loss.</summary>
public static class LandscapeRun
{
    /// <summary>Tensor names in a directions file.</summary>
    public static readonly string[] DirectionNames = ["d1", "d2"];

    /// <summary>Runs the mode.</summary>
    public static LandscapeResult Run(Problem problem, IReadOnlyList<AnalysedModel> models, DataSplits data, LandscapeSettings s,
        IReadOnlyList<double[]>? savedDirections, IProgress<AnalysisProgress>? progress)
    {
        var origin = models[^1];
        var train = AnalysisSetup.Examples(data.Train, s.Samples, s.Chunk);
        var f = new DatasetObjective(origin.Model, problem.Loss, problem.Penalties, train);
        var theta = f.Parameters;
        switch (s.Mode)
        {
            case LandscapeMode.Interpolate:
            {
                var start = new DatasetObjective(models[0].Model, problem.Loss, problem.Penalties, train).Parameters;
                var d = savedDirections?[0] ?? Curvature.Directions.Between(start, theta);
                var range = s.Range ?? (-0.5, 1.5);
                var alphas = LossSurface.Grid(range.From, range.To, s.Grid);
                var (tr, te) = Lines(problem, f, data, s, start, d, alphas, progress);
                return new LandscapeResult { Settings = s with { Range = range }, Alphas = alphas, Points = [models[0].Label, origin.Label], Train = tr, Test = te,
                    Directions = [d], Origin = start, DirectionSource = savedDirections is null ? "θ₂ − θ₁" : "saved" };
            }
            case LandscapeMode.Trajectory:
            {
                var points = models.Select(m => new DatasetObjective(m.Model, problem.Loss, problem.Penalties, train).Parameters).ToList();
                var projection = Trajectory.Project(points);
                var dirs = savedDirections ?? [projection.Direction1, projection.Direction2];
                if (savedDirections is not null) projection = Reproject(points, dirs);
                var range = s.Range ?? Extent(projection);
                var alphas = LossSurface.Grid(range.From, range.To, s.Grid);
                var plane = LossSurface.Plane(f, theta, dirs[0], dirs[1], alphas, alphas, progress);
                return new LandscapeResult { Settings = s with { Range = range, Dims = 2 }, Alphas = alphas, Betas = alphas, Points = [origin.Label], Plane = plane,
                    Trajectory = projection, TrajectoryLabels = models.Select(m => m.Label).ToArray(), Directions = dirs, Origin = theta,
                    DirectionSource = savedDirections is null ? $"principal directions of {models.Count} points" : "saved" };
            }
            default:
            {
                EigenResult? eigen = null;
                double[]? g = null;
                IReadOnlyList<double[]> dirs;
                string source;
                if (savedDirections is not null) { dirs = savedDirections; source = "saved"; }
                else if (s.Mode == LandscapeMode.Eigen)
                {
                    var c = CurvatureOperator.Create(s.Curvature, origin.Model, problem.Loss, train, problem.Penalties, new CurvatureOptions { Seed = s.Seed });
                    eigen = Lanczos.Eigenvalues(c, new EigenOptions { Top = s.Dims, Tolerance = 1e-3, Vectors = true, Seed = s.Seed }, progress);
                    dirs = eigen.Largest.Select(p => p.Vector!).ToArray();
                    source = $"top eigenvectors of the {s.Curvature.Title()}";
                    g = f.Gradient(out _);
                }
                else
                {
                    var flat = origin.Model.Flat;
                    dirs = Enumerable.Range(0, s.Dims).Select(i => Curvature.Directions.FilterNormalized(flat, Rng.Stream(s.Seed, $"landscape.d{i + 1}"))).ToArray();
                    source = "random, filter-normalized";
                }
                var range = s.Range ?? (s.Mode == LandscapeMode.Eigen && eigen is not null ? EigenRange(eigen) : (-1, 1));
                var alphas = LossSurface.Grid(range.From, range.To, s.Grid);
                if (s.Dims == 1)
                {
                    var (tr, te) = Lines(problem, f, data, s, theta, dirs[0], alphas, progress);
                    double[]? quad = null;
                    if (eigen is not null && g is not null)
                    {
                        double slope = g.Zip(dirs[0], (a, b) => a * b).Sum(), lambda = eigen.Largest[0].Value, f0 = f.Evaluate().Objective;
                        quad = alphas.Select(a => f0 + slope * a + 0.5 * lambda * a * a).ToArray();
                    }
                    return new LandscapeResult { Settings = s with { Range = range }, Alphas = alphas, Points = [origin.Label], Train = tr, Test = te, Quadratic = quad,
                        Eigen = eigen, Directions = dirs, Origin = theta, DirectionSource = source };
                }
                var plane = LossSurface.Plane(f, theta, dirs[0], dirs[1], alphas, alphas, progress);
                return new LandscapeResult { Settings = s with { Range = range }, Alphas = alphas, Betas = alphas, Points = [origin.Label], Plane = plane, Eigen = eigen,
                    Directions = dirs, Origin = theta, DirectionSource = source };
            }
        }
    }

    /// <summary>The training-run checkpoints of a trajectory: the initialization (rebuilt from the run's seed) and
    /// every <c>checkpoint-epochN.safetensors</c>, in epoch order.</summary>
    /// <exception cref="ConfigurationException">The directory does not exist or holds fewer than one epoch checkpoint.</exception>
    public static IReadOnlyList<string> EpochCheckpoints(string runDirectory)
    {
        if (!Directory.Exists(runDirectory)) throw new ConfigurationException($"--run: the directory '{runDirectory}' does not exist.");
        var files = Directory.GetFiles(runDirectory, "checkpoint-epoch*.safetensors")
            .Select(f => (File: f, Match: Regex.Match(Path.GetFileName(f), @"^checkpoint-epoch(\d+)\.safetensors$")))
            .Where(x => x.Match.Success)
            .OrderBy(x => int.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture))
            .Select(x => x.File).ToList();
        if (files.Count == 0)
            throw new ConfigurationException($"--run: '{runDirectory}' holds no checkpoint-epochN.safetensors; train it with --keep-epoch-checkpoints.");
        return files;
    }

    /// <summary>The seed of the run a checkpoint belongs to, if it says.</summary>
    public static ulong? RunSeed(string checkpoint)
    {
        var c = CheckpointFile.Load(checkpoint);
        return c.RunState is null ? null : c.RunStateAs<RunState>().Spec?.Seed;
    }

    private static (LossLine Train, LossLine Test) Lines(Problem problem, DatasetObjective f, DataSplits data, LandscapeSettings s,
        double[] origin, double[] d, double[] alphas, IProgress<AnalysisProgress>? progress)
    {
        var tr = LossSurface.Line(f, origin, d, alphas, progress);
        var test = new DatasetObjective(f.Model, problem.Loss, problem.Penalties, AnalysisSetup.Examples(data.Test, s.Samples, s.Chunk));
        var te = LossSurface.Line(test, origin, d, alphas, progress);
        return (tr, te);
    }

    private static (double, double) EigenRange(EigenResult eigen)
    {
        // Where the quadratic model along the top eigenvector rises by 1: ½λα² = 1.
        double lambda = eigen.Largest[0].Value;
        double a = lambda > 0 ? Math.Sqrt(2 / lambda) : 1;
        return (-a, a);
    }

    private static (double, double) Extent(TrajectoryProjection p)
    {
        double m = new[] { p.X.Select(Math.Abs).Max(), p.Y.Select(Math.Abs).Max() }.Max();
        if (!(m > 0)) m = 1;
        return (-1.25 * m, 1.25 * m);
    }

    private static TrajectoryProjection Reproject(IReadOnlyList<double[]> points, IReadOnlyList<double[]> dirs)
    {
        var origin = points[^1];
        double Along(double[] p, double[] d) => p.Select((v, i) => (v - origin[i]) * d[i]).Sum();
        return new TrajectoryProjection(origin, dirs[0], dirs[1], [double.NaN, double.NaN], points.Select(p => Along(p, dirs[0])).ToArray(),
            points.Select(p => Along(p, dirs[1])).ToArray());
    }
}

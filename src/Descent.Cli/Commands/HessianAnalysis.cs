using Descent.Curvature;
using Descent.Data;
using Descent.Problems;

namespace Descent.Cli.Commands;

/// <summary>What <c>descent hessian</c> computes for each model.</summary>
public sealed record HessianSettings
{
    /// <summary>The curvature whose spectrum is computed.</summary>
    public CurvatureKind Kind { get; init; } = CurvatureKind.Hessian;

    /// <summary>Training examples the curvature is measured on.</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Examples per chunk.</summary>
    public int Chunk { get; init; } = 1000;

    /// <summary>Largest eigenvalues.</summary>
    public int Top { get; init; } = 10;

    /// <summary>Smallest eigenvalues.</summary>
    public int Bottom { get; init; }

    /// <summary>Relative residual tolerance.</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Lanczos iteration limit (power iteration gets ten times as many).</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>Also run power iteration for the top eigenvalue.</summary>
    public bool Power { get; init; }

    /// <summary>Hutchinson probes for the trace (0: no trace).</summary>
    public int TraceProbes { get; init; }

    /// <summary>Spectral density: probes (0: none) and Lanczos steps per probe.</summary>
    public int DensityProbes { get; init; }

    /// <summary>Lanczos steps per density probe.</summary>
    public int DensitySteps { get; init; } = 60;

    /// <summary>Per-layer (block-diagonal) spectra.</summary>
    public bool Blocks { get; init; }

    /// <summary>Classify the point (gradient norm and the Hessian's signs).</summary>
    public bool Classify { get; init; }

    /// <summary>Prune this share of the weights by optimal brain damage (null: no pruning).</summary>
    public double? Prune { get; init; }

    /// <summary>Seed of every random vector.</summary>
    public ulong Seed { get; init; }
}

/// <summary>Everything computed for one model.</summary>
/// <param name="Label">The model's name in outputs.</param>
/// <param name="Parameters">Its number of parameters.</param>
/// <param name="Eigen">The Lanczos result.</param>
/// <param name="Power">The power-iteration result, when asked for.</param>
/// <param name="Trace">Hutchinson's trace estimate, when asked for.</param>
/// <param name="Density">The spectral density, when asked for.</param>
/// <param name="Blocks">Per-layer spectra, when asked for.</param>
/// <param name="Critical">The classification, when asked for.</param>
/// <param name="Pruning">The pruning result, when asked for.</param>
/// <param name="Products">Curvature products spent on this model in total.</param>
public sealed record HessianAnalysis(string Label, int Parameters, EigenResult Eigen, EigenResult? Power, TraceEstimate? Trace,
    SpectralDensity? Density, IReadOnlyList<(ParameterBlock Block, EigenResult Result)> Blocks, CriticalPointReport? Critical,
    PruningResult? Pruning, long Products)
{
    /// <summary>Runs every analysis <paramref name="s"/> asks for on <paramref name="model"/>.</summary>
    public static HessianAnalysis Run(Problem problem, AnalysedModel model, DataSplits data, HessianSettings s, IProgress<AnalysisProgress>? progress)
    {
        var examples = AnalysisSetup.Examples(data.Train, s.Samples, s.Chunk);
        var counter = new ProductCounter();
        var options = new CurvatureOptions { Seed = s.Seed };
        var c = CurvatureOperator.Create(s.Kind, model.Model, problem.Loss, examples, problem.Penalties, options, counter);
        var eigenOptions = new EigenOptions { Top = Math.Min(s.Top, c.Dimension), Bottom = Math.Min(s.Bottom, c.Dimension), Tolerance = s.Tolerance, MaxIterations = s.MaxIterations, Seed = s.Seed };
        var eigen = Lanczos.Eigenvalues(c, eigenOptions, progress);
        EigenResult? power = s.Power
            ? PowerIteration.Eigenvalues(c, eigenOptions with { Top = 1, Bottom = 0, MaxIterations = 10 * s.MaxIterations }, progress)
            : null;
        var trace = s.TraceProbes > 0 ? Hutchinson.Trace(c, s.TraceProbes, s.Seed, progress: progress) : null;
        var density = s.DensityProbes > 0 ? SpectralDensityEstimator.Estimate(c, s.DensityProbes, s.DensitySteps, seed: s.Seed, progress: progress) : null;
        var blocks = new List<(ParameterBlock, EigenResult)>();
        if (s.Blocks)
            foreach (var b in CurvatureBlocks.ByLayer(model.Model.Flat))
            {
                var bc = c.Block(b);
                blocks.Add((b, Lanczos.Eigenvalues(bc, eigenOptions with { Top = Math.Min(Math.Min(s.Top, 3), b.Length), Bottom = Math.Min(Math.Min(s.Bottom, 3), b.Length) }, progress)));
            }
        CriticalPointReport? critical = null;
        if (s.Classify)
        {
            var f = new DatasetObjective(model.Model, problem.Loss, problem.Penalties, examples);
            var g = f.Gradient(out _);
            var h = s.Kind == CurvatureKind.Hessian ? c : CurvatureOperator.Create(CurvatureKind.Hessian, model.Model, problem.Loss, examples, problem.Penalties, options, counter);
            critical = CriticalPoint.Classify(h, g, new CriticalPointOptions
            {
                GradientTolerance = 1e-6,
                Lanczos = new EigenOptions { Tolerance = s.Tolerance, MaxIterations = s.MaxIterations, Seed = s.Seed },
            });
        }
        PruningResult? pruning = null;
        if (s.Prune is double fraction)
        {
            var test = AnalysisSetup.Examples(data.Test, s.Samples, s.Chunk);
            var f = new DatasetObjective(model.Model, problem.Loss, problem.Penalties, test);
            pruning = OptimalBrainDamage.Prune(model.Model, c, f, new PruningOptions { Fraction = fraction, Seed = s.Seed }, progress);
        }
        return new HessianAnalysis(model.Label, c.Dimension, eigen, power, trace, density, blocks, critical, pruning, counter.Total);
    }
}

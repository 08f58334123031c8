using Descent.Nn;

namespace Descent.Curvature;

/// <summary>How <see cref="OptimalBrainDamage"/> prunes.</summary>
public sealed record PruningOptions
{
    /// <summary>The share of the candidate weights to set to zero (default 0.5).</summary>
    public double Fraction { get; init; } = 0.5;

    /// <summary>The parameters that may be pruned (default: the weights, <c>kind:weight</c>).</summary>
    public ParameterSelector Candidates { get; init; } = ParameterSelector.Kind(ParameterKind.Weight);

    /// <summary>Use the exact diagonal (one product per parameter) when the model has at most this many
    /// parameters; above it, Hutchinson's estimate (default 5000).</summary>
    public int ExactDiagonalLimit { get; init; } = 5000;

    /// <summary>Probes of Hutchinson's diagonal estimate (default 100).</summary>
    public int Samples { get; init; } = 100;

    /// <summary>Seed of the probes.</summary>
    public ulong Seed { get; init; }
}

/// <summary>What pruning did, next to magnitude pruning of the same number of weights.</summary>
/// <param name="Fraction">The share of candidates pruned.</param>
/// <param name="Pruned">Weights set to zero.</param>
/// <param name="Candidates">Weights that could be pruned.</param>
/// <param name="Before">Objective, loss and accuracy on the evaluation data before pruning.</param>
/// <param name="After">The same after pruning by saliency.</param>
/// <param name="MagnitudeAfter">The same after pruning the same number of smallest |wᵢ| (the baseline).</param>
/// <param name="PredictedIncrease">Σ saliencies of the pruned weights: the quadratic model's loss increase.</param>
/// <param name="ExactDiagonal">True if Hᵢᵢ was computed exactly, false for Hutchinson's estimate.</param>
/// <param name="Products">Curvature products spent on the diagonal.</param>
/// <param name="Mask">1 for kept, 0 for pruned, per flat parameter.</param>
public sealed record PruningResult(double Fraction, int Pruned, int Candidates, (double Objective, double Loss, double Accuracy) Before,
    (double Objective, double Loss, double Accuracy) After, (double Objective, double Loss, double Accuracy) MagnitudeAfter,
    double PredictedIncrease, bool ExactDiagonal, long Products, byte[] Mask);

/// <summary>
/// Pruning by optimal brain damage (LeCun, Denker &amp; Solla 1990): at a minimum the loss increase of deleting
/// weight wᵢ is, to second order with a diagonal curvature, the saliency sᵢ = ½Hᵢᵢwᵢ²; the weights with the smallest
/// saliencies are set to zero. The diagonal comes from the curvature given (OBD used the Gauss-Newton
/// diagonal, which is never negative): exact for small models, Hutchinson's estimate for large ones. The
/// model's weights are restored afterwards; <see cref="PruningResult.Mask"/> says what to zero.
/// </summary>
public static class OptimalBrainDamage
{
    /// <summary>Prunes <paramref name="model"/>'s candidates by saliency from <paramref name="curvature"/> (over the
    /// model's flat parameters) and reports the objective and accuracy on <paramref name="evaluation"/> before and
    /// after, and after magnitude pruning of as many weights.</summary>
    /// <exception cref="ConfigurationException">A fraction outside [0, 1], or no candidate parameters.</exception>
    public static PruningResult Prune(Module model, ICurvature curvature, DatasetObjective evaluation, PruningOptions? options = null,
        IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(curvature);
        ArgumentNullException.ThrowIfNull(evaluation);
        options ??= new PruningOptions();
        if (!(options.Fraction >= 0 && options.Fraction <= 1)) throw new ConfigurationException($"The pruning fraction must lie in [0, 1], got {options.Fraction}.");
        var flat = model.Flat;
        if (curvature.Dimension != flat.Count) throw new ShapeException($"A curvature of dimension {curvature.Dimension} for a model of {flat.Count} parameters.");
        var candidates = new List<int>();
        for (int s = 0; s < flat.Slots.Count; s++)
            if (options.Candidates.Matches(flat.Sites[s]))
                for (int i = 0; i < flat.Slots[s].Length; i++) candidates.Add(flat.Slots[s].Offset + i);
        if (candidates.Count == 0) throw new ConfigurationException($"No parameter of the model matches the pruning selector '{options.Candidates.Text}'.");
        long before = curvature.Products;
        bool exact = flat.Count <= options.ExactDiagonalLimit;
        var diagonal = exact ? curvature.ExactDiagonal() : Hutchinson.Diagonal(curvature, options.Samples, options.Seed, progress).Diagonal;
        var theta = evaluation.Parameters;
        int k = (int)Math.Round(options.Fraction * candidates.Count);
        var bySaliency = candidates.OrderBy(i => 0.5 * diagonal[i] * theta[i] * theta[i]).ThenBy(i => i).Take(k).ToArray();
        var byMagnitude = candidates.OrderBy(i => Math.Abs(theta[i])).ThenBy(i => i).Take(k).ToArray();
        var start = evaluation.Evaluate();
        try
        {
            var after = EvaluateWithout(evaluation, theta, bySaliency);
            var magnitude = EvaluateWithout(evaluation, theta, byMagnitude);
            var mask = Enumerable.Repeat((byte)1, flat.Count).ToArray();
            foreach (var i in bySaliency) mask[i] = 0;
            double predicted = bySaliency.Sum(i => 0.5 * diagonal[i] * theta[i] * theta[i]);
            return new PruningResult(options.Fraction, k, candidates.Count, start, after, magnitude, predicted, exact, curvature.Products - before, mask);
        }
        finally
        {
            evaluation.Parameters = theta;
        }
    }

    private static (double, double, double) EvaluateWithout(DatasetObjective f, double[] theta, int[] pruned)
    {
        var p = (double[])theta.Clone();
        foreach (var i in pruned) p[i] = 0;
        f.Parameters = p;
        return f.Evaluate();
    }
}

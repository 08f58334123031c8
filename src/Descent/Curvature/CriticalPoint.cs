using Descent.Data;
using Descent.Nn;

namespace Descent.Curvature;

/// <summary>The kind of a point by its gradient and Hessian.</summary>
public enum CriticalPointKind
{
    /// <summary>Every eigenvalue positive: a strict local minimum.</summary>
    Minimum,

    /// <summary>Every eigenvalue negative: a strict local maximum.</summary>
    Maximum,

    /// <summary>Eigenvalues of both signs: a saddle point.</summary>
    Saddle,

    /// <summary>Zero eigenvalues and no negative (or no positive) ones: the second-order test cannot tell.</summary>
    Degenerate,
}

/// <summary>The classification of a point (MISSION.md §2, example D: f = x₁² − x₂² at 0 is a saddle).</summary>
/// <param name="Kind">Minimum, maximum, saddle or degenerate, by the Hessian's eigenvalues.</param>
/// <param name="GradientNorm">‖∇f‖ at the point.</param>
/// <param name="IsCritical">True if ‖∇f‖ ≤ the gradient tolerance (otherwise <paramref name="Kind"/> describes the
/// curvature at a point that is not critical).</param>
/// <param name="Negative">Eigenvalues below −zero tolerance (a lower bound when not <paramref name="Exact"/>).</param>
/// <param name="Zero">Eigenvalues within the zero tolerance (among the computed ones when not <paramref name="Exact"/>).</param>
/// <param name="Positive">Eigenvalues above the zero tolerance (a lower bound when not <paramref name="Exact"/>).</param>
/// <param name="Exact">True when every eigenvalue was computed (dense decomposition), false for the ends found by Lanczos.</param>
/// <param name="Largest">The largest eigenvalue.</param>
/// <param name="Smallest">The smallest eigenvalue.</param>
/// <param name="ConditionNumber">λ_max/λ_min at a minimum; +∞ otherwise.</param>
/// <param name="Eigenvalues">All eigenvalues (dense) or the computed ends, largest first.</param>
/// <param name="Products">Hessian-vector products spent.</param>
public sealed record CriticalPointReport(CriticalPointKind Kind, double GradientNorm, bool IsCritical, int Negative, int Zero, int Positive, bool Exact,
    double Largest, double Smallest, double ConditionNumber, IReadOnlyList<double> Eigenvalues, long Products)
{
    /// <summary>A one-line description, e.g. <c>saddle point: 1 negative, 1 positive eigenvalue; ‖∇f‖ = 0</c>.</summary>
    public string Describe()
    {
        string kind = Kind switch
        {
            CriticalPointKind.Minimum => "minimum",
            CriticalPointKind.Maximum => "maximum",
            CriticalPointKind.Saddle => "saddle point",
            _ => "degenerate point (the second-order test is inconclusive)",
        };
        string counts = Exact ? $"{Negative} negative, {Zero} zero, {Positive} positive eigenvalues"
            : $"at least {Negative} negative, {Zero} zero and {Positive} positive eigenvalues (the ends found by Lanczos)";
        string crit = IsCritical ? "" : " (not a critical point: the gradient is not zero)";
        return $"{kind}{crit}: {counts}; λ_max = {Largest:G6}, λ_min = {Smallest:G6}; ‖∇f‖ = {GradientNorm:G4}";
    }
}

/// <summary>What the classification treats as zero and how it finds eigenvalues.</summary>
public sealed record CriticalPointOptions
{
    /// <summary>The point is critical when ‖∇f‖ ≤ this (default 1e-6).</summary>
    public double GradientTolerance { get; init; } = 1e-6;

    /// <summary>Eigenvalues with |λ| ≤ this × max|λ| count as zero (default 1e-8).</summary>
    public double ZeroTolerance { get; init; } = 1e-8;

    /// <summary>Decompose the dense Hessian (n products) up to this dimension; above it, Lanczos finds the ends.</summary>
    public int DenseLimit { get; init; } = 2000;

    /// <summary>Eigenvalues per end for Lanczos above the dense limit.</summary>
    public int Ends { get; init; } = 5;

    /// <summary>Lanczos options above the dense limit.</summary>
    public EigenOptions Lanczos { get; init; } = new() { Tolerance = 1e-4 };
}

/// <summary>
/// Classifies a point by its Hessian's eigenvalues: all positive → minimum, all negative → maximum, both signs
/// → saddle (Goodfellow et al. 2016, §4.3.1). Small problems are decomposed densely, giving the exact count of
/// negative eigenvalues (the saddle's index); large ones get the ends of the spectrum from Lanczos.
/// </summary>
public static class CriticalPoint
{
    /// <summary>Classifies the point of <paramref name="objective"/> at its current parameters (one gradient
    /// evaluation plus the Hessian's products).</summary>
    public static CriticalPointReport Classify(IObjective objective, CriticalPointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        objective.Evaluate();
        var g = objective.Parameters.Grads.ToDoubleArray();
        return Classify(CurvatureOperator.Hessian(objective), g, options);
    }

    /// <summary>Classifies a point given its Hessian <paramref name="hessian"/> and gradient <paramref name="gradient"/>.</summary>
    public static CriticalPointReport Classify(ICurvature hessian, ReadOnlySpan<double> gradient, CriticalPointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hessian);
        options ??= new CriticalPointOptions();
        if (gradient.Length != hessian.Dimension) throw new ShapeException($"A gradient of length {gradient.Length} for a Hessian of order {hessian.Dimension}.");
        double gnorm = VectorMath.Norm(gradient);
        long before = hessian.Products;
        int n = hessian.Dimension;
        double[] values;
        bool exact = n <= options.DenseLimit;
        if (exact) values = SymmetricEigen.Decompose(hessian.Dense(), n).Values;
        else
        {
            int k = Math.Min(options.Ends, n);
            var r = Lanczos.Eigenvalues(hessian, options.Lanczos with { Top = k, Bottom = k });
            values = r.Largest.Select(p => p.Value).Concat(r.Smallest.Select(p => p.Value).Reverse()).ToArray();
        }
        double scale = values.Max(Math.Abs);
        double zero = options.ZeroTolerance * scale;
        int neg = values.Count(v => v < -zero), pos = values.Count(v => v > zero), zer = values.Length - neg - pos;
        var kind = neg > 0 && pos > 0 ? CriticalPointKind.Saddle
            : neg == 0 && zer == 0 && pos > 0 ? CriticalPointKind.Minimum
            : pos == 0 && zer == 0 && neg > 0 ? CriticalPointKind.Maximum
            : CriticalPointKind.Degenerate;
        double max = values.Max(), min = values.Min();
        double cond = kind == CriticalPointKind.Minimum ? max / min : double.PositiveInfinity;
        return new CriticalPointReport(kind, gnorm, gnorm <= options.GradientTolerance, neg, zer, pos, exact, max, min, cond, values,
            hessian.Products - before);
    }
}

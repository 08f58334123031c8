namespace Descent.Curvature;

/// <summary>An eigenvalue estimate with its residual.</summary>
/// <param name="Value">The eigenvalue estimate λ (a Ritz value or Rayleigh quotient).</param>
/// <param name="Residual">‖Cv − λv‖ for the unit vector v (from the Lanczos recurrence, or measured).</param>
/// <param name="RelativeResidual">Residual / max(|λ|, floor) with the floor of <see cref="EigenOptions.ScaleFloor"/>.</param>
/// <param name="Converged">True if the relative residual met the tolerance.</param>
/// <param name="Vector">The unit eigenvector estimate (flat layout), when asked for.</param>
public sealed record EigenPair(double Value, double Residual, double RelativeResidual, bool Converged, double[]? Vector);

/// <summary>What an eigenvalue computation did, like SciPy's result objects: the pairs, iterations, products,
/// whether it converged and why it stopped.</summary>
/// <param name="Method"><c>lanczos</c>, <c>power</c> or <c>dense</c>.</param>
/// <param name="Largest">The largest eigenvalues, largest first.</param>
/// <param name="Smallest">The smallest eigenvalues, smallest first.</param>
/// <param name="Iterations">Iterations (Krylov dimension for Lanczos).</param>
/// <param name="Products">Curvature products spent.</param>
/// <param name="Converged">True if every requested pair converged.</param>
/// <param name="Message">Why it stopped.</param>
/// <param name="Tolerance">The relative-residual tolerance.</param>
/// <param name="Dimension">The order of the matrix.</param>
public sealed record EigenResult(string Method, IReadOnlyList<EigenPair> Largest, IReadOnlyList<EigenPair> Smallest, int Iterations,
    long Products, bool Converged, string Message, double Tolerance, int Dimension)
{
    /// <summary>λ_max / λ_min when both ends were computed and λ_min &gt; 0; +∞ when λ_min ≤ 0 (singular or
    /// indefinite); NaN when an end is missing.</summary>
    public double ConditionNumber => Largest.Count == 0 || Smallest.Count == 0 ? double.NaN
        : Smallest[0].Value > 0 ? Largest[0].Value / Smallest[0].Value : double.PositiveInfinity;
}

/// <summary>What to compute and when to stop.</summary>
public sealed record EigenOptions
{
    /// <summary>How many of the largest eigenvalues (default 1).</summary>
    public int Top { get; init; } = 1;

    /// <summary>How many of the smallest eigenvalues (default 0).</summary>
    public int Bottom { get; init; }

    /// <summary>Stop when every requested pair has ‖Cv − λv‖ ≤ tol·max(|λ|, floor) (default 1e-3).</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>The floor of the relative residual's denominator, as a fraction of the largest |Ritz value|
    /// (so eigenvalues that are zero to this accuracy can converge; default 1e-6).</summary>
    public double ScaleFloor { get; init; } = 1e-6;

    /// <summary>Most iterations (products); null: min(n, 300).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Seed of the start vector.</summary>
    public ulong Seed { get; init; }

    /// <summary>Return the eigenvectors (n doubles each).</summary>
    public bool Vectors { get; init; }

    /// <summary>After stopping, measure each residual with one more product instead of trusting the recurrence's.</summary>
    public bool VerifyResiduals { get; init; }

    internal void Validate(int n)
    {
        if (Top < 0 || Bottom < 0 || Top + Bottom < 1)
            throw new ConfigurationException($"Ask for at least one eigenvalue (top {Top}, bottom {Bottom}).");
        if (Top > n || Bottom > n)
            throw new ConfigurationException($"The matrix has {n} eigenvalues; asked for top {Top} and bottom {Bottom}.");
        if (!(Tolerance > 0) || !double.IsFinite(Tolerance)) throw new ConfigurationException($"The tolerance must be a positive number, got {Tolerance}.");
        if (!(ScaleFloor >= 0) || !double.IsFinite(ScaleFloor)) throw new ConfigurationException($"The scale floor must be ≥ 0, got {ScaleFloor}.");
        if (MaxIterations is int m && m < 1) throw new ConfigurationException($"The iteration limit must be at least 1, got {m}.");
    }
}

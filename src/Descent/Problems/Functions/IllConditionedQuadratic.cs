using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>
/// The course's conditioning example <c>E(θ) = Σᵢ αᵢ θᵢ²</c> (minimum at 0) with the αᵢ spaced
/// geometrically from 1 to κ, so the Hessian 2·diag(α) has condition number κ. A gradient step with
/// rate γ multiplies the error along i by (1 − 2γαᵢ); it converges iff γ &lt; 1/α_max.
/// </summary>
public sealed class IllConditionedQuadratic : TestFunction
{
    private readonly double[] alpha;

    /// <summary>Creates the quadratic with condition number <paramref name="kappa"/>.</summary>
    public IllConditionedQuadratic(int dimension = 2, double kappa = 10) : base(dimension)
    {
        if (!(kappa >= 1) || double.IsInfinity(kappa)) throw new ConfigurationException($"quadratic: kappa must be a finite number ≥ 1, got {kappa}.");
        Kappa = kappa;
        alpha = new double[dimension];
        for (int i = 0; i < dimension; i++) alpha[i] = dimension == 1 ? 1 : Math.Pow(kappa, (double)i / (dimension - 1));
    }

    /// <summary>The condition number of the Hessian.</summary>
    public double Kappa { get; }

    /// <summary>The coefficients αᵢ.</summary>
    public IReadOnlyList<double> Alpha => alpha;

    /// <inheritdoc />
    public override string Name => "quadratic";

    /// <inheritdoc />
    public override string Formula => $"f(x) = Σ αᵢ xᵢ², α from 1 to κ = {Kappa:G4}";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor x) => (x.Square() * Tensor.From(alpha).To(x.DType)).Sum();

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += alpha[i] * x[i] * x[i];
        return s;
    }

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        for (int i = 0; i < x.Length; i++) g[i] = 2 * alpha[i] * x[i];
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> x)
    {
        var h = new double[Dimension, Dimension];
        for (int i = 0; i < Dimension; i++) h[i, i] = 2 * alpha[i];
        return h;
    }

    /// <inheritdoc />
    public override IReadOnlyList<double[]> Minimizers => [new double[Dimension]];

    /// <inheritdoc />
    public override double[] DefaultStart => Enumerable.Repeat(1.0, Dimension).ToArray();
}

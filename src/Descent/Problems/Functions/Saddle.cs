using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary><c>f(x) = x₁² − x₂²</c>: a critical point at 0 with Hessian diag(2, −2), a saddle
/// (the course's example D, docs/course.md).</summary>
public sealed class Saddle() : TestFunction(2)
{
    /// <inheritdoc />
    public override string Name => "saddle";

    /// <inheritdoc />
    public override string Formula => "f(x) = x₁² − x₂²";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor x) => (At(x, 0).Square() - At(x, 1).Square()).Sum();

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> x) => x[0] * x[0] - x[1] * x[1];

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * x[0];
        g[1] = -2 * x[1];
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> x) => new double[,] { { 2, 0 }, { 0, -2 } };

    /// <summary>The saddle has no minimizer; the critical point is the origin.</summary>
    public override IReadOnlyList<double[]> Minimizers => [];

    /// <inheritdoc />
    public override double[] DefaultStart => [1.0, 1e-3];

    /// <inheritdoc />
    public override (double Min, double Max) PlotRange => (-1.5, 1.5);
}

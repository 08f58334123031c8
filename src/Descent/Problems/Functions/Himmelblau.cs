using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>Himmelblau's function <c>(x² + y − 11)² + (x + y² − 7)²</c>: four global minima (value 0),
/// one local maximum and four saddles.</summary>
public sealed class Himmelblau() : TestFunction(2)
{
    /// <inheritdoc />
    public override string Name => "himmelblau";

    /// <inheritdoc />
    public override string Formula => "f(x, y) = (x² + y − 11)² + (x + y² − 7)²";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor v)
    {
        var x = At(v, 0); var y = At(v, 1);
        return ((x.Square() + y - 11.0).Square() + (x + y.Square() - 7.0).Square()).Sum();
    }

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> v)
    {
        double a = v[0] * v[0] + v[1] - 11, b = v[0] + v[1] * v[1] - 7;
        return a * a + b * b;
    }

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> v, Span<double> g)
    {
        double x = v[0], y = v[1], a = x * x + y - 11, b = x + y * y - 7;
        g[0] = 4 * x * a + 2 * b;
        g[1] = 2 * a + 4 * y * b;
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> v)
    {
        double x = v[0], y = v[1], a = x * x + y - 11, b = x + y * y - 7;
        double hxx = 4 * a + 8 * x * x + 2, hyy = 2 + 4 * b + 8 * y * y, hxy = 4 * x + 4 * y;
        return new double[,] { { hxx, hxy }, { hxy, hyy } };
    }

    /// <inheritdoc />
    public override IReadOnlyList<double[]> Minimizers =>
        [[3.0, 2.0], [-2.805118086952745, 3.131312518250573], [-3.779310253377747, -3.283185991286170], [3.584428340330492, -1.848126526964404]];

    /// <inheritdoc />
    public override double[] DefaultStart => [0.0, 0.0];

    /// <inheritdoc />
    public override (double Min, double Max) PlotRange => (-5, 5);
}

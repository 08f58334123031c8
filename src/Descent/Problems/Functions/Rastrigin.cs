using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>Rastrigin's function <c>10n + Σ (xᵢ² − 10 cos 2πxᵢ)</c>: a bowl covered with regularly
/// spaced local minima; global minimum 0 at the origin.</summary>
public sealed class Rastrigin(int dimension = 2) : TestFunction(dimension)
{
    private const double TwoPi = 2 * Math.PI;

    /// <inheritdoc />
    public override string Name => "rastrigin";

    /// <inheritdoc />
    public override string Formula => "f(x) = 10n + Σ (xᵢ² − 10 cos 2πxᵢ)";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor x) => (x.Square() - 10.0 * (x * TwoPi).Cos()).Sum() + 10.0 * Dimension;

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> x)
    {
        double s = 10 * x.Length;
        foreach (var v in x) s += v * v - 10 * Math.Cos(TwoPi * v);
        return s;
    }

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        for (int i = 0; i < x.Length; i++) g[i] = 2 * x[i] + 10 * TwoPi * Math.Sin(TwoPi * x[i]);
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> x)
    {
        var h = new double[x.Length, x.Length];
        for (int i = 0; i < x.Length; i++) h[i, i] = 2 + 10 * TwoPi * TwoPi * Math.Cos(TwoPi * x[i]);
        return h;
    }

    /// <inheritdoc />
    public override IReadOnlyList<double[]> Minimizers => [new double[Dimension]];

    /// <inheritdoc />
    public override double[] DefaultStart => Enumerable.Repeat(2.3, Dimension).ToArray();

    /// <inheritdoc />
    public override (double Min, double Max) PlotRange => (-5.12, 5.12);
}

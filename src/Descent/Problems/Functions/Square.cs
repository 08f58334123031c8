using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary><c>f(x) = Σ xᵢ²</c> in any dimension: gradient 2x, Hessian 2I (the course's example F, docs/course.md).</summary>
public sealed class Square(int dimension = 1) : TestFunction(dimension)
{
    /// <inheritdoc />
    public override string Name => "square";

    /// <inheritdoc />
    public override string Formula => "f(x) = Σ xᵢ²";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor x) => x.Square().Sum();

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += v * v;
        return s;
    }

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        for (int i = 0; i < x.Length; i++) g[i] = 2 * x[i];
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> x)
    {
        var h = new double[Dimension, Dimension];
        for (int i = 0; i < Dimension; i++) h[i, i] = 2;
        return h;
    }

    /// <inheritdoc />
    public override IReadOnlyList<double[]> Minimizers => [new double[Dimension]];

    /// <inheritdoc />
    public override double[] DefaultStart => Enumerable.Repeat(10.0, Dimension).ToArray();

    /// <inheritdoc />
    public override (double Min, double Max) PlotRange => (-12, 12);
}

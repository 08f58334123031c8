using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>Rosenbrock's banana valley, generalized to n variables:
/// <c>f(x) = Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²</c>, minimum 0 at (1, …, 1).</summary>
public sealed class Rosenbrock(int dimension = 2) : TestFunction(Math.Max(dimension, 2))
{
    /// <inheritdoc />
    public override string Name => "rosenbrock";

    /// <inheritdoc />
    public override string Formula => "f(x) = Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor x)
    {
        int n = Dimension;
        var head = x.Narrow(0, 0, n - 1);
        var tail = x.Narrow(0, 1, n - 1);
        return ((tail - head.Square()).Square() * 100.0 + (1.0 - head).Square()).Sum();
    }

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g.Clear();
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
            g[i + 1] += 200 * a;
        }
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        var h = new double[n, n];
        for (int i = 0; i + 1 < n; i++)
        {
            h[i, i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
            h[i, i + 1] += -400 * x[i];
            h[i + 1, i] += -400 * x[i];
            h[i + 1, i + 1] += 200;
        }
        return h;
    }

    /// <inheritdoc />
    public override IReadOnlyList<double[]> Minimizers => [Enumerable.Repeat(1.0, Dimension).ToArray()];

    /// <inheritdoc />
    public override double[] DefaultStart => Dimension == 2 ? [-1.5, 2.0] : Enumerable.Repeat(-1.2, Dimension).ToArray();

    /// <inheritdoc />
    public override (double Min, double Max) PlotRange => (-2, 3);
}

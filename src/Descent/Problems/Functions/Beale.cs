using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>Beale's function <c>(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²</c>,
/// minimum 0 at (3, 0.5); flat plateaus and steep ridges.</summary>
public sealed class Beale() : TestFunction(2)
{
    private static readonly double[] C = [1.5, 2.25, 2.625];

    /// <inheritdoc />
    public override string Name => "beale";

    /// <inheritdoc />
    public override string Formula => "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²";

    /// <inheritdoc />
    public override Tensor Evaluate(Tensor v)
    {
        var x = At(v, 0); var y = At(v, 1);
        Tensor? s = null;
        var yk = y;
        for (int k = 0; k < 3; k++)
        {
            var t = (C[k] - x + x * yk).Square();
            s = s is null ? t : s + t;
            if (k < 2) yk = yk * y;
        }
        return s!.Sum();
    }

    /// <inheritdoc />
    public override double Value(ReadOnlySpan<double> v)
    {
        double x = v[0], y = v[1], s = 0;
        for (int k = 0; k < 3; k++)
        {
            double t = C[k] - x + x * Math.Pow(y, k + 1);
            s += t * t;
        }
        return s;
    }

    /// <inheritdoc />
    public override void Gradient(ReadOnlySpan<double> v, Span<double> g)
    {
        double x = v[0], y = v[1];
        g[0] = 0; g[1] = 0;
        for (int k = 0; k < 3; k++)
        {
            int p = k + 1;
            double t = C[k] - x + x * Math.Pow(y, p);
            g[0] += 2 * t * (Math.Pow(y, p) - 1);
            g[1] += 2 * t * x * p * Math.Pow(y, p - 1);
        }
    }

    /// <inheritdoc />
    public override double[,] Hessian(ReadOnlySpan<double> v)
    {
        double x = v[0], y = v[1], hxx = 0, hxy = 0, hyy = 0;
        for (int k = 0; k < 3; k++)
        {
            int p = k + 1;
            double yp = Math.Pow(y, p), dyp = p * Math.Pow(y, p - 1), d2yp = p * (p - 1) * (p >= 2 ? Math.Pow(y, p - 2) : 0);
            double t = C[k] - x + x * yp;
            double tx = yp - 1, ty = x * dyp;
            hxx += 2 * tx * tx;
            hxy += 2 * (ty * tx + t * dyp);
            hyy += 2 * (ty * ty + t * x * d2yp);
        }
        return new double[,] { { hxx, hxy }, { hxy, hyy } };
    }

    /// <inheritdoc />
    public override IReadOnlyList<double[]> Minimizers => [[3.0, 0.5]];

    /// <inheritdoc />
    public override double[] DefaultStart => [1.0, 1.5];

    /// <inheritdoc />
    public override (double Min, double Max) PlotRange => (-4.5, 4.5);
}

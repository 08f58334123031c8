using System.Numerics;
using S = Descent.Tensors.Kernels.SpecialFunctions;

namespace Descent.Tensors.Kernels;

/// <summary>
/// erf and the exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), a vector at a time: <see cref="SpecialFunctions"/>'s
/// approximations (Cody 1969) evaluated for every lane in each interval and the right one selected, with vector
/// exponentials. About 7 ns per element instead of 20 for the scalar loop (all three branches are computed). Same formulas in the same order as
/// the scalar functions; the vector exponential may differ from <see cref="Math.Exp(double)"/> in the last place.
/// </summary>
internal static class ErfVector
{
    private static readonly double InvSqrt2 = 1 / Math.Sqrt(2);

    /// <summary>d = erf(x), or the exact GELU of x with <paramref name="gelu"/>.</summary>
    public static void Apply<T>(ReadOnlySpan<T> x, Span<T> d, bool gelu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = d.Length, w = Vector<T>.Count, i = 0;
        var half = new Vector<T>(T.CreateTruncating(0.5));
        var scale = new Vector<T>(T.CreateTruncating(InvSqrt2));
        for (; i + w <= n; i += w)
        {
            var v = new Vector<T>(x.Slice(i, w));
            var r = gelu ? half * v * (Vector<T>.One + Erf(v * scale)) : Erf(v);
            r.CopyTo(d.Slice(i, w));
        }
        for (; i < n; i++) d[i] = UnaryKernels.Scalar(gelu ? UnaryOp.Gelu : UnaryOp.Erf, x[i]);
    }

    private static Vector<T> K<T>(double c) where T : unmanaged, IFloatingPointIeee754<T> => new(T.CreateTruncating(c));

    private static Vector<T> Erf<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector<T>.One;
        var y = Vector.Abs(x);

        // |x| ≤ 0.46875: x·A(x²)/B(x²)
        var s = x * x;
        var num = K<T>(S.A[4]) * s;
        var den = s;
        for (int k = 0; k < 3; k++)
        {
            num = (num + K<T>(S.A[k])) * s;
            den = (den + K<T>(S.B[k])) * s;
        }
        var small = x * (num + K<T>(S.A[3])) / (den + K<T>(S.B[3]));

        // 0.46875 < |x| ≤ 4: C(y)/D(y)
        num = K<T>(S.C[8]) * y;
        den = y;
        for (int k = 0; k < 7; k++)
        {
            num = (num + K<T>(S.C[k])) * y;
            den = (den + K<T>(S.D[k])) * y;
        }
        var middle = (num + K<T>(S.C[7])) / (den + K<T>(S.D[7]));

        // |x| > 4: (1/√π − s·P(s)/Q(s))/y with s = 1/y²
        var t2 = one / (y * y);
        num = K<T>(S.P[5]) * t2;
        den = t2;
        for (int k = 0; k < 4; k++)
        {
            num = (num + K<T>(S.P[k])) * t2;
            den = (den + K<T>(S.Q[k])) * t2;
        }
        var large = (K<T>(S.OneOverSqrtPi) - t2 * (num + K<T>(S.P[4])) / (den + K<T>(S.Q[4]))) / y;

        var r = Vector.ConditionalSelect(Vector.LessThanOrEqual(y, K<T>(4)), middle, large);
        // e^(−y²) = e^(−t²)·e^(−(y−t)(y+t)), t = y rounded down to 1/16
        var t = Floor(y * K<T>(16)) / K<T>(16);
        var erfc = Exp(-(t * t)) * Exp(-((y - t) * (y + t))) * r;
        erfc = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(y, K<T>(S.Underflow)), Vector<T>.Zero, erfc);
        var tail = one - erfc;
        tail = Vector.ConditionalSelect(Vector.LessThan(x, Vector<T>.Zero), -tail, tail);
        return Vector.ConditionalSelect(Vector.LessThanOrEqual(y, K<T>(S.SmallLimit)), small, tail);
    }

    private static Vector<T> Floor<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector.Floor(v.As<T, float>()).As<float, T>() : Vector.Floor(v.As<T, double>()).As<double, T>();

    private static Vector<T> Exp<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector.Exp(v.As<T, float>()).As<float, T>() : Vector.Exp(v.As<T, double>()).As<double, T>();
}

using System.Numerics;
using S = Descent.Tensors.Kernels.SpecialFunctions;

namespace Descent.Tensors.Kernels;

/// <summary>
/// erf and the exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), a vector at a time: <see cref="SpecialFunctions"/>'s
/// approximations (Cody 1969) evaluated for every lane in each interval and the right one selected, with vector
/// exponentials (the loop is <see cref="VectorFunctions.Map{TF, T}"/>). About 7 ns per element instead of 20 for the
/// scalar loop (all three branches are computed). Same formulas in the same order as the scalar functions; the
/// vector exponential may differ from <see cref="Math.Exp(double)"/> in the last place.
/// </summary>
internal static class ErfVector
{
    /// <summary>erf(x).</summary>
    public readonly struct Erf : IVectorFunction
    {
        public static Vector<T> Apply<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> => Of(v);
    }

    /// <summary>x/2·(1 + erf(x/√2)).</summary>
    public readonly struct Gelu : IVectorFunction
    {
        private static readonly double InvSqrt2 = 1 / Math.Sqrt(2);

        public static Vector<T> Apply<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
            K<T>(0.5) * v * (Vector<T>.One + Of(v * K<T>(InvSqrt2)));
    }

    private static Vector<T> K<T>(double c) where T : unmanaged, IFloatingPointIeee754<T> => new(T.CreateTruncating(c));

    private static Vector<T> Of<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
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
        var t = VectorFunctions.Floor(y * K<T>(16)) / K<T>(16);
        var erfc = VectorFunctions.Exp(-(t * t)) * VectorFunctions.Exp(-((y - t) * (y + t))) * r;
        erfc = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(y, K<T>(S.Underflow)), Vector<T>.Zero, erfc);
        var tail = one - erfc;
        tail = Vector.ConditionalSelect(Vector.LessThan(x, Vector<T>.Zero), -tail, tail);
        return Vector.ConditionalSelect(Vector.LessThanOrEqual(y, K<T>(S.SmallLimit)), small, tail);
    }
}

using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>The element-wise binary operations with a broadcasting kernel.</summary>
public enum BinaryOp
{
    /// <summary>x + y</summary>
    Add,
    /// <summary>x − y</summary>
    Sub,
    /// <summary>x · y</summary>
    Mul,
    /// <summary>x / y</summary>
    Div,
    /// <summary>x ^ y</summary>
    Pow,
    /// <summary>max(x, y)</summary>
    Max,
    /// <summary>min(x, y)</summary>
    Min,
    /// <summary>1 where x &gt; y, else 0</summary>
    Gt,
    /// <summary>1 where x ≥ y, else 0</summary>
    Ge,
    /// <summary>1 where x &lt; y, else 0</summary>
    Lt,
    /// <summary>1 where x ≤ y, else 0</summary>
    Le,
    /// <summary>1 where x = y, else 0</summary>
    Eq,
}

/// <summary>Element-wise binary kernels over spans of equal length, or a span and a scalar.
/// Vectorized through <c>TensorPrimitives</c>; <see cref="Scalar{T}"/> is the plain reference.</summary>
public static class BinaryKernels
{
    /// <summary>d = op(x, y), element by element.</summary>
    public static void Apply<T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TP.Add(x, y, d); break;
            case BinaryOp.Sub: TP.Subtract(x, y, d); break;
            case BinaryOp.Mul: TP.Multiply(x, y, d); break;
            case BinaryOp.Div: TP.Divide(x, y, d); break;
            case BinaryOp.Pow: TP.Pow(x, y, d); break;
            case BinaryOp.Max: TP.Max(x, y, d); break;
            case BinaryOp.Min: TP.Min(x, y, d); break;
            default: Comparisons.Apply(op, x, y, d); break;
        }
    }

    /// <summary>d = op(x, y) with a scalar right operand.</summary>
    public static void Apply<T>(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TP.Add(x, y, d); break;
            case BinaryOp.Sub: TP.Subtract(x, y, d); break;
            case BinaryOp.Mul: TP.Multiply(x, y, d); break;
            case BinaryOp.Div: TP.Divide(x, y, d); break;
            case BinaryOp.Pow: PowByScalar(x, y, d); break;
            case BinaryOp.Max: TP.Max(x, y, d); break;
            case BinaryOp.Min: TP.Min(x, y, d); break;
            default: Comparisons.Apply(op, x, y, d); break;
        }
    }

    /// <summary>
    /// d = x^y for a scalar y. TensorPrimitives' Pow calls pow per element (about 13 ns); the exponents PyTorch's
    /// CPU kernel also special-cases run a vector at a time instead: 2 and 3 as multiplies (x·x, (x·x)·x), ½ and −½
    /// as square roots (1/√x for −½), −1 as a reciprocal, 1 and 0 as a copy and a fill. They keep pow's special
    /// values: (−0)^½ = +0, (−∞)^½ = +∞, (−0)^−½ = +∞, (−∞)^−½ = +0. Cubes and 1/√x round twice, so they may
    /// differ from pow in the last bit, as PyTorch's do. d may be x itself.
    /// </summary>
    private static void PowByScalar<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T half = T.CreateTruncating(0.5);
        bool cube = y == T.CreateTruncating(3);
        if (y == T.CreateTruncating(2)) TP.Multiply(x, x, d);
        else if (y == T.NegativeOne) TP.Divide(T.One, x, d);
        else if (y == T.One) x.CopyTo(d);
        else if (y == T.Zero) d[..x.Length].Fill(T.One);
        else if (cube || y == half || y == -half)
        {
            const int Chunk = 256;
            Span<T> t = stackalloc T[Chunk];
            for (int i = 0; i < x.Length; i += Chunk)
            {
                int n = Math.Min(Chunk, x.Length - i);
                var xs = x.Slice(i, n);
                var ts = t[..n];
                if (cube)
                {
                    TP.Multiply(xs, xs, ts);
                    TP.Multiply(ts, xs, ts);
                }
                else
                {
                    TP.Sqrt(xs, ts);
                    TP.Add(ts, T.Zero, ts);                        // −0 → +0, as pow gives
                    if (y != half) TP.Divide(T.One, ts, ts);
                    T atMinusInfinity = y == half ? T.PositiveInfinity : T.Zero;
                    for (int k = xs.IndexOf(T.NegativeInfinity); k >= 0; k = NextIndex(xs, k, T.NegativeInfinity))
                        ts[k] = atMinusInfinity;                  // √−∞ is NaN; pow(−∞, ±½) is not
                }
                ts.CopyTo(d.Slice(i, n));
            }
        }
        else TP.Pow(x, y, d);
    }

    private static int NextIndex<T>(ReadOnlySpan<T> s, int after, T value) where T : IEquatable<T>
    {
        int k = s[(after + 1)..].IndexOf(value);
        return k < 0 ? -1 : after + 1 + k;
    }

    /// <summary>d = op(x, y) with a scalar left operand.</summary>
    public static void Apply<T>(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TP.Add(y, x, d); break;
            case BinaryOp.Sub: TP.Subtract(x, y, d); break;
            case BinaryOp.Mul: TP.Multiply(y, x, d); break;
            case BinaryOp.Div: TP.Divide(x, y, d); break;
            case BinaryOp.Pow: TP.Pow(x, y, d); break;
            case BinaryOp.Max: TP.Max(y, x, d); break;
            case BinaryOp.Min: TP.Min(y, x, d); break;
            default: Comparisons.Apply(op, x, y, d); break;
        }
    }

    /// <summary>The reference definition of each operation on one pair of values.</summary>
    public static T Scalar<T>(BinaryOp op, T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Sub => x - y,
        BinaryOp.Mul => x * y,
        BinaryOp.Div => x / y,
        BinaryOp.Pow => T.Pow(x, y),
        BinaryOp.Max => T.IsNaN(x) || T.IsNaN(y) ? T.NaN : T.Max(x, y),
        BinaryOp.Min => T.IsNaN(x) || T.IsNaN(y) ? T.NaN : T.Min(x, y),
        BinaryOp.Gt => x > y ? T.One : T.Zero,
        BinaryOp.Ge => x >= y ? T.One : T.Zero,
        BinaryOp.Lt => x < y ? T.One : T.Zero,
        BinaryOp.Le => x <= y ? T.One : T.Zero,
        BinaryOp.Eq => x == y ? T.One : T.Zero,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}

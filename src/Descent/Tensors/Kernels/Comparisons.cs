using System.Numerics;

namespace Descent.Tensors.Kernels;

/// <summary>
/// The comparison ops (<see cref="BinaryOp.Gt"/> … <see cref="BinaryOp.Eq"/>: 1 where true, else 0; false with a
/// NaN, as in <see cref="BinaryKernels.Scalar{T}"/>) a vector at a time: a vector mask ANDed with 1. A loop
/// through the scalar definition took about 8 ns per element.
/// </summary>
internal static class Comparisons
{
    private interface ICompare
    {
        static abstract Vector<T> Mask<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    private readonly struct Gt : ICompare { public static Vector<T> Mask<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector.GreaterThan(a, b); }
    private readonly struct Ge : ICompare { public static Vector<T> Mask<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector.GreaterThanOrEqual(a, b); }
    private readonly struct Lt : ICompare { public static Vector<T> Mask<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector.LessThan(a, b); }
    private readonly struct Le : ICompare { public static Vector<T> Mask<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector.LessThanOrEqual(a, b); }
    private readonly struct Eq : ICompare { public static Vector<T> Mask<T>(Vector<T> a, Vector<T> b) where T : unmanaged, IFloatingPointIeee754<T> => Vector.Equals(a, b); }

    /// <summary>d = op(x, y) over two spans.</summary>
    public static void Apply<T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Dispatch(op, x, y, null, null, d);

    /// <summary>d = op(x, y) with a scalar right operand.</summary>
    public static void Apply<T>(BinaryOp op, ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Dispatch(op, x, default, null, y, d);

    /// <summary>d = op(x, y) with a scalar left operand.</summary>
    public static void Apply<T>(BinaryOp op, T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Dispatch(op, default, y, x, null, d);

    private static void Dispatch<T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, T? xs, T? ys, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Gt: Run<Gt, T>(op, x, y, xs, ys, d); break;
            case BinaryOp.Ge: Run<Ge, T>(op, x, y, xs, ys, d); break;
            case BinaryOp.Lt: Run<Lt, T>(op, x, y, xs, ys, d); break;
            case BinaryOp.Le: Run<Le, T>(op, x, y, xs, ys, d); break;
            case BinaryOp.Eq: Run<Eq, T>(op, x, y, xs, ys, d); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "not a comparison");
        }
    }

    /// <summary>One loop for every form: an operand given as a scalar (<paramref name="xs"/>, <paramref name="ys"/>)
    /// is splatted; otherwise its span is read.</summary>
    private static void Run<TC, T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, T? xs, T? ys, Span<T> d)
        where TC : struct, ICompare
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = d.Length, w = Vector<T>.Count, i = 0;
        var one = Vector<T>.One;
        var xv = xs is T a ? new Vector<T>(a) : default;
        var yv = ys is T b ? new Vector<T>(b) : default;
        bool xScalar = xs.HasValue, yScalar = ys.HasValue;
        for (; i + w <= n; i += w)
        {
            var l = xScalar ? xv : new Vector<T>(x.Slice(i, w));
            var r = yScalar ? yv : new Vector<T>(y.Slice(i, w));
            (TC.Mask(l, r) & one).CopyTo(d.Slice(i, w));
        }
        for (; i < n; i++)
            d[i] = BinaryKernels.Scalar(op, xScalar ? xs!.Value : x[i], yScalar ? ys!.Value : y[i]);
    }
}

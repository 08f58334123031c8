using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>Reductions along one axis of a tensor viewed as [outer, n, inner] (row-major).
/// The summation order is fixed, so results are reproducible bit for bit.</summary>
public static class Reduce
{
    /// <summary>o[outer, inner] = Σ_l x[outer, l, inner].</summary>
    public static void Sum<T>(ReadOnlySpan<T> x, Span<T> o, int outer, int n, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int r = 0; r < outer; r++) o[r] = TP.Sum(x.Slice(r * n, n));
            return;
        }
        for (int r = 0; r < outer; r++)
        {
            var dst = o.Slice(r * inner, inner);
            var src = x.Slice(r * n * inner, n * inner);
            if (n == 0) { dst.Clear(); continue; }
            src.Slice(0, inner).CopyTo(dst);
            for (int l = 1; l < n; l++) TP.Add(dst, src.Slice(l * inner, inner), dst);
        }
    }

    /// <summary>o[outer, inner] = max_l x[outer, l, inner] (NaN propagates).</summary>
    public static void Max<T>(ReadOnlySpan<T> x, Span<T> o, int outer, int n, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0) throw new ShapeException("Max over an empty axis.");
        if (inner == 1)
        {
            for (int r = 0; r < outer; r++) o[r] = TP.Max(x.Slice(r * n, n));
            return;
        }
        for (int r = 0; r < outer; r++)
        {
            var dst = o.Slice(r * inner, inner);
            var src = x.Slice(r * n * inner, n * inner);
            src.Slice(0, inner).CopyTo(dst);
            for (int l = 1; l < n; l++) TP.Max(dst, src.Slice(l * inner, inner), dst);
        }
    }

    /// <summary>o[outer, inner] = index of the first maximum along the axis.</summary>
    public static void ArgMax<T>(ReadOnlySpan<T> x, Span<int> o, int outer, int n, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n == 0) throw new ShapeException("ArgMax over an empty axis.");
        for (int r = 0; r < outer; r++)
        {
            if (inner == 1)
            {
                o[r] = TP.IndexOfMax(x.Slice(r * n, n));
                continue;
            }
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                T bv = x[r * n * inner + i];
                for (int l = 1; l < n; l++)
                {
                    T v = x[(r * n + l) * inner + i];
                    if (v > bv || (T.IsNaN(v) && !T.IsNaN(bv))) { bv = v; best = l; }
                }
                o[r * inner + i] = best;
            }
        }
    }
}

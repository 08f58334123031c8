using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>Stable softmax and log-softmax along one axis of a tensor viewed as [outer, n, inner].</summary>
public static class SoftmaxKernels
{
    /// <summary>o = softmax(x) (or log-softmax when <paramref name="log"/>) along the middle axis.</summary>
    public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> o, int outer, int n, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int r = 0; r < outer; r++) Row(x.Slice(r * n, n), o.Slice(r * n, n), log);
            return;
        }
        var col = new T[n];
        var res = new T[n];
        for (int r = 0; r < outer; r++)
            for (int i = 0; i < inner; i++)
            {
                for (int l = 0; l < n; l++) col[l] = x[(r * n + l) * inner + i];
                Row(col, res, log);
                for (int l = 0; l < n; l++) o[(r * n + l) * inner + i] = res[l];
            }
    }

    private static void Row<T>(ReadOnlySpan<T> x, Span<T> o, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0) return;
        T m = TP.Max(x);
        if (!T.IsFinite(m)) m = T.IsNaN(m) ? m : T.Zero;
        TP.Subtract(x, m, o);
        if (log)
        {
            // o = x − m − log Σ e^(x−m)
            TP.Subtract(o, T.Log(SumExp<T>(o)), o);
        }
        else
        {
            TP.Exp(o, o);
            T s = TP.Sum(o);
            TP.Divide(o, s, o);
        }
    }

    /// <summary>Σ eˣ with vector exponentials, a chunk at a time through a stack buffer (a scalar loop of
    /// <c>T.Exp</c> made log-softmax three times slower than softmax).</summary>
    private static T SumExp<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Chunk = 256;
        Span<T> buffer = stackalloc T[Chunk];
        T s = T.Zero;
        for (int at = 0; at < x.Length; at += Chunk)
        {
            var e = buffer[..Math.Min(Chunk, x.Length - at)];
            TP.Exp(x.Slice(at, e.Length), e);
            s += TP.Sum<T>(e);
        }
        return s;
    }
}

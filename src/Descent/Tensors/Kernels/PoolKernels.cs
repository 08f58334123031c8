using System.Numerics;
using System.Runtime.InteropServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Max and average pooling over NCHW planes (direct loops, parallel over the N·C planes), with the
/// linear maps their gradients need. Windows follow PyTorch's <c>max_pool2d</c>/<c>avg_pool2d</c>
/// (<see cref="ConvGeometry"/> with OC = C and dilation 1): window (oh, ow) covers rows
/// [oh·SH − PH, oh·SH − PH + KH) and columns likewise, clipped to the input. Max pooling treats the
/// padding as −∞ and records, per output, the in-plane index of the first maximum in row-major window
/// order (a NaN wins, so it propagates). Average pooling divides by KH·KW (PyTorch's default
/// <c>count_include_pad = true</c>). Argmax indices are stored as <c>int</c> bits inside a float array,
/// so they live in an ordinary pooled tensor next to the graph that needs them.
/// </summary>
internal static class PoolKernels
{
    /// <summary>y = max over each window; idx = in-plane index of the chosen element.</summary>
    public static void MaxForward<T>(T[] x, int xOff, T[] y, int yOff, float[] idx, int idxOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh0 = g.OH, ow0 = g.OW, p = g.P, hw = g.HW;
        bool twoByTwo = g.KH == 2 && g.KW == 2 && g.PH == 0 && g.PW == 0;
        ConvKernels.For(g.N * g.C, (long)p * g.KH * g.KW, plane =>
        {
            var src = new ReadOnlySpan<T>(x, xOff + plane * hw, hw);
            var dst = new Span<T>(y, yOff + plane * p, p);
            var ix = MemoryMarshal.Cast<float, int>(new Span<float>(idx, idxOff + plane * p, p));
            if (twoByTwo)
            {
                MaxTwoByTwo(src, dst, ix, g);
                return;
            }
            for (int oh = 0; oh < oh0; oh++)
            {
                int h0 = oh * g.SH - g.PH, h1 = Math.Min(h0 + g.KH, g.H);
                h0 = Math.Max(h0, 0);
                for (int ow = 0; ow < ow0; ow++)
                {
                    int w0 = ow * g.SW - g.PW, w1 = Math.Min(w0 + g.KW, g.W);
                    w0 = Math.Max(w0, 0);
                    // the maximum without data-dependent branches (T.Max propagates NaN), then the first
                    // position holding it: one unpredictable exit per window instead of one per element
                    T best = T.NegativeInfinity;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) best = T.Max(best, src[ih * g.W + iw]);
                    bool nan = T.IsNaN(best);
                    int at = h0 * g.W + w0;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            T v = src[ih * g.W + iw];
                            if (v == best || (nan && T.IsNaN(v)))
                            {
                                at = ih * g.W + iw;
                                goto done;
                            }
                        }
                    done:
                    dst[oh * ow0 + ow] = best;
                    ix[oh * ow0 + ow] = at;
                }
            }
        });
    }

    /// <summary>2×2 windows without padding (never clipped), without data-dependent branches: the maximum
    /// (NaN-propagating), then the first of the four positions that holds it; windows with a NaN take the
    /// general rule.</summary>
    private static void MaxTwoByTwo<T>(ReadOnlySpan<T> src, Span<T> dst, Span<int> ix, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = g.W, ow0 = g.OW;
        for (int oh = 0; oh < g.OH; oh++)
        {
            int r0 = oh * g.SH * w;
            for (int ow = 0, at = r0; ow < ow0; ow++, at += g.SW)
            {
                T a = src[at], b = src[at + 1], c = src[at + w], d = src[at + w + 1];
                T m = T.Max(T.Max(a, b), T.Max(c, d));
                int k;
                if (T.IsNaN(m)) k = T.IsNaN(a) ? 0 : T.IsNaN(b) ? 1 : T.IsNaN(c) ? 2 : 3;
                else k = (1 - Bit(a == m)) * (1 + (1 - Bit(b == m)) * (1 + (1 - Bit(c == m))));
                dst[oh * ow0 + ow] = m;
                ix[oh * ow0 + ow] = at + (k & 1) + (k >> 1) * w;
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int Bit(bool b) => System.Runtime.CompilerServices.Unsafe.As<bool, byte>(ref b);

    /// <summary>dx = zeros with gy[o] added at idx[o] of its plane (the gradient of max pooling; overwrites dx).</summary>
    public static void MaxScatter<T>(T[] gy, int gyOff, float[] idx, int idxOff, T[] dx, int dxOff, ConvGeometry g)
        where T : unmanaged, INumberBase<T>
    {
        int p = g.P, hw = g.HW;
        ConvKernels.For(g.N * g.C, p + hw, plane =>
        {
            var src = new ReadOnlySpan<T>(gy, gyOff + plane * p, p);
            var dst = new Span<T>(dx, dxOff + plane * hw, hw);
            var ix = MemoryMarshal.Cast<float, int>(new ReadOnlySpan<float>(idx, idxOff + plane * p, p));
            dst.Clear();
            ref T d0 = ref MemoryMarshal.GetReference(dst);
            for (int o = 0; o < ix.Length; o++)
            {
                int at = ix[o];
                if ((uint)at >= (uint)hw) throw new IndexOutOfRangeException();
                System.Runtime.CompilerServices.Unsafe.Add(ref d0, at) += src[o];
            }
        });
    }

    /// <summary>y[o] = gx[idx[o]] within each plane (the adjoint of <see cref="MaxScatter{T}"/>).</summary>
    public static void MaxGather<T>(T[] gx, int gxOff, float[] idx, int idxOff, T[] y, int yOff, ConvGeometry g)
        where T : unmanaged, INumberBase<T>
    {
        int p = g.P, hw = g.HW;
        ConvKernels.For(g.N * g.C, p, plane =>
        {
            var src = new ReadOnlySpan<T>(gx, gxOff + plane * hw, hw);
            var dst = new Span<T>(y, yOff + plane * p, p);
            var ix = MemoryMarshal.Cast<float, int>(new ReadOnlySpan<float>(idx, idxOff + plane * p, p));
            for (int o = 0; o < p; o++) dst[o] = src[ix[o]];
        });
    }

    /// <summary>y = sum over each window / (KH·KW).</summary>
    public static void AvgForward<T>(T[] x, int xOff, T[] y, int yOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh0 = g.OH, ow0 = g.OW, p = g.P, hw = g.HW;
        T scale = T.One / T.CreateChecked(g.KH * g.KW);
        ConvKernels.For(g.N * g.C, (long)p * g.KH * g.KW, plane =>
        {
            var src = new ReadOnlySpan<T>(x, xOff + plane * hw, hw);
            var dst = new Span<T>(y, yOff + plane * p, p);
            for (int oh = 0; oh < oh0; oh++)
            {
                int h0 = oh * g.SH - g.PH, h1 = Math.Min(h0 + g.KH, g.H);
                h0 = Math.Max(h0, 0);
                for (int ow = 0; ow < ow0; ow++)
                {
                    int w0 = ow * g.SW - g.PW, w1 = Math.Min(w0 + g.KW, g.W);
                    w0 = Math.Max(w0, 0);
                    T sum = T.Zero;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) sum += src[ih * g.W + iw];
                    dst[oh * ow0 + ow] = sum * scale;
                }
            }
        });
    }

    /// <summary>dx = the adjoint of average pooling applied to gy: each gy[o]/(KH·KW) added to every
    /// pixel of window o (overwrites dx).</summary>
    public static void AvgAdjoint<T>(T[] gy, int gyOff, T[] dx, int dxOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh0 = g.OH, ow0 = g.OW, p = g.P, hw = g.HW;
        T scale = T.One / T.CreateChecked(g.KH * g.KW);
        ConvKernels.For(g.N * g.C, (long)p * g.KH * g.KW, plane =>
        {
            var src = new ReadOnlySpan<T>(gy, gyOff + plane * p, p);
            var dst = new Span<T>(dx, dxOff + plane * hw, hw);
            dst.Clear();
            for (int oh = 0; oh < oh0; oh++)
            {
                int h0 = oh * g.SH - g.PH, h1 = Math.Min(h0 + g.KH, g.H);
                h0 = Math.Max(h0, 0);
                for (int ow = 0; ow < ow0; ow++)
                {
                    int w0 = ow * g.SW - g.PW, w1 = Math.Min(w0 + g.KW, g.W);
                    w0 = Math.Max(w0, 0);
                    T v = src[oh * ow0 + ow] * scale;
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++) dst[ih * g.W + iw] += v;
                }
            }
        });
    }
}

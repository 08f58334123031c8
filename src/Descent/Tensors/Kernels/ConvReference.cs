using System.Numerics;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Plain nested-loop 2-D convolution and its gradients, straight from the definition
/// <c>y[n, o, oh, ow] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, oh·SH − PH + i·DH, ow·SW − PW + j·DW]</c>
/// (zero outside the input). Slow on purpose: the tests compare <see cref="ConvKernels"/> against it.
/// </summary>
internal static class ConvReference
{
    /// <summary>y = conv(x, w) + bias (bias may be empty).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y, ConvGeometry g)
        where T : unmanaged, INumberBase<T>
    {
        int oh0 = g.OH, ow0 = g.OW;
        for (int n = 0; n < g.N; n++)
            for (int o = 0; o < g.OC; o++)
                for (int oh = 0; oh < oh0; oh++)
                    for (int ow = 0; ow < ow0; ow++)
                    {
                        T sum = bias.IsEmpty ? T.Zero : bias[o];
                        for (int c = 0; c < g.C; c++)
                            for (int i = 0; i < g.KH; i++)
                                for (int j = 0; j < g.KW; j++)
                                    if (Tap(g, oh, ow, i, j, out int ih, out int iw))
                                        sum += w[((o * g.C + c) * g.KH + i) * g.KW + j] * x[((n * g.C + c) * g.H + ih) * g.W + iw];
                        y[((n * g.OC + o) * oh0 + oh) * ow0 + ow] = sum;
                    }
    }

    /// <summary>dx = ∂⟨gy, conv(x, w)⟩/∂x (overwrites dx).</summary>
    public static void InputGrad<T>(ReadOnlySpan<T> gy, ReadOnlySpan<T> w, Span<T> dx, ConvGeometry g)
        where T : unmanaged, INumberBase<T>
    {
        dx.Clear();
        int oh0 = g.OH, ow0 = g.OW;
        for (int n = 0; n < g.N; n++)
            for (int o = 0; o < g.OC; o++)
                for (int oh = 0; oh < oh0; oh++)
                    for (int ow = 0; ow < ow0; ow++)
                    {
                        T gv = gy[((n * g.OC + o) * oh0 + oh) * ow0 + ow];
                        for (int c = 0; c < g.C; c++)
                            for (int i = 0; i < g.KH; i++)
                                for (int j = 0; j < g.KW; j++)
                                    if (Tap(g, oh, ow, i, j, out int ih, out int iw))
                                        dx[((n * g.C + c) * g.H + ih) * g.W + iw] += gv * w[((o * g.C + c) * g.KH + i) * g.KW + j];
                    }
    }

    /// <summary>dw = ∂⟨gy, conv(x, w)⟩/∂w (overwrites dw).</summary>
    public static void WeightGrad<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gy, Span<T> dw, ConvGeometry g)
        where T : unmanaged, INumberBase<T>
    {
        dw.Clear();
        int oh0 = g.OH, ow0 = g.OW;
        for (int n = 0; n < g.N; n++)
            for (int o = 0; o < g.OC; o++)
                for (int oh = 0; oh < oh0; oh++)
                    for (int ow = 0; ow < ow0; ow++)
                    {
                        T gv = gy[((n * g.OC + o) * oh0 + oh) * ow0 + ow];
                        for (int c = 0; c < g.C; c++)
                            for (int i = 0; i < g.KH; i++)
                                for (int j = 0; j < g.KW; j++)
                                    if (Tap(g, oh, ow, i, j, out int ih, out int iw))
                                        dw[((o * g.C + c) * g.KH + i) * g.KW + j] += gv * x[((n * g.C + c) * g.H + ih) * g.W + iw];
                    }
    }

    /// <summary>The input pixel kernel tap (i, j) of output pixel (oh, ow) reads; false in the padding.</summary>
    private static bool Tap(in ConvGeometry g, int oh, int ow, int i, int j, out int ih, out int iw)
    {
        ih = oh * g.SH - g.PH + i * g.DH;
        iw = ow * g.SW - g.PW + j * g.DW;
        return ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
    }
}

namespace Descent.Tensors.Kernels;

/// <summary>
/// Plain pooling over explicitly padded windows, straight from PyTorch's definitions of
/// <c>max_pool2d</c> (padding is −∞, the first maximum in row-major window order wins) and
/// <c>avg_pool2d</c> with <c>count_include_pad = true</c> (padding counts as zeros, divisor KH·KW), in
/// double precision. Slow on purpose: the tests compare <see cref="PoolKernels"/> against it.
/// </summary>
internal static class PoolReference
{
    /// <summary>Max pooling of an [N, C, H, W] array; <paramref name="argmax"/> gets the in-plane index
    /// (ih·W + iw) of the chosen element.</summary>
    public static void Max(ReadOnlySpan<double> x, Span<double> y, Span<int> argmax, ConvGeometry g)
    {
        for (int plane = 0; plane < g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    double best = double.NegativeInfinity;
                    int at = -1;
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int ih = oh * g.SH - g.PH + i, iw = ow * g.SW - g.PW + j;
                            bool inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                            double v = inside ? x[plane * g.HW + ih * g.W + iw] : double.NegativeInfinity;
                            if (inside && (at < 0 || v > best))
                            {
                                best = v;
                                at = ih * g.W + iw;
                            }
                        }
                    y[plane * g.P + oh * g.OW + ow] = best;
                    argmax[plane * g.P + oh * g.OW + ow] = at;
                }
    }

    /// <summary>Average pooling (zero padding counted in the KH·KW divisor).</summary>
    public static void Avg(ReadOnlySpan<double> x, Span<double> y, ConvGeometry g)
    {
        for (int plane = 0; plane < g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    double sum = 0;
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int ih = oh * g.SH - g.PH + i, iw = ow * g.SW - g.PW + j;
                            if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) sum += x[plane * g.HW + ih * g.W + iw];
                        }
                    y[plane * g.P + oh * g.OW + ow] = sum / (g.KH * g.KW);
                }
    }

    /// <summary>Gradient of max pooling: gy routed to the chosen elements (overwrites dx).</summary>
    public static void MaxBackward(ReadOnlySpan<double> gy, ReadOnlySpan<int> argmax, Span<double> dx, ConvGeometry g)
    {
        dx.Clear();
        for (int plane = 0; plane < g.N * g.C; plane++)
            for (int o = 0; o < g.P; o++) dx[plane * g.HW + argmax[plane * g.P + o]] += gy[plane * g.P + o];
    }

    /// <summary>Gradient of average pooling: gy/(KH·KW) spread over each window (overwrites dx).</summary>
    public static void AvgBackward(ReadOnlySpan<double> gy, Span<double> dx, ConvGeometry g)
    {
        dx.Clear();
        for (int plane = 0; plane < g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int ih = oh * g.SH - g.PH + i, iw = ow * g.SW - g.PW + j;
                            if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W)
                                dx[plane * g.HW + ih * g.W + iw] += gy[plane * g.P + oh * g.OW + ow] / (g.KH * g.KW);
                        }
    }
}

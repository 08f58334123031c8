using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>
/// The im2col lowering of a convolution (Chellapilla, Puri &amp; Simard 2006, "High performance
/// convolutional neural networks for document processing"): the receptive fields of a chunk of
/// images become the columns of a matrix, so the convolution is one GEMM with the weight matrix.
/// </summary>
/// <remarks>
/// For a chunk of <c>bc</c> images starting at image <c>n0</c>, the column matrix has
/// <c>K = C·KH·KW</c> rows and <c>L = bc·OH·OW</c> columns (row-major, row stride L):
/// <c>col[(c·KH + i)·KW + j, b·OH·OW + oh·OW + ow] = x[n0 + b, c, oh·SH − PH + i·DH, ow·SW − PW + j·DW]</c>,
/// zero where the coordinate falls in the padding. <see cref="Unpack{T}"/> (col2im) is the adjoint:
/// it adds every column entry back onto the input pixel it was copied from.
/// </remarks>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> (K × bc·P) from images [n0, n0 + bc) of <paramref name="x"/>
    /// (an [N, C, H, W] tensor starting at <paramref name="xOff"/>).</summary>
    public static void Pack<T>(T[] x, int xOff, ConvGeometry g, int n0, int bc, T[] col) where T : unmanaged, INumberBase<T>
    {
        int ld = bc * g.P;
        ConvKernels.For(bc * g.C, (long)g.KH * g.KW * g.P, item =>
        {
            int b = item / g.C, c = item % g.C;
            var plane = new ReadOnlySpan<T>(x, xOff + ((n0 + b) * g.C + c) * g.HW, g.HW);
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++)
                {
                    int r = (c * g.KH + i) * g.KW + j;
                    PackRow(plane, new Span<T>(col, r * ld + b * g.P, g.P), g, i, j);
                }
        });
    }

    /// <summary>col2im: overwrites images [n0, n0 + bc) of <paramref name="dx"/> with the sum of the column
    /// entries copied from each pixel (zero for pixels no window covers).</summary>
    public static void Unpack<T>(T[] col, ConvGeometry g, int n0, int bc, T[] dx, int dxOff) where T : unmanaged, INumberBase<T>
    {
        int ld = bc * g.P;
        ConvKernels.For(bc * g.C, (long)g.KH * g.KW * g.P, item =>
        {
            int b = item / g.C, c = item % g.C;
            var plane = new Span<T>(dx, dxOff + ((n0 + b) * g.C + c) * g.HW, g.HW);
            plane.Clear();
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++)
                {
                    int r = (c * g.KH + i) * g.KW + j;
                    UnpackRow(new ReadOnlySpan<T>(col, r * ld + b * g.P, g.P), plane, g, i, j);
                }
        });
    }

    /// <summary>One row of the column matrix: kernel tap (i, j) over every output pixel of one plane.</summary>
    private static void PackRow<T>(ReadOnlySpan<T> plane, Span<T> dst, in ConvGeometry g, int i, int j) where T : unmanaged, INumberBase<T>
    {
        int offH = i * g.DH - g.PH, offW = j * g.DW - g.PW;
        int oh0 = g.OH, ow0 = g.OW;
        var (hLo, hHi) = ConvGeometry.ValidRange(offH, g.SH, g.H, oh0);
        var (wLo, wHi) = ConvGeometry.ValidRange(offW, g.SW, g.W, ow0);
        dst[..(hLo * ow0)].Clear();
        dst[(hHi * ow0)..].Clear();
        int n = wHi - wLo;
        for (int oh = hLo; oh < hHi; oh++)
        {
            var row = dst.Slice(oh * ow0, ow0);
            var src = plane.Slice((oh * g.SH + offH) * g.W);
            row[..wLo].Clear();
            row[wHi..].Clear();
            if (n <= 0) continue;
            if (g.SW == 1)
                src.Slice(wLo + offW, n).CopyTo(row.Slice(wLo, n));
            else
                for (int ow = wLo, iw = wLo * g.SW + offW; ow < wHi; ow++, iw += g.SW) row[ow] = src[iw];
        }
    }

    /// <summary>The adjoint of <see cref="PackRow{T}"/>: adds a column-matrix row back onto the plane.</summary>
    private static void UnpackRow<T>(ReadOnlySpan<T> src, Span<T> plane, in ConvGeometry g, int i, int j) where T : unmanaged, INumberBase<T>
    {
        int offH = i * g.DH - g.PH, offW = j * g.DW - g.PW;
        int ow0 = g.OW;
        var (hLo, hHi) = ConvGeometry.ValidRange(offH, g.SH, g.H, g.OH);
        var (wLo, wHi) = ConvGeometry.ValidRange(offW, g.SW, g.W, ow0);
        int n = wHi - wLo;
        if (n <= 0) return;
        for (int oh = hLo; oh < hHi; oh++)
        {
            var row = src.Slice(oh * ow0, ow0);
            var dst = plane.Slice((oh * g.SH + offH) * g.W);
            if (g.SW == 1)
            {
                var d = dst.Slice(wLo + offW, n);
                AddInto(d, row.Slice(wLo, n));
            }
            else
                for (int ow = wLo, iw = wLo * g.SW + offW; ow < wHi; ow++, iw += g.SW) dst[iw] += row[ow];
        }
    }

    private static void AddInto<T>(Span<T> d, ReadOnlySpan<T> s) where T : unmanaged, INumberBase<T> => TP.Add(d, s, d);
}

using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>
/// The im2col lowering of a convolution (Chellapilla, Puri &amp; Simard 2006, "High performance
/// convolutional neural networks for document processing"): the receptive fields of a chunk of
/// images become the columns of a matrix, so the convolution is one GEMM with the weight matrix.
/// </summary>
/// <remarks>
/// The column matrix of one image has <c>K = C·KH·KW</c> rows and <c>P = OH·OW</c> columns:
/// <c>col[(c·KH + i)·KW + j, oh·OW + ow] = x[c, oh·SH − PH + i·DH, ow·SW − PW + j·DW]</c>, zero where the
/// coordinate falls in the padding. A chunk of <c>bc</c> images is stored side by side (row stride
/// <c>L = bc·P</c>, image b in columns [b·P, (b + 1)·P)), so one GEMM covers the chunk.
/// <see cref="UnpackImage{T}"/> (col2im) is the adjoint: it adds every column entry back onto the input
/// pixel it was copied from.
/// </remarks>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="col"/> (K × bc·P, row stride bc·P) from images [n0, n0 + bc) of
    /// <paramref name="x"/> (an [N, C, H, W] tensor starting at <paramref name="xOff"/>), in parallel.</summary>
    public static void Pack<T>(T[] x, int xOff, ConvGeometry g, int n0, int bc, T[] col) where T : unmanaged, INumberBase<T>
    {
        int ld = bc * g.P;
        ConvKernels.For(bc * g.C, (long)g.KH * g.KW * g.P, item =>
        {
            int b = item / g.C, c = item % g.C;
            PackPlane(new ReadOnlySpan<T>(x, xOff + ((n0 + b) * g.C + c) * g.HW, g.HW), col.AsSpan(b * g.P), ld, c, g);
        });
    }

    /// <summary>Fills <paramref name="col"/> from <paramref name="colOff"/> on with the K × P column matrix of
    /// image <paramref name="n"/>, over the channels in parallel when <paramref name="parallel"/>.</summary>
    public static void PackImage<T>(T[] x, int xOff, ConvGeometry g, int n, T[] col, int colOff, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        int image = xOff + n * g.C * g.HW;
        if (!parallel)
        {
            for (int c = 0; c < g.C; c++)
                PackPlane(new ReadOnlySpan<T>(x, image + c * g.HW, g.HW), col.AsSpan(colOff), g.P, c, g);
            return;
        }
        ConvKernels.For(g.C, (long)g.KH * g.KW * g.P, c =>
            PackPlane(new ReadOnlySpan<T>(x, image + c * g.HW, g.HW), col.AsSpan(colOff), g.P, c, g));
    }

    /// <summary>col2im for one image: overwrites image <paramref name="n"/> of <paramref name="dx"/> with the sum
    /// of the entries of the K × P column matrix at <paramref name="colOff"/> copied from each pixel (zero for
    /// pixels no window covers). The column matrix is scratch: entries that belong to the padding may be zeroed.</summary>
    public static void UnpackImage<T>(T[] col, int colOff, ConvGeometry g, int n, T[] dx, int dxOff, bool parallel)
        where T : unmanaged, INumberBase<T>
    {
        int image = dxOff + n * g.C * g.HW;
        if (!parallel)
        {
            for (int c = 0; c < g.C; c++)
                UnpackPlane(col.AsSpan(colOff), new Span<T>(dx, image + c * g.HW, g.HW), c, g);
            return;
        }
        ConvKernels.For(g.C, (long)g.KH * g.KW * g.P, c =>
            UnpackPlane(col.AsSpan(colOff), new Span<T>(dx, image + c * g.HW, g.HW), c, g));
    }

    /// <summary>The KH·KW rows of channel c (rows start every <paramref name="ld"/> elements of <paramref name="col"/>).</summary>
    private static void PackPlane<T>(ReadOnlySpan<T> plane, Span<T> col, int ld, int c, in ConvGeometry g) where T : unmanaged, INumberBase<T>
    {
        for (int i = 0; i < g.KH; i++)
            for (int j = 0; j < g.KW; j++)
                PackRow(plane, col.Slice(((c * g.KH + i) * g.KW + j) * ld, g.P), g, i, j);
    }

    private static void UnpackPlane<T>(Span<T> col, Span<T> plane, int c, in ConvGeometry g) where T : unmanaged, INumberBase<T>
    {
        plane.Clear();
        for (int i = 0; i < g.KH; i++)
            for (int j = 0; j < g.KW; j++)
                UnpackRow(col.Slice(((c * g.KH + i) * g.KW + j) * g.P, g.P), plane, g, i, j);
    }

    /// <summary>One row of the column matrix: kernel tap (i, j) over every output pixel of one plane.</summary>
    private static void PackRow<T>(ReadOnlySpan<T> plane, Span<T> dst, in ConvGeometry g, int i, int j) where T : unmanaged, INumberBase<T>
    {
        int offH = i * g.DH - g.PH, offW = j * g.DW - g.PW;
        int oh0 = g.OH, ow0 = g.OW;
        if (g.SH == 1 && g.SW == 1 && ow0 == g.W)
        {
            PackRowShifted(plane, dst, g, offH, offW);
            return;
        }
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
    private static void UnpackRow<T>(Span<T> src, Span<T> plane, in ConvGeometry g, int i, int j) where T : unmanaged, INumberBase<T>
    {
        int offH = i * g.DH - g.PH, offW = j * g.DW - g.PW;
        int ow0 = g.OW;
        if (g.SH == 1 && g.SW == 1 && ow0 == g.W)
        {
            UnpackRowShifted(src, plane, g, offH, offW);
            return;
        }
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

    // Stride 1 with OW = W ("same" width): output pixel k = oh·W + ow reads input pixel k + offH·W + offW, so a
    // kernel tap is one contiguous copy of the plane shifted by that amount; the few entries that wrapped
    // around a row edge (columns outside [wLo, wHi)) are then zeroed.

    private static void PackRowShifted<T>(ReadOnlySpan<T> plane, Span<T> dst, in ConvGeometry g, int offH, int offW)
        where T : unmanaged, INumberBase<T>
    {
        int ow0 = g.OW;
        var (hLo, hHi) = ConvGeometry.ValidRange(offH, 1, g.H, g.OH);
        var (wLo, wHi) = ConvGeometry.ValidRange(offW, 1, g.W, ow0);
        var (a, e) = ShiftedRange(g, offH, offW, hLo, hHi);
        dst[..a].Clear();
        dst[e..].Clear();
        if (e > a) plane.Slice(a + offH * g.W + offW, e - a).CopyTo(dst[a..e]);
        ClearEdges(dst, ow0, hLo, hHi, wLo, wHi);
    }

    private static void UnpackRowShifted<T>(Span<T> src, Span<T> plane, in ConvGeometry g, int offH, int offW)
        where T : unmanaged, INumberBase<T>
    {
        int ow0 = g.OW;
        var (hLo, hHi) = ConvGeometry.ValidRange(offH, 1, g.H, g.OH);
        var (wLo, wHi) = ConvGeometry.ValidRange(offW, 1, g.W, ow0);
        ClearEdges(src, ow0, hLo, hHi, wLo, wHi);
        var (a, e) = ShiftedRange(g, offH, offW, hLo, hHi);
        if (e > a) AddInto(plane.Slice(a + offH * g.W + offW, e - a), src[a..e]);
    }

    /// <summary>The output pixels [a, e) of the valid rows whose shifted input index lies inside the plane.</summary>
    private static (int A, int E) ShiftedRange(in ConvGeometry g, int offH, int offW, int hLo, int hHi)
    {
        int shift = offH * g.W + offW, k0 = hLo * g.OW, k1 = hHi * g.OW;
        int a = Math.Clamp(-shift, k0, k1);
        return (a, Math.Clamp(g.HW - shift, a, k1));
    }

    private static void ClearEdges<T>(Span<T> rows, int width, int hLo, int hHi, int wLo, int wHi) where T : unmanaged, INumberBase<T>
    {
        if (wLo == 0 && wHi == width) return;
        for (int oh = hLo; oh < hHi; oh++)
        {
            int r = oh * width;
            for (int c = 0; c < wLo; c++) rows[r + c] = T.Zero;
            for (int c = r + wHi; c < r + width; c++) rows[c] = T.Zero;
        }
    }

    private static void AddInto<T>(Span<T> d, ReadOnlySpan<T> s) where T : unmanaged, INumberBase<T> => TP.Add(d, s, d);
}

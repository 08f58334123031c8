using System.Numerics;
using System.Runtime.InteropServices;
using Descent.Tensors.Kernels;

namespace Descent.Data;

/// <summary>
/// Accumulates the Gram matrix C += Xᵀ X of a block of rows in double, for covariances. X is given
/// transposed (d rows of r values, r a multiple of <see cref="Vector{T}.Count"/>, d a multiple of 4),
/// so each entry is a dot product of two contiguous rows; 4×4 tiles of entries share their loads, only
/// tiles on or above the diagonal are computed (C is symmetric), and tile rows are spread over <see cref="KernelThreads"/>.
/// </summary>
internal static class GramKernel
{
    /// <summary>The padding unit of the row count r.</summary>
    public static int Lanes => Vector<double>.Count;

    /// <summary>C[i, j] += Σ_k xt[i, k]·xt[j, k] for j ≥ i (tile-wise; the lower triangle is filled by <see cref="Symmetrize"/>).</summary>
    public static void AccumulateUpper(double[] xt, int d, int r, double[] c)
    {
        if (d % 4 != 0 || r % Lanes != 0 || xt.Length < d * r || c.Length < d * d)
            throw new ArgumentException($"GramKernel: d = {d} must be a multiple of 4 and r = {r} of {Lanes}.");
        int tiles = d / 4;
        // Tile rows are handed out dynamically (tile row ti costs tiles − ti tiles), longest first.
        KernelThreads.For(0, tiles, ti =>
        {
            for (int tj = ti; tj < tiles; tj++) Tile(xt, r, c, d, 4 * ti, 4 * tj);
        });
    }

    /// <summary>Copies the upper triangle onto the lower one.</summary>
    public static void Symmetrize(double[] c, int d)
    {
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) c[i * d + j] = c[j * d + i];
    }

    private static void Tile(double[] xt, int r, double[] c, int d, int i0, int j0)
    {
        var v = MemoryMarshal.Cast<double, Vector<double>>(xt.AsSpan());
        int w = r / Lanes;
        var a0 = v.Slice((i0 + 0) * w, w); var a1 = v.Slice((i0 + 1) * w, w);
        var a2 = v.Slice((i0 + 2) * w, w); var a3 = v.Slice((i0 + 3) * w, w);
        var b0 = v.Slice((j0 + 0) * w, w); var b1 = v.Slice((j0 + 1) * w, w);
        var b2 = v.Slice((j0 + 2) * w, w); var b3 = v.Slice((j0 + 3) * w, w);
        Vector<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector<double> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector<double> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector<double> s30 = default, s31 = default, s32 = default, s33 = default;
        for (int k = 0; k < w; k++)
        {
            var x0 = a0[k]; var x1 = a1[k]; var x2 = a2[k]; var x3 = a3[k];
            var y0 = b0[k]; var y1 = b1[k]; var y2 = b2[k]; var y3 = b3[k];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
            s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
            s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
        }
        Add(c, d, i0 + 0, j0, s00, s01, s02, s03);
        Add(c, d, i0 + 1, j0, s10, s11, s12, s13);
        Add(c, d, i0 + 2, j0, s20, s21, s22, s23);
        Add(c, d, i0 + 3, j0, s30, s31, s32, s33);
    }

    private static void Add(double[] c, int d, int i, int j0,
        Vector<double> s0, Vector<double> s1, Vector<double> s2, Vector<double> s3)
    {
        int at = i * d + j0;
        c[at] += Vector.Sum(s0);
        c[at + 1] += Vector.Sum(s1);
        c[at + 2] += Vector.Sum(s2);
        c[at + 3] += Vector.Sum(s3);
    }
}

using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Nn.Init;

/// <summary>
/// Thin QR decomposition of a tall matrix by Householder reflections, in double precision (Golub &amp;
/// Van Loan, "Matrix Computations", §5.2). Used by the orthogonal initializer.
/// </summary>
internal static class HouseholderQr
{
    /// <summary>
    /// For a row-major <c>m×n</c> matrix <paramref name="a"/> with <c>m ≥ n</c> (overwritten), returns the
    /// row-major <c>m×n</c> factor Q with orthonormal columns and the diagonal of R, so that <c>A = Q·R</c>.
    /// </summary>
    public static (double[] Q, double[] RDiagonal) Decompose(double[] a, int m, int n)
    {
        if (m < n) throw new ArgumentException($"HouseholderQr needs m >= n; got {m}x{n}.");
        var vs = new double[n][];
        var diag = new double[n];
        var w = new double[n];
        for (int k = 0; k < n; k++)
        {
            // v = x − α·e₁ with α = −sign(x₀)·‖x‖ (no cancellation), normalized; H = I − 2vvᵀ.
            int len = m - k;
            var v = new double[len];
            double norm2 = 0;
            for (int i = 0; i < len; i++) { v[i] = a[(k + i) * n + k]; norm2 += v[i] * v[i]; }
            double norm = Math.Sqrt(norm2);
            if (norm == 0) { vs[k] = v; diag[k] = 0; continue; } // column already zero: H = I
            double alpha = v[0] > 0 ? -norm : norm;
            v[0] -= alpha;
            double vnorm = Math.Sqrt(TP.Dot<double>(v, v));
            TP.Multiply(v, 1 / vnorm, v);
            vs[k] = v;
            diag[k] = alpha;
            ReflectRows(a, n, k, v, k, w);
        }

        // Q = H₀·H₁·…·H_{n−1} applied to the first n columns of the identity, last reflection first.
        var q = new double[m * n];
        for (int j = 0; j < n; j++) q[j * n + j] = 1;
        for (int k = n - 1; k >= 0; k--)
            if (diag[k] != 0) ReflectRows(q, n, k, vs[k], 0, w);
        return (q, diag);
    }

    /// <summary>Rows k.. of the row-major matrix <paramref name="x"/> (n columns), columns from
    /// <paramref name="col0"/>, become <c>(I − 2vvᵀ)·rows</c>.</summary>
    private static void ReflectRows(double[] x, int n, int k, double[] v, int col0, double[] w)
    {
        int cols = n - col0;
        var wc = w.AsSpan(0, cols);
        wc.Clear();
        for (int i = 0; i < v.Length; i++)
            if (v[i] != 0) TP.MultiplyAdd(x.AsSpan((k + i) * n + col0, cols), v[i], wc, wc);
        for (int i = 0; i < v.Length; i++)
            if (v[i] != 0)
            {
                var row = x.AsSpan((k + i) * n + col0, cols);
                TP.MultiplyAdd(wc, -2 * v[i], row, row);
            }
    }
}

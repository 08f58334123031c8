namespace Descent.Tensors.Kernels;

/// <summary>
/// Plain scalar triple-loop GEMM with exactly the contract of <see cref="Gemm"/>. It is the
/// reference the tests compare the fast kernel against; it is slow on purpose.
/// </summary>
public static class GemmReference
{
    /// <summary>Reference single-precision GEMM: C = alpha·op(A)·op(B) + beta·C (row-major).</summary>
    /// <param name="transA">Whether op(A) = Aᵀ (A stored k×m) instead of A (stored m×k).</param>
    /// <param name="transB">Whether op(B) = Bᵀ (B stored n×k) instead of B (stored k×n).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">Matrix B.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of the existing C; 0 overwrites C (NaN included).</param>
    /// <param name="c">Matrix C (m×n), updated in place.</param>
    /// <param name="ldc">Row stride of C.</param>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Gemm.Validate(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref float cij = ref c[i * ldc + j];
                cij = beta == 0 ? alpha * sum : alpha * sum + beta * cij;
            }
        }
    }

    /// <summary>Reference double-precision GEMM: C = alpha·op(A)·op(B) + beta·C (row-major).</summary>
    /// <param name="transA">Whether op(A) = Aᵀ (A stored k×m) instead of A (stored m×k).</param>
    /// <param name="transB">Whether op(B) = Bᵀ (B stored n×k) instead of B (stored k×n).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">Matrix B.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of the existing C; 0 overwrites C (NaN included).</param>
    /// <param name="c">Matrix C (m×n), updated in place.</param>
    /// <param name="ldc">Row stride of C.</param>
    public static void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        Gemm.Validate(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p * lda + i] : a[i * lda + p];
                    double bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref double cij = ref c[i * ldc + j];
                cij = beta == 0 ? alpha * sum : alpha * sum + beta * cij;
            }
        }
    }
}

using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Tensors.Kernels;

/// <summary>Which micro-kernel family a GEMM call uses (internal: tests and benchmarks force one).</summary>
internal enum GemmKernelKind
{
    /// <summary>The fastest one the machine supports.</summary>
    Auto,

    /// <summary>AVX-512F, 12×(2 vectors of 512 bits).</summary>
    Avx512,

    /// <summary>AVX2 + FMA, 6×(2 vectors of 256 bits).</summary>
    Avx2,

    /// <summary>Portable scalar 4×4.</summary>
    Scalar,
}

/// <summary>
/// General matrix multiply on dense row-major matrices, float and double: a packed,
/// register-blocked (GotoBLAS/BLIS-style) implementation with AVX-512, AVX2+FMA and scalar
/// micro-kernels, split across threads with <see cref="KernelThreads"/>.
/// </summary>
/// <remarks>
/// Computes C[m×n] = alpha·op(A)[m×k]·op(B)[k×n] + beta·C. op(A) is A (stored m×k with row
/// stride lda) or, when transA, Aᵀ (A stored k×m with row stride lda); likewise op(B) is B
/// (stored k×n, stride ldb) or Bᵀ (B stored n×k, stride ldb). When beta is 0, C is
/// overwritten without being read (NaN in C does not propagate). The result for each element
/// does not depend on the number of threads.
/// </remarks>
public static partial class Gemm
{
    // Block sizes, tuned on Zen 4 (1 MB L2 per core) with the gemm benchmark (`--kc`/`--nc` try others
    // without changing these: Compute takes them as arguments).

    /// <summary>Depth of a packed K slice (elements), float.</summary>
    internal const int KcFloat = 256;

    /// <summary>Width of a packed B block (elements), float.</summary>
    internal const int NcFloat = 256;

    /// <summary>Depth of a packed K slice (elements), double.</summary>
    internal const int KcDouble = 192;

    /// <summary>Width of a packed B block (elements), double.</summary>
    internal const int NcDouble = 256;

    /// <summary>Rows of op(A) packed at once (the L3-resident A block), both precisions.</summary>
    internal const int McBlock = 2040;

    /// <summary>Multiply-adds (m·n·k) a thread must get before a second thread is used.</summary>
    internal const long MinWorkPerThread = 1L << 17;

    /// <summary>The kernel family <see cref="GemmKernelKind.Auto"/> resolves to on this machine.</summary>
    internal static GemmKernelKind BestKernel { get; } =
        Avx512F.IsSupported ? GemmKernelKind.Avx512
        : Fma.IsSupported && Avx2.IsSupported ? GemmKernelKind.Avx2
        : GemmKernelKind.Scalar;

    /// <summary>The micro-kernel family this machine runs (<c>Avx512</c>, <c>Avx2</c> or <c>Scalar</c>), for reports.</summary>
    public static string MicroKernel => BestKernel.ToString();

    /// <summary>Single-precision GEMM: C = alpha·op(A)·op(B) + beta·C (row-major).</summary>
    /// <param name="transA">Whether op(A) = Aᵀ (A stored k×m) instead of A (stored m×k).</param>
    /// <param name="transB">Whether op(B) = Bᵀ (B stored n×k) instead of B (stored k×n).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A.</param>
    /// <param name="lda">Row stride of A as stored (at least its column count).</param>
    /// <param name="b">Matrix B.</param>
    /// <param name="ldb">Row stride of B as stored (at least its column count).</param>
    /// <param name="beta">Scale of the existing C; 0 overwrites C.</param>
    /// <param name="c">Matrix C (m×n), updated in place.</param>
    /// <param name="ldc">Row stride of C (at least n).</param>
    /// <param name="threads">Thread count; 0 means <see cref="KernelThreads.MaxThreads"/>. Small problems run on one thread.</param>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
        float* b, int ldb, float beta, float* c, int ldc, int threads = 0)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc, null, null, null);
        Compute(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, GemmKernelKind.Auto, KcFloat, NcFloat);
    }

    /// <summary>Double-precision GEMM: C = alpha·op(A)·op(B) + beta·C (row-major).</summary>
    /// <param name="transA">Whether op(A) = Aᵀ (A stored k×m) instead of A (stored m×k).</param>
    /// <param name="transB">Whether op(B) = Bᵀ (B stored n×k) instead of B (stored k×n).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A.</param>
    /// <param name="lda">Row stride of A as stored (at least its column count).</param>
    /// <param name="b">Matrix B.</param>
    /// <param name="ldb">Row stride of B as stored (at least its column count).</param>
    /// <param name="beta">Scale of the existing C; 0 overwrites C.</param>
    /// <param name="c">Matrix C (m×n), updated in place.</param>
    /// <param name="ldc">Row stride of C (at least n).</param>
    /// <param name="threads">Thread count; 0 means <see cref="KernelThreads.MaxThreads"/>. Small problems run on one thread.</param>
    public static unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, double* a, int lda,
        double* b, int ldb, double beta, double* c, int ldc, int threads = 0)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc, null, null, null);
        Compute(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, GemmKernelKind.Auto, KcDouble, NcDouble);
    }

    /// <summary>Single-precision GEMM over spans: C = alpha·op(A)·op(B) + beta·C (row-major).</summary>
    /// <param name="transA">Whether op(A) = Aᵀ (A stored k×m) instead of A (stored m×k).</param>
    /// <param name="transB">Whether op(B) = Bᵀ (B stored n×k) instead of B (stored k×n).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A.</param>
    /// <param name="lda">Row stride of A as stored (at least its column count).</param>
    /// <param name="b">Matrix B.</param>
    /// <param name="ldb">Row stride of B as stored (at least its column count).</param>
    /// <param name="beta">Scale of the existing C; 0 overwrites C.</param>
    /// <param name="c">Matrix C (m×n), updated in place.</param>
    /// <param name="ldc">Row stride of C (at least n).</param>
    /// <param name="threads">Thread count; 0 means <see cref="KernelThreads.MaxThreads"/>. Small problems run on one thread.</param>
    /// <exception cref="ArgumentException">A size, stride or span length is inconsistent.</exception>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads = 0)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        fixed (float* pa = a, pb = b, pc = c)
            Compute(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, GemmKernelKind.Auto, KcFloat, NcFloat);
    }

    /// <summary>Double-precision GEMM over spans: C = alpha·op(A)·op(B) + beta·C (row-major).</summary>
    /// <param name="transA">Whether op(A) = Aᵀ (A stored k×m) instead of A (stored m×k).</param>
    /// <param name="transB">Whether op(B) = Bᵀ (B stored n×k) instead of B (stored k×n).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">Matrix A.</param>
    /// <param name="lda">Row stride of A as stored (at least its column count).</param>
    /// <param name="b">Matrix B.</param>
    /// <param name="ldb">Row stride of B as stored (at least its column count).</param>
    /// <param name="beta">Scale of the existing C; 0 overwrites C.</param>
    /// <param name="c">Matrix C (m×n), updated in place.</param>
    /// <param name="ldc">Row stride of C (at least n).</param>
    /// <param name="threads">Thread count; 0 means <see cref="KernelThreads.MaxThreads"/>. Small problems run on one thread.</param>
    /// <exception cref="ArgumentException">A size, stride or span length is inconsistent.</exception>
    public static unsafe void Dgemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc, int threads = 0)
    {
        Validate(transA, transB, m, n, k, lda, ldb, ldc, a.Length, b.Length, c.Length);
        fixed (double* pa = a, pb = b, pc = c)
            Compute(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads, GemmKernelKind.Auto, KcDouble, NcDouble);
    }

    /// <summary>
    /// Checks sizes and strides (and span lengths when given) and throws an
    /// <see cref="ArgumentException"/> that names them.
    /// </summary>
    internal static void Validate(bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc,
        int? aLength, int? bLength, int? cLength)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative, got m={m}, n={n}, k={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Check("A", aRows, aCols, lda, nameof(lda), aLength, m, n, k);
        Check("B", bRows, bCols, ldb, nameof(ldb), bLength, m, n, k);
        Check("C", m, n, ldc, nameof(ldc), cLength, m, n, k);
    }

    private static void Check(string name, int rows, int cols, int ld, string ldName, int? length, int m, int n, int k)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException(
                $"GEMM (m={m}, n={n}, k={k}): {ldName}={ld} is smaller than the {cols} columns of {name} as stored ({rows}×{cols}).", ldName);
        if (length is int len && rows > 0 && cols > 0)
        {
            long need = (long)(rows - 1) * ld + cols;
            if (len < need)
                throw new ArgumentException(
                    $"GEMM (m={m}, n={n}, k={k}): {name} is stored {rows}×{cols} with row stride {ld} and needs {need} elements, but has {len}.",
                    name.ToLowerInvariant());
        }
    }
}

using System.Numerics;

namespace Descent.Tensors.Kernels;

/// <summary>Calls the GEMM kernel on tensor memory (generic over float and double).</summary>
internal static class MatMulKernel
{
    /// <summary>c = op(a)·op(b) + beta·c for row-major matrices inside the given spans.</summary>
    public static unsafe void Run<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, double beta = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        fixed (T* pa = a, pb = b, pc = c)
        {
            if (typeof(T) == typeof(float))
                GemmReference.Sgemm(transA, transB, m, n, k, 1f, new ReadOnlySpan<float>(pa, a.Length), lda, new ReadOnlySpan<float>(pb, b.Length), ldb, (float)beta, new Span<float>(pc, c.Length), ldc);
            else
                GemmReference.Dgemm(transA, transB, m, n, k, 1.0, new ReadOnlySpan<double>(pa, a.Length), lda, new ReadOnlySpan<double>(pb, b.Length), ldb, beta, new Span<double>(pc, c.Length), ldc);
        }
    }
}

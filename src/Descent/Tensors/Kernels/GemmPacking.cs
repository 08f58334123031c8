using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Packing of GEMM operands into the contiguous micro-panel layouts the micro-kernels read.
/// Transposes are absorbed here: the kernels only ever see packed panels.
/// </summary>
internal static unsafe class GemmPacking<T, TK>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TK : struct, IGemmMicroKernel<T>
{
    /// <summary>
    /// Packs an mr×kc block of op(A) (mr ≤ MR), scaled by alpha, as kc groups of MR values
    /// (rows past mr are zero). <paramref name="a"/> points at op(A)[row0, p0].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, T* a, nint lda, int mr, int kc, T alpha, T* dst)
    {
        int MR = TK.Mr;
        bool scale = alpha != T.One;
        if (transA)
        {
            // A stored k×m: op(A)[i, p] = a[p*lda + i]; each p is a contiguous run of mr values.
            for (int p = 0; p < kc; p++)
            {
                T* src = a + p * lda;
                T* d = dst + p * MR;
                if (mr == MR && !scale)
                {
                    Unsafe.CopyBlockUnaligned(d, src, (uint)(MR * sizeof(T)));
                    continue;
                }
                int i = 0;
                if (scale) for (; i < mr; i++) d[i] = alpha * src[i];
                else for (; i < mr; i++) d[i] = src[i];
                for (; i < MR; i++) d[i] = T.Zero;
            }
            return;
        }
        // A stored m×k: op(A)[i, p] = a[i*lda + p]; read rows, write with stride MR.
        int r = 0;
        for (; r + 4 <= mr; r += 4)
            GemmTranspose.Rows4(a + r * lda, lda, kc, dst + r, MR, alpha, scale);
        for (; r < mr; r++)
        {
            T* s = a + r * lda;
            T* d = dst + r;
            for (int p = 0; p < kc; p++, d += MR) d[0] = alpha * s[p];
        }
        for (; r < MR; r++)
        {
            T* d = dst + r;
            for (int p = 0; p < kc; p++, d += MR) d[0] = T.Zero;
        }
    }

    /// <summary>
    /// Packs a kc×nc block of op(B) as ⌈nc/NR⌉ micro-panels of kc groups of NR values
    /// (columns past nc are zero). <paramref name="b"/> points at op(B)[p0, col0].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, T* b, nint ldb, int kc, int nc, T* dst)
    {
        int NR = TK.Nr;
        for (int j0 = 0; j0 < nc; j0 += NR, dst += kc * NR)
        {
            int nr = Math.Min(NR, nc - j0);
            if (!transB)
            {
                // B stored k×n: each p is a contiguous run of nr values.
                T* src = b + j0;
                T* d = dst;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, src += ldb, d += NR)
                        Unsafe.CopyBlockUnaligned(d, src, (uint)(NR * sizeof(T)));
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, d += NR)
                    {
                        new ReadOnlySpan<T>(src, nr).CopyTo(new Span<T>(d, nr));
                        new Span<T>(d + nr, NR - nr).Clear();
                    }
                }
                continue;
            }
            // B stored n×k: op(B)[p, j] = b[j*ldb + p]; read rows of B, write with stride NR.
            int c = 0;
            for (; c + 4 <= nr; c += 4)
                GemmTranspose.Rows4(b + (j0 + c) * ldb, ldb, kc, dst + c, NR, T.One, false);
            for (; c < nr; c++)
            {
                T* s = b + (j0 + c) * ldb;
                T* d = dst + c;
                for (int p = 0; p < kc; p++, d += NR) d[0] = s[p];
            }
            for (; c < NR; c++)
            {
                T* d = dst + c;
                for (int p = 0; p < kc; p++, d += NR) d[0] = T.Zero;
            }
        }
    }
}

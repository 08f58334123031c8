using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Tensors.Kernels;

/// <summary>Per-thread, reused, 64-byte aligned scratch memory for packed GEMM panels.</summary>
internal static unsafe class GemmWorkspace
{
    [ThreadStatic]
    private static byte[]? buffer;

    /// <summary>
    /// Returns at least <paramref name="bytes"/> bytes of 64-byte aligned memory owned by the
    /// calling thread. The memory lives on the pinned object heap and stays valid until the
    /// next call on the same thread that asks for more.
    /// </summary>
    public static byte* Get(nint bytes)
    {
        var buf = buffer;
        if (buf is null || buf.Length < bytes + 64)
        {
            nint size = Math.Max(bytes + 64, 1 << 16);
            buffer = buf = GC.AllocateUninitializedArray<byte>(checked((int)size), pinned: true);
        }
        byte* p = (byte*)Unsafe.AsPointer(ref buf[0]);
        return (byte*)(((nint)p + 63) & ~(nint)63);
    }
}

/// <summary>
/// Single-threaded blocked GEMM on one block of C (GotoBLAS/BLIS loop nest). For each block of
/// up to MC rows and each KC-deep slice of K, op(A) is packed once into MR-row micro-panels
/// (L3-resident); then for each NC-wide column block op(B) is packed into NR-column
/// micro-panels (L2-resident), and the micro-kernel sweeps each A micro-panel (held in L1)
/// along the packed B block.
/// </summary>
internal static unsafe class GemmDriver<T, TK>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TK : struct, IGemmMicroKernel<T>
{
    /// <summary>Rows of C (per thread) up to which a B stored k×n is read in place instead of packed.</summary>
    internal const int DirectBMaxRows = 256;

    /// <summary>
    /// C[m×n] = alpha·op(A)·op(B) + beta·C, with a and b pointing at the first element of the
    /// block (op(A)[0,0], op(B)[0,0]); requires m, n, k &gt; 0. C[i, j] is at
    /// c[i·rsC + j·csC]: csC = 1 is the row-major case (rsC = ldc); rsC = 1 writes C transposed,
    /// which lets the caller compute Cᵀ = op(B)ᵀ·op(A)ᵀ when that fills the tiles better.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transA, bool transB, int m, int n, int k, T alpha, T* a, nint lda,
        T* b, nint ldb, T beta, T* c, nint rsC, nint csC, int kcBlock, int ncBlock, int mcBlock)
    {
        // B stored k×n is read in place when few row panels share each B panel (a thin product such as a
        // mini-batch's input gradient, dY·W): packing would copy all of W for a dozen uses of each panel.
        bool directB = !transB && m <= DirectBMaxRows;
        int MR = TK.Mr, NR = TK.Nr;
        mcBlock = Math.Max(MR, mcBlock / MR * MR);
        int kcMax = Math.Min(kcBlock, k);
        int ncMax = Math.Min(ncBlock, n);
        int mcMax = Math.Min(mcBlock, m);
        int ncPadded = (ncMax + NR - 1) / NR * NR;
        int mcPadded = (mcMax + MR - 1) / MR * MR;
        nint bBytes = ((nint)kcMax * ncPadded * sizeof(T) + 63) & ~(nint)63;
        nint aBytes = ((nint)kcMax * mcPadded * sizeof(T) + 63) & ~(nint)63;
        nint tBytes = (nint)MR * NR * sizeof(T);
        byte* ws = GemmWorkspace.Get(bBytes + aBytes + tBytes);
        T* bPack = (T*)ws;
        T* aPack = (T*)(ws + bBytes);
        T* tile = (T*)(ws + bBytes + aBytes);
        int firstMode = beta == T.Zero ? 0 : beta == T.One ? 1 : 2;

        for (int ic = 0; ic < m; ic += mcBlock)
        {
            int mc = Math.Min(mcBlock, m - ic);
            for (int pc = 0; pc < k; pc += kcBlock)
            {
                int kc = Math.Min(kcBlock, k - pc);
                int mode = pc == 0 ? firstMode : 1;
                for (int ir = 0; ir < mc; ir += MR)
                {
                    T* aSrc = transA ? a + pc * lda + (ic + ir) : a + (ic + ir) * lda + pc;
                    GemmPacking<T, TK>.PackA(transA, aSrc, lda, Math.Min(MR, mc - ir), kc, alpha, aPack + ir * kc);
                }
                for (int jc = 0; jc < n; jc += ncBlock)
                {
                    int nc = Math.Min(ncBlock, n - jc);
                    T* bSrc = transB ? b + jc * ldb + pc : b + pc * ldb + jc;
                    // In place, only a last, narrower panel is packed (zero-padded to NR columns).
                    int inPlace = directB ? nc / NR * NR : 0;
                    if (inPlace < nc) GemmPacking<T, TK>.PackB(transB, bSrc + inPlace, ldb, kc, nc - inPlace, bPack);
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int mr = Math.Min(MR, mc - ir);
                        T* ap = aPack + ir * kc;
                        T* cRow = c + (ic + ir) * rsC + jc * csC;
                        for (int jr = 0; jr < nc; jr += NR)
                        {
                            int nr = Math.Min(NR, nc - jr);
                            bool direct = jr < inPlace;
                            T* bp = direct ? bSrc + jr : bPack + (jr - inPlace) * kc;
                            nint bStride = direct ? ldb : NR;
                            if (mr == MR && nr == NR && csC == 1)
                            {
                                TK.Run(kc, ap, bp, bStride, cRow + jr, rsC, beta, mode);
                            }
                            else
                            {
                                TK.Run(kc, ap, bp, bStride, tile, NR, T.Zero, 0);
                                MergeTile(tile, NR, cRow + jr * csC, rsC, csC, mr, nr, beta, mode);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void MergeTile(T* tile, int ldt, T* c, nint rsC, nint csC, int mr, int nr, T beta, int mode)
    {
        for (int i = 0; i < mr; i++)
        {
            T* t = tile + i * ldt;
            T* ci = c + i * rsC;
            switch (mode)
            {
                case 0:
                    for (int j = 0; j < nr; j++) ci[j * csC] = t[j];
                    break;
                case 1:
                    for (int j = 0; j < nr; j++) ci[j * csC] += t[j];
                    break;
                default:
                    for (int j = 0; j < nr; j++) ci[j * csC] = beta * ci[j * csC] + t[j];
                    break;
            }
        }
    }
}

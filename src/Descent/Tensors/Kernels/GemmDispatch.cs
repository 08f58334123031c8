using System.Numerics;

namespace Descent.Tensors.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Validated entry point shared by all overloads: handles the degenerate cases, picks the
    /// kernel family and the thread count, and splits C into per-thread blocks.
    /// </summary>
    internal static unsafe void Compute<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, nint lda,
        T* b, nint ldb, T beta, T* c, nint ldc, int threads, GemmKernelKind kind, int kcBlock, int ncBlock)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        if (typeof(T) == typeof(float) && kind == GemmKernelKind.Auto && GemmDotNT.Applies(transA, transB, m, n, k))
        {
            GemmDotNT.Run(m, n, k, float.CreateTruncating(alpha), (float*)a, lda, (float*)b, ldb, float.CreateTruncating(beta), (float*)c, ldc, threads);
            return;
        }
        // C is written through strides (rsC, csC). When the register tiles fit the transposed
        // problem much better (e.g. n = 10 against NR = 32), compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead,
        // writing C transposed: swap the operands and flip their transpose flags.
        bool swapped = ChooseKernel<T>(ref kind, m, n);
        var (mr, nr) = TileShape<T>(kind);
        nint rsC = ldc, csC = 1;
        if (swapped)
        {
            (m, n) = (n, m);
            T* swap = a;
            a = b;
            b = swap;
            (lda, ldb) = (ldb, lda);
            (transA, transB) = (!transB, !transA);
            (rsC, csC) = (1, ldc);
        }

        int t = KernelThreads.Resolve(threads);
        long work = (long)m * n * k;
        if (t > 1) t = (int)Math.Min(t, Math.Max(1, work / MinWorkPerThread));
        int panelsM = (m + mr - 1) / mr, panelsN = (n + nr - 1) / nr;
        bool splitM = panelsM >= panelsN || panelsM >= 4 * t;
        if (t > 1) t = Math.Min(t, splitM ? panelsM : panelsN);

        if (t <= 1)
        {
            RunBlock(kind, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rsC, csC, kcBlock, ncBlock);
            return;
        }

        var job = GemmJob<T>.ForThisThread();
        job.TransA = transA; job.TransB = transB;
        job.M = m; job.N = n; job.K = k;
        job.Alpha = alpha; job.Beta = beta;
        job.A = a; job.Lda = lda; job.B = b; job.Ldb = ldb; job.C = c; job.RsC = rsC; job.CsC = csC;
        job.Kind = kind; job.KcBlock = kcBlock; job.NcBlock = ncBlock;
        job.SplitM = splitM;
        int panels = splitM ? panelsM : panelsN;
        job.Chunk = (panels + t - 1) / t * (splitM ? mr : nr);
        try
        {
            KernelThreads.Run(t, job.Body);
        }
        finally
        {
            job.A = null; job.B = null; job.C = null;
        }
    }

    /// <summary>
    /// Resolves <see cref="GemmKernelKind.Auto"/> and the orientation: among the kernel families
    /// the machine runs at full speed and both orientations (C, or Cᵀ written transposed), the one
    /// with the least padded work per unit of peak throughput. Large problems pad little and keep
    /// the widest kernel; small and narrow ones get smaller tiles. Returns whether to swap.
    /// </summary>
    private static bool ChooseKernel<T>(ref GemmKernelKind kind, int m, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool auto = kind == GemmKernelKind.Auto;
        if (auto) kind = BestKernel;
        double bestCost = double.MaxValue;
        bool swap = false;
        var chosen = kind;
        foreach (var candidate in auto && kind == GemmKernelKind.Avx512 ? (ReadOnlySpan<GemmKernelKind>)[GemmKernelKind.Avx512, GemmKernelKind.Avx2] : [kind])
        {
            var (mr, nr) = TileShape<T>(candidate);
            double peak = candidate == GemmKernelKind.Avx2 && kind == GemmKernelKind.Avx512 ? Avx2RelativePeak : 1.0;
            double normal = Padded(m, mr) * Padded(n, nr) / peak;
            double transposed = 1.25 * Padded(n, mr) * Padded(m, nr) / peak;
            // Strict comparisons keep the earlier (wider, unswapped) choice on ties.
            if (normal < bestCost) (bestCost, chosen, swap) = (normal, candidate, false);
            if (transposed < bestCost) (bestCost, chosen, swap) = (transposed, candidate, true);
        }
        kind = chosen;
        return swap;
    }

    private static double Padded(int size, int tile) => (double)((size + tile - 1) / tile * tile);

    /// <summary>
    /// Throughput of the 256-bit kernel relative to the 512-bit one on this machine: Zen 4
    /// (AMD family 19h) executes 512-bit FMAs as two 256-bit halves, so both reach the same peak;
    /// elsewhere assume the 512-bit kernel is clearly faster. Slightly below 1 so ties keep the
    /// 512-bit kernel (fewer instructions).
    /// </summary>
    internal static readonly double Avx2RelativePeak = IsAmdFamily19h() ? 0.97 : 0.6;

    private static bool IsAmdFamily19h()
    {
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = System.Runtime.Intrinsics.X86.X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163; // "AuthenticAMD"
        if (!amd) return false;
        int eax = System.Runtime.Intrinsics.X86.X86Base.CpuId(1, 0).Eax;
        int family = ((eax >> 8) & 0xF) + ((eax >> 20) & 0xFF);
        return family == 0x19;
    }

    internal static (int Mr, int Nr) TileShape<T>(GemmKernelKind kind) where T : unmanaged, IFloatingPointIeee754<T> =>
        kind switch
        {
            GemmKernelKind.Avx512 => (Avx512Kernel<T>.Mr, Avx512Kernel<T>.Nr),
            GemmKernelKind.Avx2 => (Avx2Kernel<T>.Mr, Avx2Kernel<T>.Nr),
            _ => (ScalarKernel<T>.Mr, ScalarKernel<T>.Nr),
        };

    private static unsafe void RunBlock<T>(GemmKernelKind kind, bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint rsC, nint csC, int kcBlock, int ncBlock)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case GemmKernelKind.Avx512:
                GemmDriver<T, Avx512Kernel<T>>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rsC, csC, kcBlock, ncBlock, McBlock);
                break;
            case GemmKernelKind.Avx2:
                GemmDriver<T, Avx2Kernel<T>>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rsC, csC, kcBlock, ncBlock, McBlock);
                break;
            default:
                GemmDriver<T, ScalarKernel<T>>.Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rsC, csC, kcBlock, ncBlock, McBlock);
                break;
        }
    }

    private static unsafe void ScaleC<T>(int m, int n, T beta, T* c, nint ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (beta == T.One) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<T>(c + i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else for (int j = 0; j < row.Length; j++) row[j] *= beta;
        }
    }

    /// <summary>
    /// The arguments of one multi-threaded call, reused per calling thread so that the steady
    /// state does not allocate (the delegate handed to <see cref="KernelThreads"/> is cached).
    /// </summary>
    private sealed unsafe class GemmJob<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic]
        private static GemmJob<T>? cached;

        public readonly Action<int> Body;
        public bool TransA, TransB, SplitM;
        public int M, N, K, KcBlock, NcBlock, Chunk;
        public T Alpha, Beta;
        public T* A, B, C;
        public nint Lda, Ldb, RsC, CsC;
        public GemmKernelKind Kind;

        private GemmJob() => Body = Execute;

        public static GemmJob<T> ForThisThread() => cached ??= new GemmJob<T>();

        private void Execute(int index)
        {
            int start = index * Chunk;
            if (SplitM)
            {
                int rows = Math.Min(Chunk, M - start);
                if (rows <= 0) return;
                T* a = TransA ? A + start : A + start * Lda;
                RunBlock(Kind, TransA, TransB, rows, N, K, Alpha, a, Lda, B, Ldb, Beta, C + start * RsC, RsC, CsC, KcBlock, NcBlock);
            }
            else
            {
                int cols = Math.Min(Chunk, N - start);
                if (cols <= 0) return;
                T* b = TransB ? B + start * Ldb : B + start;
                RunBlock(Kind, TransA, TransB, M, cols, K, Alpha, A, Lda, b, Ldb, Beta, C + start * CsC, RsC, CsC, KcBlock, NcBlock);
            }
        }
    }
}

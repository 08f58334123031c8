using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Tensors.Kernels;

/// <summary>
/// C = alpha·A·Bᵀ + beta·C for a thin A (a mini-batch of m ≤ 256 rows) and a B stored n×k, k contiguous (a
/// Linear layer's forward pass: x·Wᵀ with W stored one output unit per row), without packing. Both operands run
/// contiguously along k, so a register tile of 3 rows of A × 8 rows of B accumulates 24 dot products, 16 floats
/// at a time, straight from the matrices; the 24 vector sums are folded into 3×8 outputs at the end of each k
/// block (as many columns of A as keep all its rows in 512 KB).
/// </summary>
/// <remarks>
/// The packed GEMM (<see cref="GemmDriver{T, TK}"/>) would transpose-pack every element of B on every call,
/// which for a 128-row batch costs about as much as a sixth of the multiply itself (B is the whole weight
/// matrix, read from memory and written again as panels). Here each element of B is read once per call and
/// stays in L1 while a k block of A (at most 512 KB, L2-resident) streams past it. Threads split B's rows (C's
/// columns) in groups of 8, so every element of C is computed in the same order whatever the thread count.
/// Float only, AVX-512 only; <see cref="Applies"/> decides.
/// </remarks>
internal static unsafe class GemmDotNT
{
    private const int TileRows = 3, TileCols = 8;

    /// <summary>Whether the product op(A)·op(B) of these sizes takes this path.</summary>
    /// <remarks>From k = 192 on: shorter dot products spend too much of the tile on folding its 24 sums (128×64×64
    /// ran at 114 GFLOP/s this way and 206 packed; 128×64×192 at 310 against 273).</remarks>
    public static bool Applies(bool transA, bool transB, int m, int n, int k) =>
        Avx512F.IsSupported && !transA && transB && m <= 256 && n >= 32 && k >= 192;

    /// <summary>Elements of A (floats) kept in L2 at once: 512 KB.</summary>
    private const int ABlockElements = 128 * 1024;

    /// <summary>The depth of a k block: all m rows of a block of A fit in <see cref="ABlockElements"/>; longer
    /// products (a 128-row batch against a 3136-wide input) run block after block, adding into C.</summary>
    internal static int KBlock(int m, int k)
    {
        int most = Math.Max(64, ABlockElements / m / 16 * 16);
        if (k <= most) return k;
        int blocks = (k + most - 1) / most;
        return ((k + blocks - 1) / blocks + 15) / 16 * 16;   // balanced, a multiple of the vector width
    }

    /// <summary>Computes C[m×n] = alpha·A·Bᵀ + beta·C (A m×k row stride lda, B n×k row stride ldb).</summary>
    public static void Run(int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta,
        float* c, nint ldc, int threads)
    {
        int groups = (n + TileCols - 1) / TileCols;
        int t = Math.Min(KernelThreads.Resolve(threads), groups);
        if ((long)m * n * k < Gemm.MinWorkPerThread * 2) t = 1;
        if (t <= 1)
        {
            Columns(0, n, m, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        var job = Job.ForThisThread();
        job.M = m; job.N = n; job.K = k; job.Alpha = alpha; job.Beta = beta;
        job.A = a; job.Lda = lda; job.B = b; job.Ldb = ldb; job.C = c; job.Ldc = ldc;
        job.GroupsPerThread = (groups + t - 1) / t;
        try
        {
            KernelThreads.Run(t, job.Body);
        }
        finally
        {
            job.A = null; job.B = null; job.C = null;
        }
    }

    /// <summary>Columns [j0, j1) of C, every row: one k block after another, the first applying beta.</summary>
    private static void Columns(int j0, int j1, int m, int k, float alpha, float* a, nint lda, float* b, nint ldb,
        float beta, float* c, nint ldc)
    {
        int kb = KBlock(m, k);
        for (int p = 0; p < k; p += kb)
            Block(j0, j1, m, Math.Min(kb, k - p), alpha, a + p, lda, b + p, ldb, p == 0 ? beta : 1f, c, ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(int j0, int j1, int m, int k, float alpha, float* a, nint lda, float* b, nint ldb,
        float beta, float* c, nint ldc)
    {
        float** bRows = stackalloc float*[TileCols];
        float* tile = stackalloc float[TileRows * TileCols];
        for (int j = j0; j < j1; j += TileCols)
        {
            int cols = Math.Min(TileCols, j1 - j);
            // A short last group repeats its last row of B; the extra sums are computed and dropped.
            for (int q = 0; q < TileCols; q++) bRows[q] = b + (j + Math.Min(q, cols - 1)) * ldb;
            for (int i = 0; i < m; i += TileRows)
            {
                int rows = Math.Min(TileRows, m - i);
                float* a0 = a + i * lda;
                float* a1 = rows > 1 ? a0 + lda : a0;
                float* a2 = rows > 2 ? a1 + lda : a1;
                Tile(a0, a1, a2, bRows, k, tile);
                Store(tile, rows, cols, alpha, beta, c + i * ldc + j, ldc);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store(float* tile, int rows, int cols, float alpha, float beta, float* c, nint ldc)
    {
        for (int r = 0; r < rows; r++, c += ldc, tile += TileCols)
        {
            if (cols == TileCols)
            {
                var v = Vector256.Load(tile) * alpha;
                if (beta != 0f) v += Vector256.Load(c) * beta;
                v.Store(c);
                continue;
            }
            for (int q = 0; q < cols; q++)
                c[q] = beta == 0f ? alpha * tile[q] : alpha * tile[q] + beta * c[q];
        }
    }

    /// <summary>The 3×8 dot products of rows a0, a1, a2 with the 8 rows of B, into <paramref name="tile"/> (row-major).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* a0, float* a1, float* a2, float** bRows, int k, float* tile)
    {
        float* b0 = bRows[0], b1 = bRows[1], b2 = bRows[2], b3 = bRows[3];
        float* b4 = bRows[4], b5 = bRows[5], b6 = bRows[6], b7 = bRows[7];
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default, c06 = default, c07 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default, c16 = default, c17 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c24 = default, c25 = default, c26 = default, c27 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var x0 = Vector512.Load(a0 + p);
            var x1 = Vector512.Load(a1 + p);
            var x2 = Vector512.Load(a2 + p);
            var w = Vector512.Load(b0 + p);
            c00 = Avx512F.FusedMultiplyAdd(x0, w, c00); c10 = Avx512F.FusedMultiplyAdd(x1, w, c10); c20 = Avx512F.FusedMultiplyAdd(x2, w, c20);
            w = Vector512.Load(b1 + p);
            c01 = Avx512F.FusedMultiplyAdd(x0, w, c01); c11 = Avx512F.FusedMultiplyAdd(x1, w, c11); c21 = Avx512F.FusedMultiplyAdd(x2, w, c21);
            w = Vector512.Load(b2 + p);
            c02 = Avx512F.FusedMultiplyAdd(x0, w, c02); c12 = Avx512F.FusedMultiplyAdd(x1, w, c12); c22 = Avx512F.FusedMultiplyAdd(x2, w, c22);
            w = Vector512.Load(b3 + p);
            c03 = Avx512F.FusedMultiplyAdd(x0, w, c03); c13 = Avx512F.FusedMultiplyAdd(x1, w, c13); c23 = Avx512F.FusedMultiplyAdd(x2, w, c23);
            w = Vector512.Load(b4 + p);
            c04 = Avx512F.FusedMultiplyAdd(x0, w, c04); c14 = Avx512F.FusedMultiplyAdd(x1, w, c14); c24 = Avx512F.FusedMultiplyAdd(x2, w, c24);
            w = Vector512.Load(b5 + p);
            c05 = Avx512F.FusedMultiplyAdd(x0, w, c05); c15 = Avx512F.FusedMultiplyAdd(x1, w, c15); c25 = Avx512F.FusedMultiplyAdd(x2, w, c25);
            w = Vector512.Load(b6 + p);
            c06 = Avx512F.FusedMultiplyAdd(x0, w, c06); c16 = Avx512F.FusedMultiplyAdd(x1, w, c16); c26 = Avx512F.FusedMultiplyAdd(x2, w, c26);
            w = Vector512.Load(b7 + p);
            c07 = Avx512F.FusedMultiplyAdd(x0, w, c07); c17 = Avx512F.FusedMultiplyAdd(x1, w, c17); c27 = Avx512F.FusedMultiplyAdd(x2, w, c27);
        }
        if (p < k)
        {
            // The last k mod 16 columns: masked loads (lanes past k read as zero and cannot fault). The body is
            // repeated rather than shared with the main loop: masking every step made the kernel 5–15% slower.
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(k - p)).AsSingle();
            var z = Vector512<float>.Zero;
            var x0 = Avx512F.MaskLoad(a0 + p, mask, z);
            var x1 = Avx512F.MaskLoad(a1 + p, mask, z);
            var x2 = Avx512F.MaskLoad(a2 + p, mask, z);
            var w = Avx512F.MaskLoad(b0 + p, mask, z);
            c00 = Avx512F.FusedMultiplyAdd(x0, w, c00); c10 = Avx512F.FusedMultiplyAdd(x1, w, c10); c20 = Avx512F.FusedMultiplyAdd(x2, w, c20);
            w = Avx512F.MaskLoad(b1 + p, mask, z);
            c01 = Avx512F.FusedMultiplyAdd(x0, w, c01); c11 = Avx512F.FusedMultiplyAdd(x1, w, c11); c21 = Avx512F.FusedMultiplyAdd(x2, w, c21);
            w = Avx512F.MaskLoad(b2 + p, mask, z);
            c02 = Avx512F.FusedMultiplyAdd(x0, w, c02); c12 = Avx512F.FusedMultiplyAdd(x1, w, c12); c22 = Avx512F.FusedMultiplyAdd(x2, w, c22);
            w = Avx512F.MaskLoad(b3 + p, mask, z);
            c03 = Avx512F.FusedMultiplyAdd(x0, w, c03); c13 = Avx512F.FusedMultiplyAdd(x1, w, c13); c23 = Avx512F.FusedMultiplyAdd(x2, w, c23);
            w = Avx512F.MaskLoad(b4 + p, mask, z);
            c04 = Avx512F.FusedMultiplyAdd(x0, w, c04); c14 = Avx512F.FusedMultiplyAdd(x1, w, c14); c24 = Avx512F.FusedMultiplyAdd(x2, w, c24);
            w = Avx512F.MaskLoad(b5 + p, mask, z);
            c05 = Avx512F.FusedMultiplyAdd(x0, w, c05); c15 = Avx512F.FusedMultiplyAdd(x1, w, c15); c25 = Avx512F.FusedMultiplyAdd(x2, w, c25);
            w = Avx512F.MaskLoad(b6 + p, mask, z);
            c06 = Avx512F.FusedMultiplyAdd(x0, w, c06); c16 = Avx512F.FusedMultiplyAdd(x1, w, c16); c26 = Avx512F.FusedMultiplyAdd(x2, w, c26);
            w = Avx512F.MaskLoad(b7 + p, mask, z);
            c07 = Avx512F.FusedMultiplyAdd(x0, w, c07); c17 = Avx512F.FusedMultiplyAdd(x1, w, c17); c27 = Avx512F.FusedMultiplyAdd(x2, w, c27);
        }
        Sum8(c00, c01, c02, c03, c04, c05, c06, c07).Store(tile);
        Sum8(c10, c11, c12, c13, c14, c15, c16, c17).Store(tile + TileCols);
        Sum8(c20, c21, c22, c23, c24, c25, c26, c27).Store(tile + 2 * TileCols);
    }

    /// <summary>Lane j of the result is the sum of the 16 lanes of vj.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sum8(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
    {
        // Halves first (16 → 8 lanes each), then horizontal adds pair up neighbours: after two rounds each
        // 128-bit lane holds four partial sums, and adding the two 128-bit lanes finishes them.
        Vector256<float> u0 = v0.GetLower() + v0.GetUpper(), u1 = v1.GetLower() + v1.GetUpper();
        Vector256<float> u2 = v2.GetLower() + v2.GetUpper(), u3 = v3.GetLower() + v3.GetUpper();
        Vector256<float> u4 = v4.GetLower() + v4.GetUpper(), u5 = v5.GetLower() + v5.GetUpper();
        Vector256<float> u6 = v6.GetLower() + v6.GetUpper(), u7 = v7.GetLower() + v7.GetUpper();
        var h0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(u0, u1), Avx.HorizontalAdd(u2, u3));
        var h4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(u4, u5), Avx.HorizontalAdd(u6, u7));
        return Avx.Permute2x128(h0123, h4567, 0x20) + Avx.Permute2x128(h0123, h4567, 0x31);
    }

    /// <summary>The arguments of one multi-threaded call, cached per calling thread (no allocation per call).</summary>
    private sealed class Job
    {
        [ThreadStatic]
        private static Job? cached;

        public readonly Action<int> Body;
        public int M, N, K, GroupsPerThread;
        public float Alpha, Beta;
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;

        private Job() => Body = Execute;

        public static Job ForThisThread() => cached ??= new Job();

        private void Execute(int index)
        {
            int j0 = index * GroupsPerThread * TileCols;
            int j1 = Math.Min(N, j0 + GroupsPerThread * TileCols);
            if (j0 < j1) Columns(j0, j1, M, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc);
        }
    }
}

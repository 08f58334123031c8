using System.Runtime.Intrinsics.X86;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors.Kernels;

public class GemmTests
{
    private static readonly int[] OddSizes = [1, 2, 3, 7, 17, 31, 33, 65, 100, 129, 257];

    // (m, n, k) triples: every odd size appears in every position, plus shapes that cross the
    // KC (k > 256) and NC (n > 512) block boundaries and thin shapes that split N across threads.
    public static readonly (int M, int N, int K)[] Shapes = BuildShapes();

    private static (int, int, int)[] BuildShapes()
    {
        var list = new List<(int, int, int)>();
        for (int i = 0; i < OddSizes.Length; i++)
        {
            int s = OddSizes[i];
            int t = OddSizes[(i + 3) % OddSizes.Length];
            int u = OddSizes[(i + 7) % OddSizes.Length];
            list.Add((s, t, u));
        }
        list.Add((257, 65, 257));
        list.Add((5, 1030, 33));
        list.Add((3, 700, 300));
        return [.. list];
    }

    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Sgemm_MatchesReference_AllShapes(bool transA, bool transB)
    {
        foreach (var (m, n, k) in Shapes)
            foreach (int threads in new[] { 1, 2 })
                CheckFloat(transA, transB, m, n, k, 1f, 0f, threads, pad: 0);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Dgemm_MatchesReference_AllShapes(bool transA, bool transB)
    {
        foreach (var (m, n, k) in Shapes)
            foreach (int threads in new[] { 1, 2 })
                CheckDouble(transA, transB, m, n, k, 1.0, 0.0, threads, pad: 0);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void AlphaBeta_AndLeadingDimensions(bool transA, bool transB)
    {
        foreach (var (alpha, beta) in new[] { (1f, 1f), (0.5f, -0.75f), (-2f, 0f), (0f, 0.5f), (0f, 0f), (1.5f, 1f) })
        {
            CheckFloat(transA, transB, 33, 65, 17, alpha, beta, threads: 1, pad: 5);
            CheckFloat(transA, transB, 100, 129, 31, alpha, beta, threads: 2, pad: 3);
            CheckDouble(transA, transB, 31, 17, 65, alpha, beta, threads: 2, pad: 7);
            // Narrow C: computed as Cᵀ = op(B)ᵀ·op(A)ᵀ and written transposed.
            CheckFloat(transA, transB, 150, 5, 40, alpha, beta, threads: 2, pad: 3);
            CheckDouble(transA, transB, 70, 3, 9, alpha, beta, threads: 1, pad: 2);
        }
    }

    [Fact]
    public void BetaZero_OverwritesNaN()
    {
        foreach (int k in new[] { 0, 1, 40 })
        {
            int m = 13, n = 37;
            var a = Random(m * Math.Max(k, 1), 1);
            var b = Random(Math.Max(k, 1) * n, 2);
            var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
            Gemm.Sgemm(false, false, m, n, k, 1f, a, Math.Max(k, 1), b, n, 0f, c, n);
            Assert.All(c, x => Assert.False(float.IsNaN(x)));
            var cd = Enumerable.Repeat(double.NaN, m * n).ToArray();
            Gemm.Dgemm(false, false, m, n, k, 1.0, a.Select(x => (double)x).ToArray(), Math.Max(k, 1),
                b.Select(x => (double)x).ToArray(), n, 0.0, cd, n);
            Assert.All(cd, x => Assert.False(double.IsNaN(x)));
        }
    }

    [Fact]
    public void KZero_ScalesC_AndEmptyIsNoOp()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 3, 2f, c, 3);
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, c);
        Gemm.Sgemm(false, false, 0, 3, 4, 1f, ReadOnlySpan<float>.Empty, 4, new float[12], 3, 0f, Span<float>.Empty, 3);
        Gemm.Sgemm(false, false, 2, 0, 4, 1f, new float[8], 4, ReadOnlySpan<float>.Empty, 1, 0f, c, 1);
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, c);
    }

    [Fact]
    public void AllKernelFamilies_AndSmallBlocks_MatchReference()
    {
        var kinds = new List<GemmKernelKind> { GemmKernelKind.Scalar };
        if (Fma.IsSupported && Avx2.IsSupported) kinds.Add(GemmKernelKind.Avx2);
        if (Avx512F.IsSupported) kinds.Add(GemmKernelKind.Avx512);
        foreach (var kind in kinds)
            foreach (var (tA, tB) in new[] { (false, false), (true, true), (false, true), (true, false) })
                foreach (var (kc, nc) in new[] { (256, 512), (7, 40), (16, 33) })
                {
                    CheckFloat(tA, tB, 29, 71, 45, 0.5f, 0.25f, threads: 2, pad: 2, kind, kc, nc);
                    CheckDouble(tA, tB, 29, 71, 45, 0.5, 0.0, threads: 1, pad: 1, kind, kc, nc);
                    CheckFloat(tA, tB, 71, 9, 45, -1f, 1f, threads: 2, pad: 1, kind, kc, nc);
                }
    }

    /// <summary>
    /// Thin x·Wᵀ products (a Linear layer's forward pass on a mini-batch) take the unpacked dot-product path on
    /// AVX-512 machines: every remainder of its 3×8 register tile and of its 16-wide k loop, k split into blocks
    /// (3136 = 4 × 784, 1500 = 3 × 512 − 36), strided operands with NaN in the padding, alpha and beta, one and
    /// two threads.
    /// </summary>
    [Fact]
    public void ThinNT_DotProductPath_MatchesReference()
    {
        Assert.Equal(784, GemmDotNT.KBlock(128, 3136));
        Assert.Equal(512, GemmDotNT.KBlock(200, 1500));
        Assert.Equal(784, GemmDotNT.KBlock(128, 784));
        Assert.False(GemmDotNT.Applies(false, true, 128, 64, 64));   // short dot products stay packed
        Assert.False(GemmDotNT.Applies(false, true, 300, 1000, 784));
        foreach (var (m, n, k) in new[] { (128, 1000, 784), (1, 33, 192), (2, 40, 193), (4, 47, 200), (128, 100, 500), (256, 64, 512), (5, 39, 207), (128, 40, 3136), (200, 33, 1500) })
        {
            Assert.Equal(Avx512F.IsSupported, GemmDotNT.Applies(false, true, m, n, k));
            foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, -0.75f), (-2f, 1f) })
                foreach (int threads in new[] { 1, 2 })
                    CheckFloat(false, true, m, n, k, alpha, beta, threads, pad: 3);
        }
    }

    [Fact]
    public void ResultDoesNotDependOnThreadCount()
    {
        int m = 130, n = 150, k = 90;
        var a = Random(m * k, 5);
        var b = Random(k * n, 6);
        var c1 = new float[m * n];
        var c2 = new float[m * n];
        Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c1, n, threads: 1);
        Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c2, n, threads: 2);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public async Task ConcurrentCallers_GetCorrectResults()
    {
        int m = 96, n = 96, k = 96;
        var a = Random(m * k, 8);
        var b = Random(k * n, 9);
        var expected = new float[m * n];
        GemmReference.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, expected, n);
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int r = 0; r < 5; r++)
            {
                var c = new float[m * n];
                Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads: 2);
                AssertClose(expected, c, 1e-4);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void SpanOverloads_ValidateSizes()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a.AsSpan(0, 5), 3, b, 2, 0f, c, 2));
        Assert.Contains("needs 6 elements", e.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c.AsSpan(0, 3), 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(true, false, 2, 2, 3, 1f, a, 1, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Dgemm(false, false, -1, 2, 3, 1.0, new double[6], 3, new double[6], 2, 0.0, new double[4], 2));
    }

    [Fact]
    public void KernelThreads_RunAndFor()
    {
        var seen = new int[5];
        KernelThreads.Run(5, t => Interlocked.Increment(ref seen[t]));
        Assert.All(seen, x => Assert.Equal(1, x));
        var hits = new int[1000];
        KernelThreads.For(0, 1000, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, x => Assert.Equal(1, x));
        // Back-to-back jobs of different widths: every index runs exactly once per job.
        long total = 0;
        for (int r = 0; r < 3000; r++)
        {
            int width = 2 + r % 3;
            var once = new int[width];
            KernelThreads.Run(width, t => { Interlocked.Increment(ref once[t]); Interlocked.Increment(ref total); });
            Assert.All(once, x => Assert.Equal(1, x));
        }
        Assert.Equal(3000 * 3, total);
        int nested = 0;
        KernelThreads.Run(2, _ => KernelThreads.Run(3, _ => Interlocked.Increment(ref nested)));
        Assert.Equal(6, nested);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            KernelThreads.Run(2, t => { if (t == 1) throw new InvalidOperationException("boom"); }));
        Assert.Equal("boom", ex.Message);
    }

    private static unsafe void CheckFloat(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int threads, int pad,
        GemmKernelKind kind = GemmKernelKind.Auto, int kc = 0, int nc = 0)
    {
        int lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad;
        int aRows = transA ? k : m, bRows = transB ? n : k;
        var a = Padded(aRows, transA ? m : k, Math.Max(lda, 1), 11 * m + k, float.NaN);
        var b = Padded(bRows, transB ? k : n, Math.Max(ldb, 1), 13 * n + k, float.NaN);
        var c0 = Padded(m, n, ldc, 17 * m + n, -99f);
        var expected = (float[])c0.Clone();
        var actual = (float[])c0.Clone();
        // The reference reads only the matrix region, so NaN padding must not reach C.
        GemmReference.Sgemm(transA, transB, m, n, k, alpha, a, Math.Max(lda, 1), b, Math.Max(ldb, 1), beta, expected, ldc);
        if (kind == GemmKernelKind.Auto && kc == 0)
        {
            Gemm.Sgemm(transA, transB, m, n, k, alpha, a, Math.Max(lda, 1), b, Math.Max(ldb, 1), beta, actual, ldc, threads);
        }
        else
        {
            fixed (float* pa = a, pb = b, pc = actual)
                Gemm.Compute(transA, transB, m, n, k, alpha, pa, Math.Max(lda, 1), pb, Math.Max(ldb, 1), beta, pc, ldc,
                    threads, kind, kc == 0 ? Gemm.KcFloat : kc, nc == 0 ? Gemm.NcFloat : nc);
        }
        AssertClose(expected, actual, 2e-6 * (k + 4) * (1 + Math.Abs(alpha) + Math.Abs(beta)), $"{m}x{n}x{k} tA={transA} tB={transB} a={alpha} b={beta} t={threads} {kind}");
    }

    private static unsafe void CheckDouble(bool transA, bool transB, int m, int n, int k, double alpha, double beta, int threads, int pad,
        GemmKernelKind kind = GemmKernelKind.Auto, int kc = 0, int nc = 0)
    {
        int lda = Math.Max((transA ? m : k) + pad, 1), ldb = Math.Max((transB ? k : n) + pad, 1), ldc = n + pad;
        var a = Padded(transA ? k : m, transA ? m : k, lda, 19 * m + k, float.NaN).Select(x => (double)x).ToArray();
        var b = Padded(transB ? n : k, transB ? k : n, ldb, 23 * n + k, float.NaN).Select(x => (double)x).ToArray();
        var c0 = Padded(m, n, ldc, 29 * m + n, -99f).Select(x => (double)x).ToArray();
        var expected = (double[])c0.Clone();
        var actual = (double[])c0.Clone();
        GemmReference.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        if (kind == GemmKernelKind.Auto && kc == 0)
        {
            Gemm.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc, threads);
        }
        else
        {
            fixed (double* pa = a, pb = b, pc = actual)
                Gemm.Compute(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc,
                    threads, kind, kc == 0 ? Gemm.KcDouble : kc, nc == 0 ? Gemm.NcDouble : nc);
        }
        AssertClose(expected, actual, 1e-14 * (k + 4) * (1 + Math.Abs(alpha) + Math.Abs(beta)), $"{m}x{n}x{k} tA={transA} tB={transB} t={threads} {kind}");
    }

    /// <summary>rows×cols values in [-1, 1) stored with stride ld; the padding holds <paramref name="fill"/>.</summary>
    private static float[] Padded(int rows, int cols, int ld, int seed, float fill)
    {
        var rng = new Random(seed);
        var data = new float[Math.Max(rows * ld, 1)];
        for (int i = 0; i < data.Length; i++)
            data[i] = i % ld < cols ? (float)(rng.NextDouble() * 2 - 1) : fill;
        return data;
    }

    internal static float[] Random(int count, int seed) => Padded(1, count, Math.Max(count, 1), seed, 0f);

    private static void AssertClose(float[] expected, float[] actual, double tol, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Padding (sentinel -99) must be untouched; everything must agree within tol.
            if (Math.Abs(expected[i] - actual[i]) > tol || float.IsNaN(actual[i]) != float.IsNaN(expected[i]))
                Assert.Fail($"{what}: element {i}: expected {expected[i]}, got {actual[i]} (tol {tol:G3})");
        }
    }

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tol || double.IsNaN(actual[i]) != double.IsNaN(expected[i]))
                Assert.Fail($"{what}: element {i}: expected {expected[i]}, got {actual[i]} (tol {tol:G3})");
        }
    }
}

/// <summary>Allocation is measured alone: while another test holds the kernel thread pool, a parallel
/// GEMM falls back to <c>Parallel.For</c>, which allocates.</summary>
[Collection(nameof(GemmAllocationCollection))]
public class GemmAllocationTests
{
    [Fact]
    public void SteadyState_DoesNotAllocate()
    {
        int m = 120, n = 130, k = 140;
        var a = GemmTests.Random(m * k, 3);
        var b = GemmTests.Random(k * n, 4);
        var c = new float[m * n];
        for (int i = 0; i < 3; i++) Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c, n, threads: 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c, n, threads: 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

/// <summary>Runs <see cref="GemmAllocationTests"/> with no other test in parallel.</summary>
[CollectionDefinition(nameof(GemmAllocationCollection), DisableParallelization = true)]
public class GemmAllocationCollection
{
}

using System.Numerics;
using System.Runtime.InteropServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// 2-D convolution (NCHW, cross-correlation as in PyTorch's <c>conv2d</c>) and its two gradients,
/// lowered to GEMM through <see cref="Im2Col"/>:
/// <list type="bullet">
/// <item>forward: <c>Y[OC, L] = W[OC, K] · col(x)[K, L]</c>;</item>
/// <item>input gradient: <c>col(dx) = Wᵀ · gY</c>, then col2im;</item>
/// <item>weight gradient: <c>dW = gY · col(x)ᵀ</c>, summed over the batch chunks;</item>
/// </list>
/// where <c>K = C·KH·KW</c> and <c>L</c> is the output pixels of a chunk of images. The batch is processed
/// in chunks whose column matrix stays below <see cref="MaxColumnBytes"/>; buffers are rented from the
/// <see cref="TensorPool"/>. Im2col, col2im and the reshuffles are parallel over images and channels, the
/// GEMMs use the GEMM's own threading. The chunking does not depend on the thread count, and the weight
/// gradient sums chunks in a fixed order, so results are reproducible. 1×1 kernels with stride 1 and no
/// padding skip im2col: the input already is the column matrix.
/// </summary>
internal static class ConvKernels
{
    /// <summary>Upper bound on the im2col buffer of one chunk (at least one image is always processed).</summary>
    internal static long MaxColumnBytes = 4L << 20;

    /// <summary>Below this many elements of work a loop runs on the calling thread.</summary>
    internal const long MinParallelWork = 32_768;

    /// <summary>Runs <paramref name="body"/> for [0, count) in parallel when the work is large enough.</summary>
    public static void For(int count, long workPerItem, Action<int> body)
    {
        if (count <= 1 || count * workPerItem < MinParallelWork)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        KernelThreads.For(0, count, body);
    }

    /// <summary>Images per chunk: as many as fit <paramref name="maxColumnBytes"/> (0: <see cref="MaxColumnBytes"/>),
    /// at least one; 1 for pointwise kernels.</summary>
    internal static int ChunkSize<T>(in ConvGeometry g, long maxColumnBytes) where T : unmanaged
    {
        if (g.IsPointwise) return 1;
        long perImage = Math.Max(1L, (long)g.K * g.P * Marshal.SizeOf<T>());
        long budget = maxColumnBytes > 0 ? maxColumnBytes : MaxColumnBytes;
        return (int)Math.Clamp(budget / perImage, 1, Math.Max(1, g.N));
    }

    /// <summary>y[N, OC, OH, OW] = conv(x, w) + bias (bias may be null).</summary>
    public static void Forward<T>(T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y, int yOff, ConvGeometry g, long maxColumnBytes = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = g.P, K = g.K, OC = g.OC;
        if (g.N == 0 || P == 0 || OC == 0) return;
        if (K == 0)
        {
            For(g.N * OC, P, item => new Span<T>(y, yOff + item * P, P).Fill(bias is null ? T.Zero : bias[bOff + item % OC]));
            return;
        }
        int bc = ChunkSize<T>(g, maxColumnBytes);
        T[]? col = g.IsPointwise ? null : Pool.Rent<T>(K * bc * P);
        T[]? tmp = bc > 1 ? Pool.Rent<T>(OC * bc * P) : null;
        try
        {
            var wSpan = new ReadOnlySpan<T>(w, wOff, OC * K);
            for (int n0 = 0; n0 < g.N; n0 += bc)
            {
                int nb = Math.Min(bc, g.N - n0), L = nb * P;
                ReadOnlySpan<T> cols;
                if (col is null) cols = new ReadOnlySpan<T>(x, xOff + n0 * g.C * g.HW, K * P);
                else
                {
                    Im2Col.Pack(x, xOff, g, n0, nb, col);
                    cols = new ReadOnlySpan<T>(col, 0, K * L);
                }
                if (nb == 1)
                {
                    var yImage = new Span<T>(y, yOff + n0 * OC * P, OC * P);
                    if (bias is not null)
                        for (int oc = 0; oc < OC; oc++) yImage.Slice(oc * P, P).Fill(bias[bOff + oc]);
                    Mul(false, false, OC, P, K, wSpan, K, cols, P, bias is null ? 0 : 1, yImage, P);
                    continue;
                }
                Mul(false, false, OC, L, K, wSpan, K, cols, L, 0, new Span<T>(tmp, 0, OC * L), L);
                int first = n0;
                var product = tmp!;
                For(nb * OC, P, item =>
                {
                    int b = item / OC, oc = item % OC;
                    var src = new ReadOnlySpan<T>(product, oc * L + b * P, P);
                    var dst = new Span<T>(y, yOff + ((first + b) * OC + oc) * P, P);
                    if (bias is null) src.CopyTo(dst);
                    else System.Numerics.Tensors.TensorPrimitives.Add(src, bias[bOff + oc], dst);
                });
            }
        }
        finally
        {
            if (col is not null) Pool.Return(col);
            if (tmp is not null) Pool.Return(tmp);
        }
    }

    /// <summary>dx[N, C, H, W] = the adjoint of the convolution applied to gy[N, OC, OH, OW] (overwrites dx).</summary>
    public static void InputGrad<T>(T[] gy, int gyOff, T[] w, int wOff, T[] dx, int dxOff, ConvGeometry g, long maxColumnBytes = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = g.P, K = g.K, OC = g.OC;
        if (g.N == 0 || g.C == 0 || g.HW == 0) return;
        if (P == 0 || OC == 0)
        {
            new Span<T>(dx, dxOff, g.N * g.C * g.HW).Clear();
            return;
        }
        int bc = ChunkSize<T>(g, maxColumnBytes);
        T[]? dcol = g.IsPointwise ? null : Pool.Rent<T>(K * bc * P);
        T[]? gyc = bc > 1 ? Pool.Rent<T>(OC * bc * P) : null;
        try
        {
            var wSpan = new ReadOnlySpan<T>(w, wOff, OC * K);
            for (int n0 = 0; n0 < g.N; n0 += bc)
            {
                int nb = Math.Min(bc, g.N - n0), L = nb * P;
                var gyChunk = GatherChunk(gy, gyOff, gyc, OC, P, n0, nb);
                if (dcol is null)
                {
                    Mul(true, false, K, P, OC, wSpan, K, gyChunk, P, 0, new Span<T>(dx, dxOff + n0 * g.C * g.HW, K * P), P);
                    continue;
                }
                Mul(true, false, K, L, OC, wSpan, K, gyChunk, L, 0, new Span<T>(dcol, 0, K * L), L);
                Im2Col.Unpack(dcol, g, n0, nb, dx, dxOff);
            }
        }
        finally
        {
            if (dcol is not null) Pool.Return(dcol);
            if (gyc is not null) Pool.Return(gyc);
        }
    }

    /// <summary>dw[OC, C, KH, KW] = Σ over the batch of gy · col(x)ᵀ (overwrites dw).</summary>
    public static void WeightGrad<T>(T[] x, int xOff, T[] gy, int gyOff, T[] dw, int dwOff, ConvGeometry g, long maxColumnBytes = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = g.P, K = g.K, OC = g.OC;
        var dwSpan = new Span<T>(dw, dwOff, OC * K);
        if (g.N == 0 || P == 0 || OC == 0 || K == 0)
        {
            dwSpan.Clear();
            return;
        }
        int bc = ChunkSize<T>(g, maxColumnBytes);
        T[]? col = g.IsPointwise ? null : Pool.Rent<T>(K * bc * P);
        T[]? gyc = bc > 1 ? Pool.Rent<T>(OC * bc * P) : null;
        try
        {
            for (int n0 = 0; n0 < g.N; n0 += bc)
            {
                int nb = Math.Min(bc, g.N - n0), L = nb * P;
                ReadOnlySpan<T> cols;
                if (col is null) cols = new ReadOnlySpan<T>(x, xOff + n0 * g.C * g.HW, K * P);
                else
                {
                    Im2Col.Pack(x, xOff, g, n0, nb, col);
                    cols = new ReadOnlySpan<T>(col, 0, K * L);
                }
                var gyChunk = GatherChunk(gy, gyOff, gyc, OC, P, n0, nb);
                Mul(false, true, OC, K, L, gyChunk, L, cols, L, n0 == 0 ? 0 : 1, dwSpan, K);
            }
        }
        finally
        {
            if (col is not null) Pool.Return(col);
            if (gyc is not null) Pool.Return(gyc);
        }
    }

    /// <summary>The output gradient of images [n0, n0 + nb) as an [OC, nb·P] matrix: a view for one image,
    /// otherwise copied into <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<T> GatherChunk<T>(T[] gy, int gyOff, T[]? buffer, int oc0, int p, int n0, int nb)
        where T : unmanaged
    {
        if (nb == 1) return new ReadOnlySpan<T>(gy, gyOff + n0 * oc0 * p, oc0 * p);
        var buf = buffer!;
        int l = nb * p;
        For(nb * oc0, p, item =>
        {
            int b = item / oc0, oc = item % oc0;
            new ReadOnlySpan<T>(gy, gyOff + ((n0 + b) * oc0 + oc) * p, p).CopyTo(new Span<T>(buf, oc * l + b * p, p));
        });
        return new ReadOnlySpan<T>(buf, 0, oc0 * l);
    }

    /// <summary>C = op(A)·op(B) + beta·C with the packed GEMM (row-major).</summary>
    internal static void Mul<T>(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<T> a, int lda,
        ReadOnlySpan<T> b, int ldb, double beta, Span<T> c, int ldc) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(transA, transB, m, n, k, 1f, MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb,
                (float)beta, MemoryMarshal.Cast<T, float>(c), ldc);
        else
            Gemm.Dgemm(transA, transB, m, n, k, 1.0, MemoryMarshal.Cast<T, double>(a), lda, MemoryMarshal.Cast<T, double>(b), ldb,
                beta, MemoryMarshal.Cast<T, double>(c), ldc);
    }

    /// <summary>Temporary buffers from the <see cref="TensorPool"/> (exact-length buckets: the same shapes
    /// every step reuse the same arrays).</summary>
    internal static class Pool
    {
        public static T[] Rent<T>(int length) where T : unmanaged =>
            typeof(T) == typeof(float) ? (T[])(object)TensorPool.RentFloats(length) : (T[])(object)TensorPool.RentDoubles(length);

        public static void Return<T>(T[] array) where T : unmanaged =>
            TensorPool.Return(array is float[] f ? new Storage(f) : new Storage((double[])(object)array));
    }
}

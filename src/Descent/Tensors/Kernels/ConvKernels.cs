using System.Numerics;
using System.Runtime.InteropServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// 2-D convolution (NCHW, cross-correlation as in PyTorch's <c>conv2d</c>) and its two gradients,
/// lowered to GEMM through <see cref="Im2Col"/>, with <c>K = C·KH·KW</c> and <c>P = OH·OW</c>:
/// <list type="bullet">
/// <item>forward, per image: <c>Y[OC, P] = W[OC, K] · col(x)[K, P]</c> (bias pre-filled, GEMM with beta 1);</item>
/// <item>input gradient, per image: <c>col(dx) = Wᵀ · gY</c>, then col2im;</item>
/// <item>weight gradient: <c>dW = gY · col(x)ᵀ</c> over chunks of images side by side (one GEMM with a long
/// inner dimension per chunk), the chunks summed in order.</item>
/// </list>
/// With a large batch each thread takes whole images (im2col into its own buffer, a single-threaded GEMM
/// straight into the output, col2im), which keeps the column matrix in that core's cache; with a small one
/// images go one at a time with a threaded GEMM. Weight-gradient chunks keep their column matrix below
/// <see cref="MaxColumnBytes"/> and do not depend on the thread count, so every result is reproducible bit
/// for bit. Buffers are rented from the <see cref="TensorPool"/>. 1×1 kernels with stride 1 and no padding
/// skip im2col: the input already is the column matrix.
/// </summary>
internal static class ConvKernels
{
    /// <summary>Upper bound on the im2col buffer of one weight-gradient chunk (at least one image is always processed).</summary>
    internal const long MaxColumnBytes = 8L << 20;

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

    /// <summary>Whether to give each thread whole images (im2col, single-threaded GEMM, col2im in one task, so
    /// the column matrix stays in that core's cache) rather than one image at a time with a threaded GEMM.</summary>
    internal static bool ImagesInParallel(in ConvGeometry g, bool? force) =>
        force ?? (KernelThreads.MaxThreads > 1 && g.N >= 2 * KernelThreads.MaxThreads);

    /// <summary>Runs <paramref name="image"/>(n, slot, gemmThreads) for every image: across threads (one buffer
    /// slot per thread, single-threaded GEMMs) or one after the other (slot 0, threaded GEMM).</summary>
    private static void ForEachImage(int n, bool parallel, int slots, Action<int, int, int> image)
    {
        if (!parallel)
        {
            for (int i = 0; i < n; i++) image(i, 0, 0);
            return;
        }
        KernelThreads.Run(slots, t =>
        {
            for (int i = t; i < n; i += slots) image(i, t, 1);
        });
    }

    /// <summary>y[N, OC, OH, OW] = conv(x, w) + bias (bias may be null): per image, <c>Y = W · col(x)</c>.</summary>
    public static void Forward<T>(T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] y, int yOff, ConvGeometry g,
        bool? imagesInParallel = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = g.P, K = g.K, OC = g.OC;
        if (g.N == 0 || P == 0 || OC == 0) return;
        if (K == 0)
        {
            For(g.N * OC, P, item => new Span<T>(y, yOff + item * P, P).Fill(bias is null ? T.Zero : bias[bOff + item % OC]));
            return;
        }
        if (imagesInParallel is null && DirectConv.Preferred(g))
        {
            DirectConv.Forward(x, xOff, w, wOff, g, new StoreSink<T>(y, yOff, bias, bOff, g));
            return;
        }
        bool par = ImagesInParallel(g, imagesInParallel);
        int slots = par ? Math.Min(KernelThreads.MaxThreads, g.N) : 1;
        T[]? col = g.IsPointwise ? null : Pool.Rent<T>(slots * K * P);
        try
        {
            ForEachImage(g.N, par, slots, (n, slot, threads) =>
            {
                ReadOnlySpan<T> cols;
                if (col is null) cols = new ReadOnlySpan<T>(x, xOff + n * g.C * g.HW, K * P);
                else
                {
                    Im2Col.PackImage(x, xOff, g, n, col, slot * K * P, parallel: !par);
                    cols = new ReadOnlySpan<T>(col, slot * K * P, K * P);
                }
                var yImage = new Span<T>(y, yOff + n * OC * P, OC * P);
                if (bias is not null)
                    for (int oc = 0; oc < OC; oc++) yImage.Slice(oc * P, P).Fill(bias[bOff + oc]);
                Mul(false, false, OC, P, K, new ReadOnlySpan<T>(w, wOff, OC * K), K, cols, P, bias is null ? 0 : 1, yImage, P, threads);
            });
        }
        finally
        {
            if (col is not null) Pool.Return(col);
        }
    }

    /// <summary>dx[N, C, H, W] = the adjoint of the convolution applied to gy[N, OC, OH, OW] (overwrites dx):
    /// per image, <c>col(dx) = Wᵀ · gY</c>, then col2im.</summary>
    public static void InputGrad<T>(T[] gy, int gyOff, T[] w, int wOff, T[] dx, int dxOff, ConvGeometry g,
        bool? imagesInParallel = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = g.P, K = g.K, OC = g.OC;
        if (g.N == 0 || g.C == 0 || g.HW == 0) return;
        if (P == 0 || OC == 0)
        {
            new Span<T>(dx, dxOff, g.N * g.C * g.HW).Clear();
            return;
        }
        if (imagesInParallel is null && DirectConv.InputGradPreferred(g))
        {
            var flipped = DirectConv.FlippedWeights(w, wOff, g);
            try
            {
                var gi = DirectConv.InputGradGeometry(g);
                DirectConv.Forward(gy, gyOff, flipped, 0, gi, new StoreSink<T>(dx, dxOff, null, 0, gi));
            }
            finally
            {
                Pool.Return(flipped);
            }
            return;
        }
        bool par = ImagesInParallel(g, imagesInParallel);
        int slots = par ? Math.Min(KernelThreads.MaxThreads, g.N) : 1;
        T[]? dcol = g.IsPointwise ? null : Pool.Rent<T>(slots * K * P);
        try
        {
            ForEachImage(g.N, par, slots, (n, slot, threads) =>
            {
                var wSpan = new ReadOnlySpan<T>(w, wOff, OC * K);
                var gyImage = new ReadOnlySpan<T>(gy, gyOff + n * OC * P, OC * P);
                if (dcol is null)
                {
                    Mul(true, false, K, P, OC, wSpan, K, gyImage, P, 0, new Span<T>(dx, dxOff + n * g.C * g.HW, K * P), P, threads);
                    return;
                }
                Mul(true, false, K, P, OC, wSpan, K, gyImage, P, 0, new Span<T>(dcol, slot * K * P, K * P), P, threads);
                Im2Col.UnpackImage(dcol, slot * K * P, g, n, dx, dxOff, parallel: !par);
            });
        }
        finally
        {
            if (dcol is not null) Pool.Return(dcol);
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
        if (maxColumnBytes == 0 && DirectConv.Preferred(g))
        {
            DirectConv.WeightGrad(x, xOff, new GradientSource<T>(gy, gyOff, g), dw, dwOff, g);
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

    /// <summary>db[OC] = Σ over n, oh, ow of gy[n, oc, oh, ow] (overwrites db; a fixed order per channel).</summary>
    public static void BiasGrad<T>(T[] gy, int gyOff, T[] db, int dbOff, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int P = g.P, OC = g.OC;
        For(OC, (long)g.N * P, oc =>
        {
            T sum = T.Zero;
            for (int n = 0; n < g.N; n++)
                sum += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<T>(gy, gyOff + (n * OC + oc) * P, P));
            db[dbOff + oc] = sum;
        });
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
        ReadOnlySpan<T> b, int ldb, double beta, Span<T> c, int ldc, int threads = 0) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(transA, transB, m, n, k, 1f, MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb,
                (float)beta, MemoryMarshal.Cast<T, float>(c), ldc, threads);
        else
            Gemm.Dgemm(transA, transB, m, n, k, 1.0, MemoryMarshal.Cast<T, double>(a), lda, MemoryMarshal.Cast<T, double>(b), ldb,
                beta, MemoryMarshal.Cast<T, double>(c), ldc, threads);
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

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Direct 2-D convolution for stride 1 and dilation 1, for layers with few multiply-adds per output
/// (C·KH·KW small, e.g. the 1-channel 5×5 first layer of fmnist_2c2d), where im2col + GEMM wastes its
/// time on a matrix product with a tiny inner dimension.
/// <para>Each image is copied into a zero-padded buffer whose rows are <c>Wp = W + 2·PW</c> wide. Output
/// pixel (oh, ow) then sits at the flat position <c>q = oh·Wp + ow</c>, and tap (c, i, j) reads the padded
/// input at <c>q + i·Wp + j</c>: one contiguous vector load covers consecutive outputs across row ends (the
/// KW − 1 positions per row with ow ≥ OW are computed and ignored). A register tile of 8 output channels ×
/// 2 vectors of flat positions accumulates over every tap; the flat output rows go to an
/// <see cref="IFlatSink{T}"/>, which adds the bias and stores them (or pools them, for the fused layer).</para>
/// <para>The weight gradient accumulates <c>dw[o, c, i, j] = Σ_n Σ_q g[n, o, q] · xpad[n, c, q + i·Wp + j]</c>
/// with the flat output gradient g (zero at the ignored positions) from an <see cref="IFlatSource{T}"/>; each
/// output channel is summed by one thread in a fixed order, so the result does not depend on the thread
/// count. The input gradient is the direct convolution of the output gradient with the flipped, transposed
/// kernel (padding KH − 1 − PH).</para>
/// </summary>
internal static unsafe class DirectConv
{
    /// <summary>Output channels per register tile.</summary>
    public const int OcBlock = 8;

    /// <summary>Images per weight-gradient chunk (their padded inputs and flat gradients stay in L2).</summary>
    private const int ImageChunk = 8;

    /// <summary>True when the direct kernels can compute the convolution (stride 1, dilation 1).</summary>
    public static bool Supports(in ConvGeometry g) => g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1;

    /// <summary>True when the direct forward kernel is expected to beat im2col + GEMM: stride 1 and few
    /// multiply-adds per output (C·KH·KW ≤ 75, e.g. a 3-channel 5×5 kernel).</summary>
    public static bool Preferred(in ConvGeometry g) => Supports(g) && (long)g.C * g.KH * g.KW <= 75;

    /// <summary>True when the input gradient can be computed directly (the flipped kernel needs padding
    /// KH − 1 − PH ≥ 0) and is expected to win (OC·KH·KW ≤ 75).</summary>
    public static bool InputGradPreferred(in ConvGeometry g) =>
        Supports(g) && g.PH <= g.KH - 1 && g.PW <= g.KW - 1 && (long)g.OC * g.KH * g.KW <= 75;

    /// <summary>The flat layout of one image: padded row width, output positions and buffer sizes.</summary>
    internal readonly struct Layout
    {
        public Layout(in ConvGeometry g, int lanes)
        {
            Wp = g.W + 2 * g.PW;
            Hp = g.H + 2 * g.PH;
            Q = g.OH * Wp;
            Qr = (Q + 2 * lanes - 1) / (2 * lanes) * (2 * lanes);
            // every load of the last tile of the last tap stays inside the plane
            Sp = (Qr + (g.KH - 1) * Wp + g.KW - 1 + lanes + lanes - 1) / lanes * lanes;
        }

        /// <summary>Padded row width (the flat row stride).</summary>
        public int Wp { get; }

        /// <summary>Padded height.</summary>
        public int Hp { get; }

        /// <summary>Flat output positions OH·Wp.</summary>
        public int Q { get; }

        /// <summary>Q rounded up to whole register tiles.</summary>
        public int Qr { get; }

        /// <summary>Padded plane stride (elements).</summary>
        public int Sp { get; }
    }

    /// <summary>Lanes of the vectors the kernels use on this machine, for element type T.</summary>
    public static int Lanes<T>() where T : unmanaged =>
        Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector256.IsHardwareAccelerated ? Vector256<T>.Count : Vector128<T>.Count;

    /// <summary>Copies image <paramref name="src"/> [C, H, W] into the zero-padded planes at <paramref name="dst"/>.</summary>
    public static void Pad<T>(T* src, T* dst, in ConvGeometry g, in Layout l) where T : unmanaged
    {
        for (int c = 0; c < g.C; c++)
        {
            T* plane = dst + (nint)c * l.Sp;
            new Span<T>(plane, l.Sp).Clear();
            for (int r = 0; r < g.H; r++)
                new ReadOnlySpan<T>(src + ((nint)c * g.H + r) * g.W, g.W).CopyTo(new Span<T>(plane + (r + g.PH) * l.Wp + g.PW, g.W));
        }
    }

    /// <summary>
    /// The forward convolution of every image of x [N, C, H, W] with w [OC, C, KH, KW], handing each output
    /// plane (flat, row stride Wp) to <paramref name="sink"/>. Parallel over images.
    /// </summary>
    public static void Forward<T, TSink>(T[] x, int xOff, T[] w, int wOff, in ConvGeometry g, TSink sink)
        where T : unmanaged, IFloatingPointIeee754<T> where TSink : IFlatSink<T>
    {
        if (Vector512.IsHardwareAccelerated) Forward<T, Vector512<T>, Simd512<T>, TSink>(x, xOff, w, wOff, g, sink);
        else if (Vector256.IsHardwareAccelerated) Forward<T, Vector256<T>, Simd256<T>, TSink>(x, xOff, w, wOff, g, sink);
        else Forward<T, Vector128<T>, Simd128<T>, TSink>(x, xOff, w, wOff, g, sink);
    }

    private static void Forward<T, TV, TS, TSink>(T[] x, int xOff, T[] w, int wOff, ConvGeometry g, TSink sink)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TS : struct, ISimd<T, TV> where TSink : IFlatSink<T>
    {
        var l = new Layout(g, TS.Count);
        int taps = g.C * g.KH * g.KW, blocks = (g.OC + OcBlock - 1) / OcBlock;
        var packed = ConvKernels.Pool.Rent<T>(blocks * taps * OcBlock);
        var offsets = new int[taps];
        for (int c = 0, t = 0; c < g.C; c++)
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, t++) offsets[t] = c * l.Sp + i * l.Wp + j;
        PackWeights(w, wOff, g, packed);
        int slots = Math.Max(1, Math.Min(KernelThreads.MaxThreads, g.N));
        if ((long)g.N * g.OC * l.Qr * taps < ConvKernels.MinParallelWork) slots = 1;
        int scratch = g.C * l.Sp + OcBlock * l.Qr + ReluPoolKernels.Slack;   // (the pooling sink reads past a plane)
        var buffer = ConvKernels.Pool.Rent<T>(slots * scratch);
        try
        {
            KernelThreads.Run(slots, s =>
            {
                fixed (T* px = x, pw = packed, pb = buffer)
                fixed (int* po = offsets)
                {
                    T* xp = pb + (nint)s * scratch, flat = xp + (nint)g.C * l.Sp;
                    for (int n = s; n < g.N; n += slots)
                    {
                        Pad(px + xOff + (nint)n * g.C * g.HW, xp, g, l);
                        for (int b = 0; b < blocks; b++)
                        {
                            Tile<T, TV, TS>(xp, pw + (nint)b * taps * OcBlock, po, taps, l.Qr, flat);
                            int count = Math.Min(OcBlock, g.OC - b * OcBlock);
                            for (int o = 0; o < count; o++) sink.Plane(n, b * OcBlock + o, flat + (nint)o * l.Qr, l.Wp);
                        }
                    }
                }
            });
        }
        finally
        {
            ConvKernels.Pool.Return(packed);
            ConvKernels.Pool.Return(buffer);
        }
    }

    /// <summary>w [OC, C, KH, KW] → [OC/8][C·KH·KW][8], zero-padded output channels.</summary>
    private static void PackWeights<T>(T[] w, int wOff, in ConvGeometry g, T[] packed) where T : unmanaged, INumberBase<T>
    {
        int taps = g.C * g.KH * g.KW, blocks = (g.OC + OcBlock - 1) / OcBlock;
        for (int b = 0; b < blocks; b++)
            for (int t = 0; t < taps; t++)
                for (int o = 0; o < OcBlock; o++)
                {
                    int oc = b * OcBlock + o;
                    packed[(b * taps + t) * OcBlock + o] = oc < g.OC ? w[wOff + oc * taps + t] : T.Zero;
                }
    }

    /// <summary>8 output channels × all flat positions of one image: for each tile of 2 vectors, the sum over
    /// every tap of the weight times the shifted padded input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T, TV, TS>(T* xp, T* wb, int* offsets, int taps, int qr, T* flat)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TS : struct, ISimd<T, TV>
    {
        int v = TS.Count;
        for (int q = 0; q < qr; q += 2 * v)
        {
            TV a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            TV a40 = default, a41 = default, a50 = default, a51 = default, a60 = default, a61 = default, a70 = default, a71 = default;
            T* xq = xp + q;
            T* wt = wb;
            for (int t = 0; t < taps; t++, wt += OcBlock)
            {
                T* src = xq + offsets[t];
                TV x0 = TS.Load(src), x1 = TS.Load(src + v);
                TV w0 = TS.Splat(wt[0]); a00 = TS.Fma(w0, x0, a00); a01 = TS.Fma(w0, x1, a01);
                TV w1 = TS.Splat(wt[1]); a10 = TS.Fma(w1, x0, a10); a11 = TS.Fma(w1, x1, a11);
                TV w2 = TS.Splat(wt[2]); a20 = TS.Fma(w2, x0, a20); a21 = TS.Fma(w2, x1, a21);
                TV w3 = TS.Splat(wt[3]); a30 = TS.Fma(w3, x0, a30); a31 = TS.Fma(w3, x1, a31);
                TV w4 = TS.Splat(wt[4]); a40 = TS.Fma(w4, x0, a40); a41 = TS.Fma(w4, x1, a41);
                TV w5 = TS.Splat(wt[5]); a50 = TS.Fma(w5, x0, a50); a51 = TS.Fma(w5, x1, a51);
                TV w6 = TS.Splat(wt[6]); a60 = TS.Fma(w6, x0, a60); a61 = TS.Fma(w6, x1, a61);
                TV w7 = TS.Splat(wt[7]); a70 = TS.Fma(w7, x0, a70); a71 = TS.Fma(w7, x1, a71);
            }
            T* f = flat + q;
            TS.Store(f, a00); TS.Store(f + v, a01); f += qr;
            TS.Store(f, a10); TS.Store(f + v, a11); f += qr;
            TS.Store(f, a20); TS.Store(f + v, a21); f += qr;
            TS.Store(f, a30); TS.Store(f + v, a31); f += qr;
            TS.Store(f, a40); TS.Store(f + v, a41); f += qr;
            TS.Store(f, a50); TS.Store(f + v, a51); f += qr;
            TS.Store(f, a60); TS.Store(f + v, a61); f += qr;
            TS.Store(f, a70); TS.Store(f + v, a71);
        }
    }

    /// <summary>
    /// dw [OC, C, KH, KW] = Σ over images and flat positions of the flat output gradient (from
    /// <paramref name="source"/>) times the shifted padded input (overwrites dw). Parallel over output
    /// channels; each is summed in a fixed order.
    /// </summary>
    public static void WeightGrad<T, TSource>(T[] x, int xOff, TSource source, T[] dw, int dwOff, in ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TSource : IFlatSource<T>
    {
        if (Vector512.IsHardwareAccelerated) WeightGrad<T, Vector512<T>, Simd512<T>, TSource>(x, xOff, source, dw, dwOff, g);
        else if (Vector256.IsHardwareAccelerated) WeightGrad<T, Vector256<T>, Simd256<T>, TSource>(x, xOff, source, dw, dwOff, g);
        else WeightGrad<T, Vector128<T>, Simd128<T>, TSource>(x, xOff, source, dw, dwOff, g);
    }

    private static void WeightGrad<T, TV, TS, TSource>(T[] x, int xOff, TSource source, T[] dw, int dwOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TS : struct, ISimd<T, TV> where TSource : IFlatSource<T>
    {
        var l = new Layout(g, TS.Count);
        int chunk = Math.Min(ImageChunk, Math.Max(1, g.N)), taps = g.C * g.KH * g.KW, v = TS.Count;
        // padded inputs of every image, shared by all threads (read-only after this)
        var xpad = ConvKernels.Pool.Rent<T>(Math.Max(1, g.N * g.C * l.Sp));
        ConvKernels.For(g.N, (long)g.C * l.Sp, n =>
        {
            fixed (T* px = x, pp = xpad) Pad(px + xOff + (nint)n * g.C * g.HW, pp + (nint)n * g.C * l.Sp, g, l);
        });
        // output channels go in pairs (the two share every input load); each pair is one work item
        int pairs = (g.OC + 1) / 2;
        int slots = Math.Max(1, Math.Min(KernelThreads.MaxThreads, pairs));
        if ((long)g.N * g.OC * l.Qr * taps < ConvKernels.MinParallelWork) slots = 1;
        // per slot: the flat gradients of one chunk for two channels, and their vector partial sums
        int scratch = 2 * chunk * l.Qr + 2 * taps * v;
        var buffer = ConvKernels.Pool.Rent<T>(slots * scratch);
        try
        {
            KernelThreads.Run(slots, s =>
            {
                fixed (T* pp = xpad, pb = buffer, pdw = dw)
                {
                    T* g0 = pb + (nint)s * scratch, g1 = g0 + (nint)chunk * l.Qr, partial = g1 + (nint)chunk * l.Qr;
                    for (int pair = s; pair < pairs; pair += slots)
                    {
                        int oc = 2 * pair;
                        bool second = oc + 1 < g.OC;
                        new Span<T>(partial, 2 * taps * v).Clear();
                        for (int n0 = 0; n0 < g.N; n0 += chunk)
                        {
                            int nb = Math.Min(chunk, g.N - n0);
                            for (int b = 0; b < nb; b++)
                            {
                                source.Plane(n0 + b, oc, g0 + (nint)b * l.Qr, l.Wp, l.Qr);
                                if (second) source.Plane(n0 + b, oc + 1, g1 + (nint)b * l.Qr, l.Wp, l.Qr);
                                else new Span<T>(g1 + (nint)b * l.Qr, l.Qr).Clear();
                            }
                            for (int c = 0; c < g.C; c++)
                                for (int i = 0; i < g.KH; i++)
                                    for (int j0 = 0; j0 < g.KW;)
                                    {
                                        int count = TapChunk(g.KW - j0);
                                        T* xrow = pp + (nint)n0 * g.C * l.Sp + (nint)c * l.Sp + i * l.Wp + j0;
                                        T* p0 = partial + (nint)((c * g.KH + i) * g.KW + j0) * v;
                                        TapRows<T, TV, TS>(count, xrow, g.C * l.Sp, g0, g1, l.Qr, nb, p0, p0 + (nint)taps * v);
                                        j0 += count;
                                    }
                        }
                        for (int t = 0; t < taps; t++)
                        {
                            pdw[dwOff + oc * taps + t] = TS.Sum(TS.Load(partial + (nint)t * v));
                            if (second) pdw[dwOff + (oc + 1) * taps + t] = TS.Sum(TS.Load(partial + (nint)(taps + t) * v));
                        }
                    }
                }
            });
        }
        finally
        {
            ConvKernels.Pool.Return(xpad);
            ConvKernels.Pool.Return(buffer);
        }
    }

    /// <summary>How many of the remaining taps of a kernel row one pass takes (at most 6: 2 × 6 accumulators).</summary>
    private static int TapChunk(int remaining) => remaining <= 6 ? remaining : remaining <= 12 ? (remaining + 1) / 2 : 6;

    private static void TapRows<T, TV, TS>(int count, T* x, nint imageStride, T* g0, T* g1, int qr, int images, T* p0, T* p1)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TS : struct, ISimd<T, TV>
    {
        switch (count)
        {
            case 1: TapRows<T, TV, TS, Taps1>(x, imageStride, g0, g1, qr, images, p0, p1); break;
            case 2: TapRows<T, TV, TS, Taps2>(x, imageStride, g0, g1, qr, images, p0, p1); break;
            case 3: TapRows<T, TV, TS, Taps3>(x, imageStride, g0, g1, qr, images, p0, p1); break;
            case 4: TapRows<T, TV, TS, Taps4>(x, imageStride, g0, g1, qr, images, p0, p1); break;
            case 5: TapRows<T, TV, TS, Taps5>(x, imageStride, g0, g1, qr, images, p0, p1); break;
            default: TapRows<T, TV, TS, Taps6>(x, imageStride, g0, g1, qr, images, p0, p1); break;
        }
    }

    /// <summary>For two output channels (gradients g0, g1) and <typeparamref name="TC"/> consecutive taps j: adds
    /// Σ_b Σ_q g[b, q]·x[b, q + j] into the vector partial sums p0[j], p1[j]. The tap count is a type, so the
    /// JIT drops the unused accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TapRows<T, TV, TS, TC>(T* x, nint imageStride, T* g0, T* g1, int qr, int images, T* p0, T* p1)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where TS : struct, ISimd<T, TV> where TC : struct, ITapCount
    {
        int v = TS.Count, k = TC.Count;
        TV a0 = TS.Load(p0), b0 = TS.Load(p1);
        TV a1 = k > 1 ? TS.Load(p0 + v) : default, b1 = k > 1 ? TS.Load(p1 + v) : default;
        TV a2 = k > 2 ? TS.Load(p0 + 2 * v) : default, b2 = k > 2 ? TS.Load(p1 + 2 * v) : default;
        TV a3 = k > 3 ? TS.Load(p0 + 3 * v) : default, b3 = k > 3 ? TS.Load(p1 + 3 * v) : default;
        TV a4 = k > 4 ? TS.Load(p0 + 4 * v) : default, b4 = k > 4 ? TS.Load(p1 + 4 * v) : default;
        TV a5 = k > 5 ? TS.Load(p0 + 5 * v) : default, b5 = k > 5 ? TS.Load(p1 + 5 * v) : default;
        for (int b = 0; b < images; b++)
        {
            T* xb = x + b * imageStride, gb0 = g0 + (nint)b * qr, gb1 = g1 + (nint)b * qr;
            for (int q = 0; q < qr; q += v)
            {
                TV u = TS.Load(gb0 + q), w = TS.Load(gb1 + q);
                T* xq = xb + q;
                TV x0 = TS.Load(xq); a0 = TS.Fma(u, x0, a0); b0 = TS.Fma(w, x0, b0);
                if (k > 1) { TV x1 = TS.Load(xq + 1); a1 = TS.Fma(u, x1, a1); b1 = TS.Fma(w, x1, b1); }
                if (k > 2) { TV x2 = TS.Load(xq + 2); a2 = TS.Fma(u, x2, a2); b2 = TS.Fma(w, x2, b2); }
                if (k > 3) { TV x3 = TS.Load(xq + 3); a3 = TS.Fma(u, x3, a3); b3 = TS.Fma(w, x3, b3); }
                if (k > 4) { TV x4 = TS.Load(xq + 4); a4 = TS.Fma(u, x4, a4); b4 = TS.Fma(w, x4, b4); }
                if (k > 5) { TV x5 = TS.Load(xq + 5); a5 = TS.Fma(u, x5, a5); b5 = TS.Fma(w, x5, b5); }
            }
        }
        TS.Store(p0, a0); TS.Store(p1, b0);
        if (k > 1) { TS.Store(p0 + v, a1); TS.Store(p1 + v, b1); }
        if (k > 2) { TS.Store(p0 + 2 * v, a2); TS.Store(p1 + 2 * v, b2); }
        if (k > 3) { TS.Store(p0 + 3 * v, a3); TS.Store(p1 + 3 * v, b3); }
        if (k > 4) { TS.Store(p0 + 4 * v, a4); TS.Store(p1 + 4 * v, b4); }
        if (k > 5) { TS.Store(p0 + 5 * v, a5); TS.Store(p1 + 5 * v, b5); }
    }

    private interface ITapCount
    {
        static abstract int Count { get; }
    }

    private readonly struct Taps1 : ITapCount { public static int Count => 1; }

    private readonly struct Taps2 : ITapCount { public static int Count => 2; }

    private readonly struct Taps3 : ITapCount { public static int Count => 3; }

    private readonly struct Taps4 : ITapCount { public static int Count => 4; }

    private readonly struct Taps5 : ITapCount { public static int Count => 5; }

    private readonly struct Taps6 : ITapCount { public static int Count => 6; }

    /// <summary>The flipped, transposed kernel of the input gradient: w'[c, o, i, j] = w[o, c, KH−1−i, KW−1−j].</summary>
    public static T[] FlippedWeights<T>(T[] w, int wOff, in ConvGeometry g) where T : unmanaged
    {
        int k = g.KH * g.KW;
        var f = ConvKernels.Pool.Rent<T>(g.OC * g.C * k);
        for (int o = 0; o < g.OC; o++)
            for (int c = 0; c < g.C; c++)
                for (int i = 0; i < g.KH; i++)
                    for (int j = 0; j < g.KW; j++)
                        f[((c * g.OC + o) * g.KH + i) * g.KW + j] = w[wOff + ((o * g.C + c) * g.KH + g.KH - 1 - i) * g.KW + g.KW - 1 - j];
        return f;
    }

    /// <summary>The geometry of the input gradient as a direct convolution of the output gradient.</summary>
    public static ConvGeometry InputGradGeometry(in ConvGeometry g) =>
        new(g.N, g.OC, g.OH, g.OW, g.C, g.KH, g.KW, 1, 1, g.KH - 1 - g.PH, g.KW - 1 - g.PW, 1, 1);
}

/// <summary>Receives the flat output planes of <see cref="DirectConv"/> (row stride Wp; positions with
/// ow ≥ OW hold garbage). Implementations are structs, so the kernel inlines them.</summary>
internal interface IFlatSink<T> where T : unmanaged
{
    /// <summary>Takes the plane of image <paramref name="n"/>, output channel <paramref name="oc"/>.</summary>
    unsafe void Plane(int n, int oc, T* flat, int rowStride);
}

/// <summary>Supplies the flat output-gradient planes of <see cref="DirectConv.WeightGrad{T, TSource}"/>: row
/// stride Wp, zero at every position with ow ≥ OW and from the last row's end up to <c>length</c>.</summary>
internal interface IFlatSource<T> where T : unmanaged
{
    /// <summary>Writes the <paramref name="length"/> values of the plane of image <paramref name="n"/>, output
    /// channel <paramref name="oc"/>.</summary>
    unsafe void Plane(int n, int oc, T* flat, int rowStride, int length);
}

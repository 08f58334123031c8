using System.Numerics;
using System.Runtime.Intrinsics;

namespace Descent.Tensors.Kernels;

/// <summary>
/// The fused conv → ReLU → 2×2 max-pool block by Winograd's F(2×2, r×r) (<see cref="WinogradMatrices"/>),
/// for stride-1 3×3 and 5×5 convolutions with many input channels (fmnist_2c2d's second layer): each 2×2
/// output tile is exactly one pooling window, so the output transform pools as it goes.
/// <para>Per chunk of images (sized so its transformed tiles stay in cache; the chunking does not depend on the
/// thread count, so neither do the results): the input is copied channel-last with its zero padding, each
/// α×α input tile is transformed (<c>V[ξν][tile][c]</c>), one GEMM per (ξ, ν) multiplies it with the transformed
/// kernel (<c>M[ξν][tile][oc] = V[ξν] · U[ξν]ᵀ</c>, α² GEMMs with inner dimension C), and the output transform
/// adds the bias, pools and applies the ReLU. The backward pass turns each pooled gradient into
/// <c>dM = g · Aᵀ[a]ᵀ Aᵀ[b]</c> (the window's maximum at (a, b)), then <c>dU = Σ dMᵀ V</c> (per chunk, summed in
/// chunk order; <c>dw = Gᵀ dU G</c>) and <c>dV = dM U</c>, whose adjoint input transform is the input
/// gradient — all exact adjoints of the forward arithmetic.</para>
/// </summary>
internal static unsafe class WinogradConvPool
{
    /// <summary>Bytes of transformed products (M) per chunk.</summary>
    private const long ChunkBytes = 2L << 20;

    /// <summary>True when the Winograd kernels compute this block: stride and dilation 1, a square 3×3 or
    /// 5×5 kernel, at least one pooling window.</summary>
    public static bool Supports(in ConvGeometry g) =>
        g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 && g.KH == g.KW && WinogradMatrices.For(g.KH) is not null && g.OH >= 2 && g.OW >= 2;

    /// <summary>True when Winograd is expected to beat the alternatives (the direct kernel wins for few
    /// multiply-adds per output).</summary>
    public static bool Preferred(in ConvGeometry g) => Supports(g) && !DirectConv.Preferred(g);

    /// <summary>Sizes of one call: tiles, padded buffers, chunks.</summary>
    private sealed class Plan<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Plan(in ConvGeometry g, int lanes)
        {
            G = g;
            var m = WinogradMatrices.For(g.KH)!;
            Alpha = m.Alpha;
            A2 = Alpha * Alpha;
            AT = WinogradMatrices.Flat<T>(m.AT);
            Gk = WinogradMatrices.Flat<T>(m.G);
            TH = g.OH / 2;
            TW = g.OW / 2;
            Hq = 2 * TH + Alpha - 2;
            Wq = 2 * TW + Alpha - 2;
            Cp = (g.C + lanes - 1) / lanes * lanes;
            OCp = (g.OC + lanes - 1) / lanes * lanes;
            long perImage = (long)A2 * TH * TW * OCp * sizeof(T);
            Images = (int)Math.Clamp(ChunkBytes / Math.Max(1, perImage), 1, Math.Max(1, g.N));
            Chunks = (g.N + Images - 1) / Images;
            Tiles = Images * TH * TW;
        }

        public readonly ConvGeometry G;
        public readonly int Alpha, A2, TH, TW, Hq, Wq, Cp, OCp, Images, Chunks, Tiles;
        public readonly T[] AT, Gk;

        /// <summary>Scratch per thread: the channel-last input (also the input gradient), V, M.</summary>
        public long Scratch => (long)Images * Hq * Wq * Cp + (long)A2 * Tiles * Cp + (long)A2 * Tiles * OCp;
    }

    /// <summary>z [N, OC, OH/2, OW/2] and the window codes from x, w and the bias.</summary>
    public static void Forward<T>(T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] z, int zOff, float[] code, int codeOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) Run<T, Vector512<T>, Simd512<T>>(x, xOff, w, wOff, bias, bOff, z, zOff, code, codeOff, null, 0, null, 0, null, 0, g);
        else if (Vector256.IsHardwareAccelerated) Run<T, Vector256<T>, Simd256<T>>(x, xOff, w, wOff, bias, bOff, z, zOff, code, codeOff, null, 0, null, 0, null, 0, g);
        else Run<T, Vector128<T>, Simd128<T>>(x, xOff, w, wOff, bias, bOff, z, zOff, code, codeOff, null, 0, null, 0, null, 0, g);
    }

    /// <summary>The input gradient dx and/or the weight gradient dw (either may be null) from the pooled
    /// gradient gz, with the forward's z and codes (overwrites them).</summary>
    public static void Backward<T>(T[] x, int xOff, T[] w, int wOff, T[] z, int zOff, float[] code, int codeOff, T[] gz, int gzOff,
        T[]? dx, int dxOff, T[]? dw, int dwOff, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated) Run<T, Vector512<T>, Simd512<T>>(x, xOff, w, wOff, null, 0, z, zOff, code, codeOff, gz, gzOff, dx, dxOff, dw, dwOff, g);
        else if (Vector256.IsHardwareAccelerated) Run<T, Vector256<T>, Simd256<T>>(x, xOff, w, wOff, null, 0, z, zOff, code, codeOff, gz, gzOff, dx, dxOff, dw, dwOff, g);
        else Run<T, Vector128<T>, Simd128<T>>(x, xOff, w, wOff, null, 0, z, zOff, code, codeOff, gz, gzOff, dx, dxOff, dw, dwOff, g);
    }

    private static void Run<T, TV, TS>(T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] z, int zOff, float[] code, int codeOff,
        T[]? gz, int gzOff, T[]? dx, int dxOff, T[]? dw, int dwOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV>
    {
        if (g.KH == 5) Run<T, TV, TS, WinogradF25<T, TV, TS>>(x, xOff, w, wOff, bias, bOff, z, zOff, code, codeOff, gz, gzOff, dx, dxOff, dw, dwOff, g);
        else Run<T, TV, TS, WinogradF23<T, TV, TS>>(x, xOff, w, wOff, bias, bOff, z, zOff, code, codeOff, gz, gzOff, dx, dxOff, dw, dwOff, g);
    }

    /// <summary>Forward when <paramref name="gz"/> is null, otherwise backward.</summary>
    private static void Run<T, TV, TS, TF>(T[] x, int xOff, T[] w, int wOff, T[]? bias, int bOff, T[] z, int zOff, float[] code, int codeOff,
        T[]? gz, int gzOff, T[]? dx, int dxOff, T[]? dw, int dwOff, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV> where TF : struct, IWinogradTransform<TV>
    {
        var p = new Plan<T>(g, TS.Count);
        bool backward = gz is not null;
        // the transformed kernel twice: U[ξν][oc][c] (rows of channels) and Uᵀ[ξν][c][oc] (rows of output channels)
        var u = ConvKernels.Pool.Rent<T>(p.A2 * g.OC * p.Cp + p.A2 * g.C * p.OCp);
        var partial = backward && dw is not null ? ConvKernels.Pool.Rent<T>(p.Chunks * p.A2 * g.OC * p.Cp) : null;
        int slots = Math.Max(1, Math.Min(KernelThreads.MaxThreads, p.Chunks));
        var scratch = ConvKernels.Pool.Rent<T>((int)(slots * p.Scratch));
        var biasPadded = ConvKernels.Pool.Rent<T>(p.OCp);
        try
        {
            for (int oc = 0; oc < p.OCp; oc++) biasPadded[oc] = bias is not null && oc < g.OC ? bias[bOff + oc] : T.Zero;
            fixed (T* pw = w, pu = u) TransformKernel(pw + wOff, pu, pu + (long)p.A2 * g.OC * p.Cp, p);
            KernelThreads.Run(slots, s =>
            {
                fixed (T* px = x, pu = u, ps = scratch, pz = z, pg = gz, pdx = dx, ppart = partial, pb = biasPadded)
                fixed (float* pc = code)
                {
                    T* xt = ps + s * p.Scratch, v = xt + (long)p.Images * p.Hq * p.Wq * p.Cp, m = v + (long)p.A2 * p.Tiles * p.Cp;
                    int* cd = (int*)(pc + codeOff);
                    for (int chunk = s; chunk < p.Chunks; chunk += slots)
                    {
                        int n0 = chunk * p.Images, nb = Math.Min(p.Images, g.N - n0), tiles = nb * p.TH * p.TW;
                        PackInput(px + xOff + (long)n0 * g.C * g.HW, nb, xt, p);
                        InputTransform<T, TV, TS, TF>(xt, tiles, v, p);
                        T* ut = pu + (long)p.A2 * g.OC * p.Cp;
                        if (!backward)
                        {
                            // M[ξν][t][oc] = Σ_c V[ξν][t][c]·U[ξν][oc][c]
                            for (int k = 0; k < p.A2; k++)
                                StridedGemm<T, TV, TS>.Run(tiles, p.OCp, g.C, v + (long)k * p.Tiles * p.Cp, p.Cp, 1,
                                    ut + (long)k * g.C * p.OCp, p.OCp, m + (long)k * p.Tiles * p.OCp, p.OCp, accumulate: false);
                            OutputPool<T, TV, TS, TF>(m, n0, tiles, pb, pz + zOff, cd, p);
                            continue;
                        }
                        GradientTiles<T, TV, TS>(pg + gzOff, pz + zOff, cd, n0, tiles, m, p);
                        // dU[ξν][oc][c] = Σ_t dM[ξν][t][oc]·V[ξν][t][c], per chunk
                        if (ppart is not null)
                            for (int k = 0; k < p.A2; k++)
                                StridedGemm<T, TV, TS>.Run(g.OC, p.Cp, tiles, m + (long)k * p.Tiles * p.OCp, 1, p.OCp,
                                    v + (long)k * p.Tiles * p.Cp, p.Cp, ppart + ((long)chunk * p.A2 + k) * g.OC * p.Cp, p.Cp, accumulate: false);
                        if (pdx is null) continue;
                        // dV[ξν][t][c] = Σ_oc dM[ξν][t][oc]·U[ξν][oc][c] (over V, no longer needed)
                        for (int k = 0; k < p.A2; k++)
                            StridedGemm<T, TV, TS>.Run(tiles, p.Cp, g.OC, m + (long)k * p.Tiles * p.OCp, p.OCp, 1,
                                pu + (long)k * g.OC * p.Cp, p.Cp, v + (long)k * p.Tiles * p.Cp, p.Cp, accumulate: false);
                        new Span<T>(xt, nb * p.Hq * p.Wq * p.Cp).Clear();
                        InputAdjoint<T, TV, TS, TF>(v, tiles, xt, p);
                        UnpackInput(xt, nb, pdx + dxOff + (long)n0 * g.C * g.HW, p);
                    }
                }
            });
            if (partial is not null)
                fixed (T* ppart = partial, pdw = dw) KernelGradient(ppart, pdw + dwOff, p);
        }
        finally
        {
            ConvKernels.Pool.Return(u);
            ConvKernels.Pool.Return(scratch);
            ConvKernels.Pool.Return(biasPadded);
            if (partial is not null) ConvKernels.Pool.Return(partial);
        }
    }

    /// <summary>U[ξν][oc][c] = (G w[oc, c] Gᵀ)[ξ, ν] and its transpose Uᵀ[ξν][c][oc], padded with zeros to Cp and OCp.</summary>
    private static void TransformKernel<T>(T* w, T* u, T* ut, Plan<T> p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.G;
        int a = p.Alpha, r = g.KH;
        new Span<T>(u, p.A2 * g.OC * p.Cp).Clear();
        new Span<T>(ut, p.A2 * g.C * p.OCp).Clear();
        Span<T> t = stackalloc T[a * r];
        for (int oc = 0; oc < g.OC; oc++)
            for (int c = 0; c < g.C; c++)
            {
                T* k = w + ((long)oc * g.C + c) * r * r;
                for (int xi = 0; xi < a; xi++)
                    for (int j = 0; j < r; j++)
                    {
                        T s = T.Zero;
                        for (int i = 0; i < r; i++) s += p.Gk[xi * r + i] * k[i * r + j];
                        t[xi * r + j] = s;
                    }
                for (int xi = 0; xi < a; xi++)
                    for (int nu = 0; nu < a; nu++)
                    {
                        T s = T.Zero;
                        for (int j = 0; j < r; j++) s += t[xi * r + j] * p.Gk[nu * r + j];
                        u[((long)(xi * a + nu) * g.OC + oc) * p.Cp + c] = s;
                        ut[((long)(xi * a + nu) * g.C + c) * p.OCp + oc] = s;
                    }
            }
    }

    /// <summary>dw[oc, c] = Gᵀ (Σ over chunks, in order, of dU) G.</summary>
    private static void KernelGradient<T>(T* partial, T* dw, Plan<T> p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.G;
        int a = p.Alpha, r = g.KH;
        long per = (long)p.A2 * g.OC * p.Cp;
        for (int chunk = 1; chunk < p.Chunks; chunk++)
            System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<T>(partial, (int)per), new ReadOnlySpan<T>(partial + chunk * per, (int)per),
                new Span<T>(partial, (int)per));
        Span<T> t = stackalloc T[r * a];
        for (int oc = 0; oc < g.OC; oc++)
            for (int c = 0; c < g.C; c++)
            {
                // t[i][ν] = Σ_ξ G[ξ, i]·dU[ξ, ν]; dw[i][j] = Σ_ν t[i][ν]·G[ν, j]
                for (int i = 0; i < r; i++)
                    for (int nu = 0; nu < a; nu++)
                    {
                        T s = T.Zero;
                        for (int xi = 0; xi < a; xi++) s += p.Gk[xi * r + i] * partial[((long)(xi * a + nu) * g.OC + oc) * p.Cp + c];
                        t[i * a + nu] = s;
                    }
                T* k = dw + ((long)oc * g.C + c) * r * r;
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                    {
                        T s = T.Zero;
                        for (int nu = 0; nu < a; nu++) s += t[i * a + nu] * p.Gk[nu * r + j];
                        k[i * r + j] = s;
                    }
            }
    }

    /// <summary>Images [N0, N0 + nb) of x (NCHW) → xt [nb][Hq][Wq][Cp], zero-padded.</summary>
    private static void PackInput<T>(T* x, int nb, T* xt, Plan<T> p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.G;
        new Span<T>(xt, nb * p.Hq * p.Wq * p.Cp).Clear();
        int hMax = Math.Min(g.H, p.Hq - g.PH), wMax = Math.Min(g.W, p.Wq - g.PW);
        for (int b = 0; b < nb; b++)
            for (int c = 0; c < g.C; c++)
            {
                T* src = x + ((long)b * g.C + c) * g.HW;
                for (int h = 0; h < hMax; h++)
                {
                    T* dst = xt + (((long)b * p.Hq + h + g.PH) * p.Wq + g.PW) * p.Cp + c;
                    T* row = src + (long)h * g.W;
                    for (int wi = 0; wi < wMax; wi++) dst[(long)wi * p.Cp] = row[wi];
                }
            }
    }

    /// <summary>The adjoint of <see cref="PackInput{T}"/>: xt [nb][Hq][Wq][Cp] → dx (NCHW; pixels no tile
    /// covers get 0).</summary>
    private static void UnpackInput<T>(T* xt, int nb, T* dx, Plan<T> p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.G;
        new Span<T>(dx, nb * g.C * g.HW).Clear();
        int hMax = Math.Min(g.H, p.Hq - g.PH), wMax = Math.Min(g.W, p.Wq - g.PW);
        for (int b = 0; b < nb; b++)
            for (int c = 0; c < g.C; c++)
            {
                T* dst = dx + ((long)b * g.C + c) * g.HW;
                for (int h = 0; h < hMax; h++)
                {
                    T* src = xt + (((long)b * p.Hq + h + g.PH) * p.Wq + g.PW) * p.Cp + c;
                    T* row = dst + (long)h * g.W;
                    for (int wi = 0; wi < wMax; wi++) row[wi] = src[(long)wi * p.Cp];
                }
            }
    }

    private static T* TileCorner<T>(T* xt, int tile, Plan<T> p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int per = p.TH * p.TW, b = tile / per, ty = tile % per / p.TW, tx = tile % p.TW;
        return xt + (((long)b * p.Hq + 2 * ty) * p.Wq + 2 * tx) * p.Cp;
    }

    private static void InputTransform<T, TV, TS, TF>(T* xt, int tiles, T* v, Plan<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV> where TF : struct, IWinogradTransform<TV>
    {
        int lanes = TS.Count;
        for (int t = 0; t < tiles; t++)
        {
            T* corner = TileCorner(xt, t, p);
            for (int c = 0; c < p.Cp; c += lanes)
                WinogradTiles<T, TV, TS, TF>.Input(corner + c, (nint)p.Wq * p.Cp, p.Cp, v + (long)t * p.Cp + c, (nint)p.Tiles * p.Cp);
        }
    }

    private static void InputAdjoint<T, TV, TS, TF>(T* dv, int tiles, T* dxt, Plan<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV> where TF : struct, IWinogradTransform<TV>
    {
        int lanes = TS.Count;
        for (int t = 0; t < tiles; t++)
        {
            T* corner = TileCorner(dxt, t, p);
            for (int c = 0; c < p.Cp; c += lanes)
                WinogradTiles<T, TV, TS, TF>.InputAdjoint(dv + (long)t * p.Cp + c, (nint)p.Tiles * p.Cp, corner + c, (nint)p.Wq * p.Cp, p.Cp);
        }
    }

    /// <summary>The output transform of every tile, plus the bias, then the ReLU-pool rule (see
    /// <see cref="ReluPoolKernels"/>) on a vector of channels at once (lanes with a NaN take the scalar rule)
    /// into z and the codes.</summary>
    private static void OutputPool<T, TV, TS, TF>(T* m, int n0, int tiles, T* bias, T* z, int* code, Plan<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV> where TF : struct, IWinogradTransform<TV>
    {
        var g = p.G;
        int lanes = TS.Count, per = p.TH * p.TW;
        TV* y = stackalloc TV[6];
        T* zl = (T*)(y + 4), kl = (T*)(y + 5);
        TV one = TS.Splat(T.One), two = TS.Splat(T.One + T.One), three = TS.Splat(T.CreateTruncating(3));
        for (int t = 0; t < tiles; t++)
        {
            int n = n0 + t / per, cell = t % per;
            for (int oc0 = 0; oc0 < g.OC; oc0 += lanes)
            {
                WinogradTiles<T, TV, TS, TF>.Output(m + (long)t * p.OCp + oc0, (nint)p.Tiles * p.OCp, y);
                TV bv = TS.Load(bias + oc0);
                TV a0 = TS.Add(y[0], bv), a1 = TS.Add(y[1], bv), a2 = TS.Add(y[2], bv), a3 = TS.Add(y[3], bv);
                int count = Math.Min(lanes, g.OC - oc0);
                uint valid = count >= 32 ? uint.MaxValue : (1u << count) - 1;
                uint nan = (TS.NaNBits(a0) | TS.NaNBits(a1) | TS.NaNBits(a2) | TS.NaNBits(a3)) & valid;
                TV mx = TS.Max(TS.Max(a0, a1), TS.Max(a2, a3));
                TS.Store(zl, TS.Max(mx, default));
                TS.Store(kl, TS.Select(TS.Equal(a0, mx), default, TS.Select(TS.Equal(a1, mx), one, TS.Select(TS.Equal(a2, mx), two, three))));
                if (nan != 0)
                {
                    y[0] = a0; y[1] = a1; y[2] = a2; y[3] = a3;
                    T* al = (T*)y;
                    for (int l = 0; l < count; l++)
                    {
                        if ((nan >> l & 1) == 0) continue;
                        T b0 = al[l], b1 = al[lanes + l], b2 = al[2 * lanes + l], b3 = al[3 * lanes + l];
                        zl[l] = b0 + b1 + b2 + b3;   // NaN
                        kl[l] = T.CreateTruncating(T.IsNaN(b0) ? 0 : T.IsNaN(b1) ? 1 : T.IsNaN(b2) ? 2 : 3);
                    }
                }
                long o = ((long)n * g.OC + oc0) * per + cell;
                for (int l = 0; l < count; l++, o += per)
                {
                    z[o] = zl[l];
                    code[o] = int.CreateTruncating(kl[l]);
                }
            }
        }
    }

    /// <summary>dM[ξν][tile][oc] = g·Aᵀ[a, ξ]·Aᵀ[b, ν] with g the pooled gradient where z &gt; 0 (else 0) and (a, b) the
    /// window's maximum: per lane (output channel) g, a and b are gathered, then Aᵀ[a, ξ] = Aᵀ[0, ξ] + a·(Aᵀ[1, ξ] − Aᵀ[0, ξ])
    /// for all lanes at once.</summary>
    private static void GradientTiles<T, TV, TS>(T* gz, T* z, int* code, int n0, int tiles, T* dm, Plan<T> p)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV>
    {
        var g = p.G;
        int lanes = TS.Count, per = p.TH * p.TW, a = p.Alpha;
        TV* c = stackalloc TV[4 * 8 + 3];
        TV* a0 = c, d = c + 8, ra = c + 16, rb = c + 24, lane = c + 32;
        for (int i = 0; i < a; i++)
        {
            a0[i] = TS.Splat(p.AT[i]);
            d[i] = TS.Splat(p.AT[a + i] - p.AT[i]);
        }
        T* gl = (T*)lane, al = (T*)(lane + 1), bl = (T*)(lane + 2);
        for (int t = 0; t < tiles; t++)
        {
            int n = n0 + t / per, cell = t % per;
            long o = ((long)n * g.OC) * per + cell;
            for (int oc0 = 0; oc0 < p.OCp; oc0 += lanes)
            {
                for (int l = 0; l < lanes; l++)
                {
                    int oc = oc0 + l, k = 0;
                    T gv = T.Zero;
                    if (oc < g.OC)
                    {
                        long at = o + (long)oc * per;
                        if (z[at] > T.Zero) gv = gz[at];
                        k = code[at];
                    }
                    gl[l] = gv;
                    al[l] = T.CreateTruncating(k >> 1);
                    bl[l] = T.CreateTruncating(k & 1);
                }
                TV gvec = lane[0], av = lane[1], bv = lane[2];
                for (int i = 0; i < a; i++)
                {
                    ra[i] = TS.Mul(gvec, TS.Fma(av, d[i], a0[i]));
                    rb[i] = TS.Fma(bv, d[i], a0[i]);
                }
                T* dst = dm + (long)t * p.OCp + oc0;
                for (int xi = 0; xi < a; xi++)
                    for (int nu = 0; nu < a; nu++)
                        TS.Store(dst + (long)(xi * a + nu) * p.Tiles * p.OCp, TS.Mul(ra[xi], rb[nu]));
            }
        }
    }
}

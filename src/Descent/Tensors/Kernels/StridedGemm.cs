using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// A matrix product without packing, for thin products whose operands already sit in a usable layout (the
/// Winograd convolution's α² products, whose outputs are only 64×32 while packing would touch every input
/// element for a few dozen multiply-adds): <c>C[i, j] (+)= Σ_k A(i, k)·B(k, j)</c> with A read element by element
/// at <c>a + i·rsA + k·csA</c> (broadcast), B read a row of vectors at a time at <c>b + k·rsB + j</c>, C at
/// <c>c + i·ldc + j</c>. Register tiles of 12, 4 or 1 rows × 2 vectors (or 1 for a last odd vector); n must be
/// a multiple of the vector width. Each element is summed in k order, so results do not depend on blocking.
/// </summary>
internal static unsafe class StridedGemm<T, TV, TS> where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV>
{
    /// <summary>Computes the product (overwriting C, or adding to it with <paramref name="accumulate"/>).</summary>
    public static void Run(int m, int n, int k, T* a, nint rsA, nint csA, T* b, nint rsB, T* c, nint ldc, bool accumulate)
    {
        int v = TS.Count;
        if (n % v != 0) throw new ArgumentException($"StridedGemm: n = {n} is not a multiple of the vector width {v}.");
        for (int j = 0; j < n; j += 2 * v)
        {
            bool two = j + 2 * v <= n;
            int i = 0;
            for (; i + 12 <= m; i += 12) Tile<Rows12>(two, k, a + i * rsA, rsA, csA, b + j, rsB, c + i * ldc + j, ldc, accumulate);
            for (; i + 4 <= m; i += 4) Tile<Rows4>(two, k, a + i * rsA, rsA, csA, b + j, rsB, c + i * ldc + j, ldc, accumulate);
            for (; i < m; i++) Tile<Rows1>(two, k, a + i * rsA, rsA, csA, b + j, rsB, c + i * ldc + j, ldc, accumulate);
        }
    }

    private static void Tile<TR>(bool two, int k, T* a, nint rsA, nint csA, T* b, nint rsB, T* c, nint ldc, bool accumulate) where TR : struct, IRows
    {
        if (two) Tile<TR, Two>(k, a, rsA, csA, b, rsB, c, ldc, accumulate);
        else Tile<TR, One>(k, a, rsA, csA, b, rsB, c, ldc, accumulate);
    }

    /// <summary>One register tile of <typeparamref name="TR"/> rows × <typeparamref name="TW"/> vectors; the
    /// counts are types, so the JIT keeps only the accumulators in use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TR, TW>(int k, T* a, nint rsA, nint csA, T* b, nint rsB, T* c, nint ldc, bool accumulate)
        where TR : struct, IRows where TW : struct, IRows
    {
        int r = TR.Count, v = TS.Count;
        bool w2 = TW.Count == 2;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        TV c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        TV c80 = default, c81 = default, c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < k; p++)
        {
            T* bp = b + p * rsB;
            TV b0 = TS.Load(bp), b1 = w2 ? TS.Load(bp + v) : default;
            T* ap = a + p * csA;
            TV x = TS.Splat(ap[0]); c00 = TS.Fma(x, b0, c00); if (w2) c01 = TS.Fma(x, b1, c01);
            if (r > 1)
            {
                x = TS.Splat(ap[rsA]); c10 = TS.Fma(x, b0, c10); if (w2) c11 = TS.Fma(x, b1, c11);
                x = TS.Splat(ap[2 * rsA]); c20 = TS.Fma(x, b0, c20); if (w2) c21 = TS.Fma(x, b1, c21);
                x = TS.Splat(ap[3 * rsA]); c30 = TS.Fma(x, b0, c30); if (w2) c31 = TS.Fma(x, b1, c31);
            }
            if (r > 4)
            {
                x = TS.Splat(ap[4 * rsA]); c40 = TS.Fma(x, b0, c40); if (w2) c41 = TS.Fma(x, b1, c41);
                x = TS.Splat(ap[5 * rsA]); c50 = TS.Fma(x, b0, c50); if (w2) c51 = TS.Fma(x, b1, c51);
                x = TS.Splat(ap[6 * rsA]); c60 = TS.Fma(x, b0, c60); if (w2) c61 = TS.Fma(x, b1, c61);
                x = TS.Splat(ap[7 * rsA]); c70 = TS.Fma(x, b0, c70); if (w2) c71 = TS.Fma(x, b1, c71);
                x = TS.Splat(ap[8 * rsA]); c80 = TS.Fma(x, b0, c80); if (w2) c81 = TS.Fma(x, b1, c81);
                x = TS.Splat(ap[9 * rsA]); c90 = TS.Fma(x, b0, c90); if (w2) c91 = TS.Fma(x, b1, c91);
                x = TS.Splat(ap[10 * rsA]); ca0 = TS.Fma(x, b0, ca0); if (w2) ca1 = TS.Fma(x, b1, ca1);
                x = TS.Splat(ap[11 * rsA]); cb0 = TS.Fma(x, b0, cb0); if (w2) cb1 = TS.Fma(x, b1, cb1);
            }
        }
        Store(c, c00, c01, w2, accumulate);
        if (r > 1)
        {
            Store(c + ldc, c10, c11, w2, accumulate);
            Store(c + 2 * ldc, c20, c21, w2, accumulate);
            Store(c + 3 * ldc, c30, c31, w2, accumulate);
        }
        if (r > 4)
        {
            Store(c + 4 * ldc, c40, c41, w2, accumulate);
            Store(c + 5 * ldc, c50, c51, w2, accumulate);
            Store(c + 6 * ldc, c60, c61, w2, accumulate);
            Store(c + 7 * ldc, c70, c71, w2, accumulate);
            Store(c + 8 * ldc, c80, c81, w2, accumulate);
            Store(c + 9 * ldc, c90, c91, w2, accumulate);
            Store(c + 10 * ldc, ca0, ca1, w2, accumulate);
            Store(c + 11 * ldc, cb0, cb1, w2, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* c, TV lo, TV hi, bool two, bool accumulate)
    {
        if (accumulate)
        {
            lo = TS.Add(lo, TS.Load(c));
            if (two) hi = TS.Add(hi, TS.Load(c + TS.Count));
        }
        TS.Store(c, lo);
        if (two) TS.Store(c + TS.Count, hi);
    }

    private interface IRows
    {
        static abstract int Count { get; }
    }

    private readonly struct Rows12 : IRows { public static int Count => 12; }

    private readonly struct Rows4 : IRows { public static int Count => 4; }

    private readonly struct Rows1 : IRows { public static int Count => 1; }

    private readonly struct Two : IRows { public static int Count => 2; }

    private readonly struct One : IRows { public static int Count => 1; }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// One-dimensional Winograd transforms of F(2, r) written out with their zeros removed (about half of the
/// dense matrix products' operations; see <see cref="WinogradMatrices"/> for the matrices they equal — a test
/// checks them against each other). Each works on vectors (lanes = channels) at strided positions.
/// </summary>
internal interface IWinogradTransform<TV> where TV : unmanaged
{
    /// <summary>Input tile size α.</summary>
    static abstract int Alpha { get; }

    /// <summary>v[ξ·vs] = Σ_j Bᵀ[ξ, j]·d[j·ds].</summary>
    static abstract unsafe void Input(TV* d, nint ds, TV* v, nint vs);

    /// <summary>d[j·ds] = Σ_ξ Bᵀ[ξ, j]·v[ξ·vs].</summary>
    static abstract unsafe void InputAdjoint(TV* v, nint vs, TV* d, nint ds);

    /// <summary>y0 = Σ_ξ Aᵀ[0, ξ]·m[ξ·ms], y1 = Σ_ξ Aᵀ[1, ξ]·m[ξ·ms].</summary>
    static abstract unsafe void Output(TV* m, nint ms, out TV y0, out TV y1);
}

/// <summary>F(2, 3), points 0, ±1, ∞.</summary>
internal readonly unsafe struct WinogradF23<T, TV, TS> : IWinogradTransform<TV>
    where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV>
{
    public static int Alpha => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input(TV* d, nint ds, TV* v, nint vs)
    {
        TV d0 = d[0], d1 = d[ds], d2 = d[2 * ds], d3 = d[3 * ds], half = TS.Splat(T.CreateTruncating(0.5));
        v[0] = TS.Sub(d0, d2);
        v[vs] = TS.Mul(half, TS.Add(d1, d2));
        v[2 * vs] = TS.Mul(half, TS.Sub(d2, d1));
        v[3 * vs] = TS.Sub(d3, d1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InputAdjoint(TV* v, nint vs, TV* d, nint ds)
    {
        TV v0 = v[0], v1 = v[vs], v2 = v[2 * vs], v3 = v[3 * vs], half = TS.Splat(T.CreateTruncating(0.5));
        d[0] = v0;
        d[ds] = TS.Sub(TS.Mul(half, TS.Sub(v1, v2)), v3);
        d[2 * ds] = TS.Sub(TS.Mul(half, TS.Add(v1, v2)), v0);
        d[3 * ds] = v3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output(TV* m, nint ms, out TV y0, out TV y1)
    {
        TV m1 = m[ms], m2 = m[2 * ms];
        y0 = TS.Add(TS.Add(m[0], m1), m2);
        y1 = TS.Add(TS.Sub(m1, m2), m[3 * ms]);
    }
}

/// <summary>F(2, 5), points 0, ±1, ±2, ∞.</summary>
internal readonly unsafe struct WinogradF25<T, TV, TS> : IWinogradTransform<TV>
    where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV>
{
    public static int Alpha => 6;

    private static TV K(double c) => TS.Splat(T.CreateTruncating(c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input(TV* d, nint ds, TV* v, nint vs)
    {
        TV d0 = d[0], d1 = d[ds], d2 = d[2 * ds], d3 = d[3 * ds], d4 = d[4 * ds], d5 = d[5 * ds];
        TV f = TS.Sub(d3, d1), q = TS.Mul(K(1.0 / 24), TS.Sub(d4, d2));
        v[0] = TS.Fma(K(0.25), d4, TS.Fma(K(-1.25), d2, d0));
        v[vs] = TS.Fma(K(2.0 / 3), TS.Add(d1, d2), TS.Mul(K(-1.0 / 6), TS.Add(d3, d4)));
        v[2 * vs] = TS.Fma(K(2.0 / 3), TS.Sub(d2, d1), TS.Mul(K(1.0 / 6), TS.Sub(d3, d4)));
        v[3 * vs] = TS.Fma(K(1.0 / 12), f, q);
        v[4 * vs] = TS.Fma(K(-1.0 / 12), f, q);
        v[5 * vs] = TS.Fma(K(4), d1, TS.Fma(K(-5), d3, d5));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InputAdjoint(TV* v, nint vs, TV* d, nint ds)
    {
        TV v0 = v[0], v1 = v[vs], v2 = v[2 * vs], v3 = v[3 * vs], v4 = v[4 * vs], v5 = v[5 * vs];
        TV p = TS.Sub(v1, v2), q = TS.Add(v1, v2), s = TS.Add(v3, v4), t = TS.Sub(v4, v3);
        d[0] = v0;
        d[ds] = TS.Fma(K(2.0 / 3), p, TS.Fma(K(1.0 / 12), t, TS.Mul(K(4), v5)));
        d[2 * ds] = TS.Fma(K(-1.25), v0, TS.Fma(K(2.0 / 3), q, TS.Mul(K(-1.0 / 24), s)));
        d[3 * ds] = TS.Fma(K(-1.0 / 6), p, TS.Fma(K(-1.0 / 12), t, TS.Mul(K(-5), v5)));
        d[4 * ds] = TS.Fma(K(0.25), v0, TS.Fma(K(-1.0 / 6), q, TS.Mul(K(1.0 / 24), s)));
        d[5 * ds] = v5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output(TV* m, nint ms, out TV y0, out TV y1)
    {
        TV m1 = m[ms], m2 = m[2 * ms], m3 = m[3 * ms], m4 = m[4 * ms];
        y0 = TS.Add(TS.Add(TS.Add(m[0], m1), TS.Add(m2, m3)), m4);
        y1 = TS.Add(TS.Fma(K(2), TS.Sub(m3, m4), TS.Sub(m1, m2)), m[5 * ms]);
    }
}

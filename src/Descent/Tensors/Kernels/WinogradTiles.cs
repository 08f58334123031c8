using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// The two-dimensional tile transforms of Winograd's F(2×2, r×r), each on one vector of channels at a time
/// (tiles are stored channel-last, so a tile's element (i, j) for consecutive channels is one vector load):
/// the input transform <c>v = Bᵀ d B</c> and its adjoint <c>d += B v Bᵀ</c>, and the output transform
/// <c>y = Aᵀ m A</c> (2×2) — the one-dimensional transform of <typeparamref name="TF"/> along rows, then columns.
/// </summary>
internal static unsafe class WinogradTiles<T, TV, TS, TF>
    where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where TS : struct, ISimd<T, TV> where TF : struct, IWinogradTransform<TV>
{
    /// <summary>v[ξ, ν] = Σ_ij Bᵀ[ξ, i]·d[i, j]·Bᵀ[ν, j] for the α×α tile d at <paramref name="src"/> (element
    /// (i, j) at src + i·rowStride + j·colStride), written to dst + (ξ·α + ν)·planeStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Input(T* src, nint rowStride, nint colStride, T* dst, nint planeStride)
    {
        int a = TF.Alpha;
        TV* d = stackalloc TV[36];
        TV* tmp = stackalloc TV[36];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < a; j++) d[i * a + j] = TS.Load(src + i * rowStride + j * colStride);
        for (int i = 0; i < a; i++) TF.Input(d + i * a, 1, tmp + i * a, 1);
        for (int nu = 0; nu < a; nu++) TF.Input(tmp + nu, a, d + nu, a);
        for (int k = 0; k < a * a; k++) TS.Store(dst + k * planeStride, d[k]);
    }

    /// <summary>The adjoint of <see cref="Input"/>: d[i, j] += Σ_ξν Bᵀ[ξ, i]·v[ξ, ν]·Bᵀ[ν, j], with v read from
    /// src + (ξ·α + ν)·planeStride and d at dst + i·rowStride + j·colStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputAdjoint(T* src, nint planeStride, T* dst, nint rowStride, nint colStride)
    {
        int a = TF.Alpha;
        TV* v = stackalloc TV[36];
        TV* tmp = stackalloc TV[36];
        for (int k = 0; k < a * a; k++) v[k] = TS.Load(src + k * planeStride);
        for (int nu = 0; nu < a; nu++) TF.InputAdjoint(v + nu, a, tmp + nu, a);
        for (int i = 0; i < a; i++) TF.InputAdjoint(tmp + i * a, 1, v + i * a, 1);
        for (int i = 0; i < a; i++)
            for (int j = 0; j < a; j++)
            {
                T* p = dst + i * rowStride + j * colStride;
                TS.Store(p, TS.Add(TS.Load(p), v[i * a + j]));
            }
    }

    /// <summary>y[a, b] = Σ_ξν Aᵀ[a, ξ]·m[ξ, ν]·Aᵀ[b, ν] (a, b ∈ {0, 1}) with m read from src + (ξ·α + ν)·planeStride;
    /// the four vectors go to y[0..4) in row-major order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Output(T* src, nint planeStride, TV* y)
    {
        int a = TF.Alpha;
        TV* row = stackalloc TV[6];
        TV* u0 = stackalloc TV[6];
        TV* u1 = stackalloc TV[6];
        for (int xi = 0; xi < a; xi++)
        {
            for (int nu = 0; nu < a; nu++) row[nu] = TS.Load(src + (xi * a + nu) * planeStride);
            TF.Output(row, 1, out u0[xi], out u1[xi]);
        }
        TF.Output(u0, 1, out y[0], out y[2]);
        TF.Output(u1, 1, out y[1], out y[3]);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Tensors.Kernels;

/// <summary>
/// A GEMM micro-kernel: computes one MR×NR tile of C from a packed A micro-panel
/// (kc steps of MR values, alpha already applied) and a B micro-panel of kc steps of NR values,
/// <c>bStride</c> elements apart (NR when packed; a row stride when read in place). Mode 0 stores
/// the tile, 1 adds it to C, 2 stores tile + beta·C.
/// </summary>
internal interface IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of the register tile.</summary>
    static abstract int Nr { get; }

    /// <summary>Computes one full tile.</summary>
    static abstract unsafe void Run(int kc, T* a, T* b, nint bStride, T* c, nint ldc, T beta, int mode);
}

/// <summary>Shared pieces of the vector micro-kernels.</summary>
internal static class GemmVec
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        if (typeof(T) == typeof(float))
            return Avx512F.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Avx512F.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float))
            return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    /// <summary>
    /// Prefetches an MR×(row bytes) tile of C so its cache misses overlap the K loop instead of
    /// stalling the stores at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchTile(void* c, nint ldcBytes, int rows, int rowBytes)
    {
        if (!Sse.IsSupported) return;
        byte* p = (byte*)c;
        for (int i = 0; i < rows; i++, p += ldcBytes)
        {
            for (int off = 0; off < rowBytes; off += 64) Sse.Prefetch0(p + off);
            Sse.Prefetch0(p + rowBytes - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreRow<T>(T* c, Vector512<T> lo, Vector512<T> hi, Vector512<T> beta, int mode)
        where T : unmanaged
    {
        T* c1 = c + Vector512<T>.Count;
        if (mode == 1)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c1);
        }
        else if (mode == 2)
        {
            lo = Fma(beta, Vector512.Load(c), lo);
            hi = Fma(beta, Vector512.Load(c1), hi);
        }
        lo.Store(c);
        hi.Store(c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreRow<T>(T* c, Vector256<T> lo, Vector256<T> hi, Vector256<T> beta, int mode)
        where T : unmanaged
    {
        T* c1 = c + Vector256<T>.Count;
        if (mode == 1)
        {
            lo += Vector256.Load(c);
            hi += Vector256.Load(c1);
        }
        else if (mode == 2)
        {
            lo = Fma(beta, Vector256.Load(c), lo);
            hi = Fma(beta, Vector256.Load(c1), hi);
        }
        lo.Store(c);
        hi.Store(c1);
    }
}

/// <summary>AVX-512 kernel: 12 rows × 2 vectors (12×32 floats, 12×16 doubles), 24 accumulators.</summary>
internal readonly struct Avx512Kernel<T> : IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Mr => 12;

    public static int Nr => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, T* a, T* b, nint bStride, T* c, nint ldc, T beta, int mode)
    {
        int v = Vector512<T>.Count;
        GemmVec.PrefetchTile(c, ldc * sizeof(T), 12, 2 * v * sizeof(T));
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default, c90 = default, c91 = default;
        Vector512<T> ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + v);
            Vector512<T> x = Vector512.Create(a[0]);
            c00 = GemmVec.Fma(x, b0, c00); c01 = GemmVec.Fma(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = GemmVec.Fma(x, b0, c10); c11 = GemmVec.Fma(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = GemmVec.Fma(x, b0, c20); c21 = GemmVec.Fma(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = GemmVec.Fma(x, b0, c30); c31 = GemmVec.Fma(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = GemmVec.Fma(x, b0, c40); c41 = GemmVec.Fma(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = GemmVec.Fma(x, b0, c50); c51 = GemmVec.Fma(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = GemmVec.Fma(x, b0, c60); c61 = GemmVec.Fma(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = GemmVec.Fma(x, b0, c70); c71 = GemmVec.Fma(x, b1, c71);
            x = Vector512.Create(a[8]);
            c80 = GemmVec.Fma(x, b0, c80); c81 = GemmVec.Fma(x, b1, c81);
            x = Vector512.Create(a[9]);
            c90 = GemmVec.Fma(x, b0, c90); c91 = GemmVec.Fma(x, b1, c91);
            x = Vector512.Create(a[10]);
            ca0 = GemmVec.Fma(x, b0, ca0); ca1 = GemmVec.Fma(x, b1, ca1);
            x = Vector512.Create(a[11]);
            cb0 = GemmVec.Fma(x, b0, cb0); cb1 = GemmVec.Fma(x, b1, cb1);
            a += 12;
            b += bStride;
        }
        Vector512<T> vb = Vector512.Create(beta);
        GemmVec.StoreRow(c, c00, c01, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c10, c11, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c20, c21, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c30, c31, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c40, c41, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c50, c51, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c60, c61, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c70, c71, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c80, c81, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c90, c91, vb, mode); c += ldc;
        GemmVec.StoreRow(c, ca0, ca1, vb, mode); c += ldc;
        GemmVec.StoreRow(c, cb0, cb1, vb, mode);
    }
}

/// <summary>AVX2+FMA kernel: 6 rows × 2 vectors (6×16 floats, 6×8 doubles), 12 accumulators.</summary>
internal readonly struct Avx2Kernel<T> : IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Mr => 6;

    public static int Nr => 2 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, T* a, T* b, nint bStride, T* c, nint ldc, T beta, int mode)
    {
        int v = Vector256<T>.Count;
        GemmVec.PrefetchTile(c, ldc * sizeof(T), 6, 2 * v * sizeof(T));
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + v);
            Vector256<T> x = Vector256.Create(a[0]);
            c00 = GemmVec.Fma(x, b0, c00); c01 = GemmVec.Fma(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = GemmVec.Fma(x, b0, c10); c11 = GemmVec.Fma(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = GemmVec.Fma(x, b0, c20); c21 = GemmVec.Fma(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = GemmVec.Fma(x, b0, c30); c31 = GemmVec.Fma(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = GemmVec.Fma(x, b0, c40); c41 = GemmVec.Fma(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = GemmVec.Fma(x, b0, c50); c51 = GemmVec.Fma(x, b1, c51);
            a += 6;
            b += bStride;
        }
        Vector256<T> vb = Vector256.Create(beta);
        GemmVec.StoreRow(c, c00, c01, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c10, c11, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c20, c21, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c30, c31, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c40, c41, vb, mode); c += ldc;
        GemmVec.StoreRow(c, c50, c51, vb, mode);
    }
}

/// <summary>Portable scalar kernel (4×4), used when no vector FMA is available.</summary>
internal readonly struct ScalarKernel<T> : IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Mr => 4;

    public static int Nr => 4;

    public static unsafe void Run(int kc, T* a, T* b, nint bStride, T* c, nint ldc, T beta, int mode)
    {
        T* acc = stackalloc T[16];
        for (int i = 0; i < 16; i++) acc[i] = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                T ai = a[i];
                for (int j = 0; j < 4; j++) acc[i * 4 + j] += ai * b[j];
            }
            a += 4;
            b += bStride;
        }
        for (int i = 0; i < 4; i++)
        {
            T* ci = c + i * ldc;
            for (int j = 0; j < 4; j++)
            {
                T v = acc[i * 4 + j];
                ci[j] = mode switch
                {
                    0 => v,
                    1 => ci[j] + v,
                    _ => beta * ci[j] + v,
                };
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Tensors.Kernels;

/// <summary>
/// The transposing step of GEMM packing: four source rows (stride <c>ld</c>) of <c>count</c>
/// values become <c>count</c> groups of four values, group p at <c>dst + p·dstStride</c>.
/// AVX does it with in-register 4×8 (float) / 4×4 (double) transposes.
/// </summary>
internal static unsafe class GemmTranspose
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Rows4<T>(T* src, nint ld, int count, T* dst, nint dstStride, T alpha, bool scale)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
                p = Rows4Float((float*)src, ld, count, (float*)dst, dstStride, float.CreateTruncating(alpha), scale);
            else if (typeof(T) == typeof(double))
                p = Rows4Double((double*)src, ld, count, (double*)dst, dstStride, double.CreateTruncating(alpha), scale);
        }
        T* s0 = src, s1 = src + ld, s2 = s1 + ld, s3 = s2 + ld;
        T* d = dst + p * dstStride;
        if (scale)
        {
            for (; p < count; p++, d += dstStride)
            {
                d[0] = alpha * s0[p]; d[1] = alpha * s1[p]; d[2] = alpha * s2[p]; d[3] = alpha * s3[p];
            }
        }
        else
        {
            for (; p < count; p++, d += dstStride)
            {
                d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
            }
        }
    }

    /// <summary>Transposes 4 rows × 8 columns at a time; returns how many columns were done.</summary>
    private static int Rows4Float(float* src, nint ld, int count, float* dst, nint dstStride, float alpha, bool scale)
    {
        var va = Vector256.Create(alpha);
        float* s0 = src, s1 = src + ld, s2 = s1 + ld, s3 = s2 + ld;
        int p = 0;
        for (; p + 8 <= count; p += 8)
        {
            Vector256<float> r0 = Avx.LoadVector256(s0 + p), r1 = Avx.LoadVector256(s1 + p);
            Vector256<float> r2 = Avx.LoadVector256(s2 + p), r3 = Avx.LoadVector256(s3 + p);
            if (scale)
            {
                r0 *= va; r1 *= va; r2 *= va; r3 *= va;
            }
            // t0 = r0p0 r1p0 r0p1 r1p1 | r0p4 r1p4 r0p5 r1p5, etc.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            // u0 = column p | column p+4 (each the four rows r0..r3), and so on.
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            float* d = dst + p * dstStride;
            u0.GetLower().Store(d);
            u1.GetLower().Store(d + dstStride);
            u2.GetLower().Store(d + 2 * dstStride);
            u3.GetLower().Store(d + 3 * dstStride);
            u0.GetUpper().Store(d + 4 * dstStride);
            u1.GetUpper().Store(d + 5 * dstStride);
            u2.GetUpper().Store(d + 6 * dstStride);
            u3.GetUpper().Store(d + 7 * dstStride);
        }
        return p;
    }

    /// <summary>Transposes 4 rows × 4 columns at a time; returns how many columns were done.</summary>
    private static int Rows4Double(double* src, nint ld, int count, double* dst, nint dstStride, double alpha, bool scale)
    {
        var va = Vector256.Create(alpha);
        double* s0 = src, s1 = src + ld, s2 = s1 + ld, s3 = s2 + ld;
        int p = 0;
        for (; p + 4 <= count; p += 4)
        {
            Vector256<double> r0 = Avx.LoadVector256(s0 + p), r1 = Avx.LoadVector256(s1 + p);
            Vector256<double> r2 = Avx.LoadVector256(s2 + p), r3 = Avx.LoadVector256(s3 + p);
            if (scale)
            {
                r0 *= va; r1 *= va; r2 *= va; r3 *= va;
            }
            // t0 = r0p0 r1p0 | r0p2 r1p2; t1 = r0p1 r1p1 | r0p3 r1p3.
            Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            double* d = dst + p * dstStride;
            Avx.Permute2x128(t0, t2, 0x20).Store(d);
            Avx.Permute2x128(t1, t3, 0x20).Store(d + dstStride);
            Avx.Permute2x128(t0, t2, 0x31).Store(d + 2 * dstStride);
            Avx.Permute2x128(t1, t3, 0x31).Store(d + 3 * dstStride);
        }
        return p;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Batch normalization in training mode over the channel axis of x viewed as [outer, C, inner] (statistics
/// over outer and inner; M = outer·inner values per channel), in one kernel each way:
/// <list type="bullet">
/// <item>forward: the mean, then the biased variance around it (two passes, a fixed order), then
/// <c>y = (x − μ)·invstd·γ + β</c> with <c>invstd = 1/√(σ² + ε)</c>;</item>
/// <item>backward: <c>dβ = Σ gy</c>, <c>dγ = Σ gy·x̂</c> and
/// <c>dx = γ·invstd·(gy − dβ/M − x̂·dγ/M)</c> with <c>x̂ = (x − μ)·invstd</c>.</item>
/// </list>
/// With inner = 1 (the [N, C] case) the channels are the contiguous axis, so the passes run over rows with
/// vectors across channels (inline: a <c>TensorPrimitives</c> call per 64-channel row cost more than its
/// work); otherwise over each (outer, channel) span. Sums are accumulated in double, each channel's in row order,
/// so the vector and scalar forms give the same bits.
/// </summary>
internal static class BatchNormKernels
{
    /// <summary>y, and the per-channel mean and biased variance (for the running statistics) and invstd.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, int outer, int channels, int inner, ReadOnlySpan<T> scale, ReadOnlySpan<T> shift, double eps,
        Span<T> y, Span<T> mean, Span<T> variance, Span<T> invstd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)outer * inner;
        Span<double> acc = channels <= 256 ? stackalloc double[channels] : new double[channels];
        // mean
        acc.Clear();
        Accumulate(x, outer, channels, inner, acc, default, squares: false);
        for (int c = 0; c < channels; c++) mean[c] = T.CreateTruncating(acc[c] / m);
        // biased variance around the mean
        acc.Clear();
        Accumulate(x, outer, channels, inner, acc, mean, squares: true);
        for (int c = 0; c < channels; c++)
        {
            variance[c] = T.CreateTruncating(acc[c] / m);
            invstd[c] = T.CreateTruncating(1 / Math.Sqrt(acc[c] / m + eps));
        }
        // y = (x − μ)·(invstd·γ) + β
        Span<T> a = channels <= 512 ? stackalloc T[channels] : new T[channels];
        Span<T> b = channels <= 512 ? stackalloc T[channels] : new T[channels];
        for (int c = 0; c < channels; c++)
        {
            a[c] = invstd[c] * (scale.IsEmpty ? T.One : scale[c]);
            b[c] = (shift.IsEmpty ? T.Zero : shift[c]) - mean[c] * a[c];
        }
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                MultiplyAdd(x.Slice(o * channels, channels), a, b, y.Slice(o * channels, channels));
                continue;
            }
            for (int c = 0; c < channels; c++)
            {
                int at = (o * channels + c) * inner;
                TP.Multiply(x.Slice(at, inner), a[c], y.Slice(at, inner));
                TP.Add(y.Slice(at, inner), b[c], y.Slice(at, inner));
            }
        }
    }

    /// <summary>dx (may be empty), dγ and dβ (may be empty) from gy, with the forward's mean and invstd.</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gy, int outer, int channels, int inner, ReadOnlySpan<T> scale,
        ReadOnlySpan<T> mean, ReadOnlySpan<T> invstd, Span<T> dx, Span<T> dscale, Span<T> dshift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)outer * inner;
        Span<double> sumG = channels <= 256 ? stackalloc double[channels] : new double[channels];
        Span<double> sumGx = channels <= 256 ? stackalloc double[channels] : new double[channels];
        sumG.Clear();
        sumGx.Clear();
        // Σ gy and Σ gy·(x − μ) per channel
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                AccumulateGradientRow(gy.Slice(o * channels, channels), x.Slice(o * channels, channels), mean, sumG, sumGx);
                continue;
            }
            for (int c = 0; c < channels; c++)
            {
                int at = (o * channels + c) * inner;
                var g = gy.Slice(at, inner);
                var r = x.Slice(at, inner);
                double sg = 0, sgx = 0;
                T mu = mean[c];
                for (int i = 0; i < inner; i++)
                {
                    double gv = double.CreateTruncating(g[i]);
                    sg += gv;
                    sgx += gv * double.CreateTruncating(r[i] - mu);
                }
                sumG[c] += sg;
                sumGx[c] += sgx;
            }
        }
        for (int c = 0; c < channels; c++)
        {
            if (!dshift.IsEmpty) dshift[c] = T.CreateTruncating(sumG[c]);
            if (!dscale.IsEmpty) dscale[c] = T.CreateTruncating(sumGx[c] * double.CreateTruncating(invstd[c]));
        }
        if (dx.IsEmpty) return;
        // dx = k·(gy − dβ/M − x̂·dγ/M), written per channel as dx = p·gy + q·x + s
        Span<T> p = channels <= 512 ? stackalloc T[channels] : new T[channels];
        Span<T> q = channels <= 512 ? stackalloc T[channels] : new T[channels];
        Span<T> s = channels <= 512 ? stackalloc T[channels] : new T[channels];
        for (int c = 0; c < channels; c++)
        {
            double inv = double.CreateTruncating(invstd[c]), k = inv * (scale.IsEmpty ? 1 : double.CreateTruncating(scale[c]));
            double qc = -k * inv * inv * sumGx[c] / m;   // coefficient of (x − μ)
            p[c] = T.CreateTruncating(k);
            q[c] = T.CreateTruncating(qc);
            s[c] = T.CreateTruncating(-k * sumG[c] / m - qc * double.CreateTruncating(mean[c]));
        }
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                var d = dx.Slice(o * channels, channels);
                MultiplyAdd(gy.Slice(o * channels, channels), p, s, d);
                MultiplyAdd(x.Slice(o * channels, channels), q, d, d);
                continue;
            }
            for (int c = 0; c < channels; c++)
            {
                int at = (o * channels + c) * inner;
                var d = dx.Slice(at, inner);
                TP.Multiply(gy.Slice(at, inner), p[c], d);
                TP.Add(d, s[c], d);
                TP.FusedMultiplyAdd(x.Slice(at, inner), q[c], d, d);
            }
        }
    }

    private static void Accumulate<T>(ReadOnlySpan<T> x, int outer, int channels, int inner, Span<double> acc, ReadOnlySpan<T> center, bool squares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                AccumulateRow(x.Slice(o * channels, channels), acc, center, squares);
                continue;
            }
            for (int c = 0; c < channels; c++)
            {
                var span = x.Slice((o * channels + c) * inner, inner);
                double sum = 0;
                if (squares)
                {
                    double mu = double.CreateTruncating(center[c]);
                    for (int i = 0; i < inner; i++) { double v = double.CreateTruncating(span[i]) - mu; sum += v * v; }
                }
                else
                    for (int i = 0; i < inner; i++) sum += double.CreateTruncating(span[i]);
                acc[c] += sum;
            }
        }
    }

    /// <summary>acc[c] += x[c], or (x[c] − center[c])² when <paramref name="squares"/>, in double.</summary>
    private static void AccumulateRow<T>(ReadOnlySpan<T> row, Span<double> acc, ReadOnlySpan<T> center, bool squares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        ref double a = ref MemoryMarshal.GetReference(acc);
        if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            ref float x = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(row));
            ref float mu = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(center));
            for (; c + 8 <= row.Length; c += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)c));
                if (squares)
                {
                    var (mlo, mhi) = Vector256.Widen(Vector256.LoadUnsafe(ref mu, (nuint)c));
                    lo -= mlo;
                    hi -= mhi;
                    lo *= lo;
                    hi *= hi;
                }
                (Vector256.LoadUnsafe(ref a, (nuint)c) + lo).StoreUnsafe(ref a, (nuint)c);
                (Vector256.LoadUnsafe(ref a, (nuint)c + 4) + hi).StoreUnsafe(ref a, (nuint)c + 4);
            }
        }
        else if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            ref double x = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(row));
            ref double mu = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(center));
            for (; c + 4 <= row.Length; c += 4)
            {
                var v = Vector256.LoadUnsafe(ref x, (nuint)c);
                if (squares)
                {
                    v -= Vector256.LoadUnsafe(ref mu, (nuint)c);
                    v *= v;
                }
                (Vector256.LoadUnsafe(ref a, (nuint)c) + v).StoreUnsafe(ref a, (nuint)c);
            }
        }
        for (; c < row.Length; c++)
        {
            double v = double.CreateTruncating(row[c]);
            if (squares) { v -= double.CreateTruncating(center[c]); v *= v; }
            acc[c] += v;
        }
    }

    /// <summary>sumG[c] += g[c] and sumGx[c] += g[c]·(x[c] − mean[c]) (the difference taken in T), in double.</summary>
    private static void AccumulateGradientRow<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> row, ReadOnlySpan<T> mean, Span<double> sumG, Span<double> sumGx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        ref double sg = ref MemoryMarshal.GetReference(sumG);
        ref double sgx = ref MemoryMarshal.GetReference(sumGx);
        if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            ref float gf = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(g));
            ref float x = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(row));
            ref float mu = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(mean));
            for (; c + 8 <= row.Length; c += 8)
            {
                var (glo, ghi) = Vector256.Widen(Vector256.LoadUnsafe(ref gf, (nuint)c));
                var (dlo, dhi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)c) - Vector256.LoadUnsafe(ref mu, (nuint)c));
                (Vector256.LoadUnsafe(ref sg, (nuint)c) + glo).StoreUnsafe(ref sg, (nuint)c);
                (Vector256.LoadUnsafe(ref sg, (nuint)c + 4) + ghi).StoreUnsafe(ref sg, (nuint)c + 4);
                (Vector256.LoadUnsafe(ref sgx, (nuint)c) + glo * dlo).StoreUnsafe(ref sgx, (nuint)c);
                (Vector256.LoadUnsafe(ref sgx, (nuint)c + 4) + ghi * dhi).StoreUnsafe(ref sgx, (nuint)c + 4);
            }
        }
        else if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            ref double gd = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(g));
            ref double x = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(row));
            ref double mu = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(mean));
            for (; c + 4 <= row.Length; c += 4)
            {
                var gv = Vector256.LoadUnsafe(ref gd, (nuint)c);
                var d = Vector256.LoadUnsafe(ref x, (nuint)c) - Vector256.LoadUnsafe(ref mu, (nuint)c);
                (Vector256.LoadUnsafe(ref sg, (nuint)c) + gv).StoreUnsafe(ref sg, (nuint)c);
                (Vector256.LoadUnsafe(ref sgx, (nuint)c) + gv * d).StoreUnsafe(ref sgx, (nuint)c);
            }
        }
        for (; c < row.Length; c++)
        {
            double gv = double.CreateTruncating(g[c]);
            sumG[c] += gv;
            sumGx[c] += gv * double.CreateTruncating(row[c] - mean[c]);
        }
    }

    /// <summary>d = x·a + b element by element, fused (one rounding, as <c>TensorPrimitives.FusedMultiplyAdd</c>);
    /// d may be b.</summary>
    private static void MultiplyAdd<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            ref float xr = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(x)), ar = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(a));
            ref float br = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(b)), dr = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(d));
            for (; i + 8 <= x.Length; i += 8)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref ar, (nuint)i),
                    Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            ref double xr = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(x)), ar = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(a));
            ref double br = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(b)), dr = ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(d));
            for (; i + 4 <= x.Length; i += 4)
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref ar, (nuint)i),
                    Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < x.Length; i++) d[i] = T.FusedMultiplyAdd(x[i], a[i], b[i]);
    }
}

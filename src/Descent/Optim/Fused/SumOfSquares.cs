using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Optim.Fused;

/// <summary>
/// Σ xᵢ² of a flat buffer, accumulated in double, in a fixed order that does not depend on the number of
/// threads (fixed blocks, summed in block order), so the same gradients give the same bits. Used for the
/// global gradient norm that clipping and reporting need, and to detect non-finite gradients (the sum is
/// then NaN or infinite). One instance per optimizer: the block buffer and the delegate are reused, so a
/// steady-state step does not allocate.
/// </summary>
internal sealed class SumOfSquares
{
    private const int Block = 1 << 16;
    private double[] partials = [];
    private Tensor? source;
    private int blocks, threads;
    private readonly Action<int> body;

    public SumOfSquares() => body = RunChunk;

    /// <summary>Σ x² over all elements of <paramref name="x"/> (1-D, float or double).</summary>
    public double Compute(Tensor x)
    {
        int n = x.Size;
        blocks = (n + Block - 1) / Block;
        if (partials.Length < blocks) partials = new double[blocks];
        threads = Math.Min(KernelThreads.MaxThreads, blocks / 8);
        source = x;
        if (threads < 2) RunBlocks(0, blocks);
        else KernelThreads.Run(threads, body);
        source = null;
        double sum = 0;
        for (int b = 0; b < blocks; b++) sum += partials[b];
        return sum;
    }

    private void RunChunk(int t)
    {
        int per = (blocks + threads - 1) / threads;
        RunBlocks(t * per, Math.Min(blocks, (t + 1) * per));
    }

    private void RunBlocks(int from, int to)
    {
        var x = source!;
        for (int b = from; b < to; b++)
        {
            int start = b * Block, len = Math.Min(Block, x.Size - start);
            partials[b] = x.DType == DType.Float32
                ? OfFloats(x.Floats.Slice(start, len))
                : OfDoubles(x.Doubles.Slice(start, len));
        }
    }

    /// <summary>Σ x² of floats, accumulated in double (so large finite gradients do not overflow).</summary>
    internal static double OfFloats(ReadOnlySpan<float> x)
    {
        int i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= 16)
        {
            var a0 = Vector512<double>.Zero; var a1 = Vector512<double>.Zero;
            ref float r = ref MemoryMarshal.GetReference(x);
            for (; i + 16 <= x.Length; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)i));
                a0 += lo * lo;
                a1 += hi * hi;
            }
            sum = Vector512.Sum(a0 + a1);
        }
        else if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero;
            ref float r = ref MemoryMarshal.GetReference(x);
            for (; i + 8 <= x.Length; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                a0 += lo * lo;
                a1 += hi * hi;
            }
            sum = Vector256.Sum(a0 + a1);
        }
        for (; i < x.Length; i++) sum += (double)x[i] * x[i];
        return sum;
    }

    /// <summary>Σ x² of doubles.</summary>
    internal static double OfDoubles(ReadOnlySpan<double> x)
    {
        int i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= 16)
        {
            var a0 = Vector512<double>.Zero; var a1 = Vector512<double>.Zero;
            ref double r = ref MemoryMarshal.GetReference(x);
            for (; i + 16 <= x.Length; i += 16)
            {
                var u = Vector512.LoadUnsafe(ref r, (nuint)i);
                var v = Vector512.LoadUnsafe(ref r, (nuint)(i + 8));
                a0 += u * u;
                a1 += v * v;
            }
            sum = Vector512.Sum(a0 + a1);
        }
        for (; i < x.Length; i++) sum += x[i] * x[i];
        return sum;
    }
}

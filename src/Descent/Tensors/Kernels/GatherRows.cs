using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Copies rows picked by index (a mini-batch out of a data set): <c>dst[r] = src[indices[r]]</c>, rows of
/// <c>inner</c> values. Random rows of a large set are far apart in memory, so a plain copy waits on every
/// row's first cache lines; this one asks for the lines of the rows a few places ahead while it copies, and
/// splits the rows between the kernel threads when there are enough bytes to move. The indices must be checked
/// by the caller.
/// </summary>
internal static unsafe class GatherRows
{
    /// <summary>Rows ahead whose lines are requested while a row is copied.</summary>
    private const int Ahead = 2;

    /// <summary>Below this many bytes one thread copies everything (a thread hand-off costs more).</summary>
    private const long ParallelBytes = 128 * 1024;

    public static void Run<T>(ReadOnlySpan<T> src, int inner, int[] indices, Span<T> dst) where T : unmanaged
    {
        int rows = indices.Length;
        if (rows == 0 || inner == 0) return;
        long bytes = (long)rows * inner * sizeof(T);
        int threads = bytes < ParallelBytes ? 1 : Math.Min(KernelThreads.MaxThreads, rows);
        fixed (T* s = src, d = dst)
        {
            if (threads == 1)
            {
                Copy(s, inner, indices, 0, rows, d);
                return;
            }
            nint sp = (nint)s, dp = (nint)d;
            int chunk = (rows + threads - 1) / threads;
            KernelThreads.Run(threads, t =>
            {
                int from = t * chunk, to = Math.Min(rows, from + chunk);
                if (from < to) Copy((T*)sp, inner, indices, from, to, (T*)dp);
            });
        }
    }

    private static void Copy<T>(T* src, int inner, int[] indices, int from, int to, T* dst) where T : unmanaged
    {
        nint rowBytes = (nint)inner * sizeof(T);
        for (int r = from; r < Math.Min(to, from + Ahead); r++) Prefetch((byte*)(src + (nint)indices[r] * inner), rowBytes);
        for (int r = from; r < to; r++)
        {
            if (r + Ahead < to) Prefetch((byte*)(src + (nint)indices[r + Ahead] * inner), rowBytes);
            Buffer.MemoryCopy(src + (nint)indices[r] * inner, dst + (nint)r * inner, rowBytes, rowBytes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(byte* p, nint bytes)
    {
        if (!Sse.IsSupported) return;
        for (nint o = 0; o < bytes; o += 64) Sse.Prefetch0(p + o);
    }
}

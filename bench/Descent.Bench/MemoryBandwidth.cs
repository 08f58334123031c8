using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Tensors.Kernels;

namespace Descent.Bench;

/// <summary>
/// Memory-copy bandwidth, the reference for memory-bound kernels: the median of several
/// copies of a 256 MB buffer, counted STREAM-style as bytes read plus bytes written per second.
/// </summary>
internal static unsafe class MemoryBandwidth
{
    private const long BufferBytes = 256L << 20;
    private static readonly Dictionary<int, double> Cache = [];

    /// <summary>Runs the benchmark from the command line.</summary>
    public static void Run(string[] args)
    {
        Console.WriteLine($"Memory-copy bandwidth: {BufferBytes >> 20} MB buffer, median of 7 copies, GB/s = (bytes read + bytes written) / s");
        int max = KernelThreads.MaxThreads;
        foreach (int t in max > 1 ? new[] { 1, max } : [1])
        {
            double gbps = CopyGBps(t);
            Console.WriteLine($"  threads={t}: {gbps,7:F1} GB/s read+write ({gbps / 2,6:F1} GB/s copied)");
            Console.WriteLine($"membw threads={t} copy_gbps={gbps:F1}");
        }
    }

    /// <summary>
    /// Copy bandwidth in GB/s (read + write traffic) using <paramref name="threads"/> threads
    /// (0 = <see cref="KernelThreads.MaxThreads"/>); measured once per thread count and cached.
    /// </summary>
    public static double CopyGBps(int threads = 0)
    {
        threads = KernelThreads.Resolve(threads);
        lock (Cache)
        {
            if (!Cache.TryGetValue(threads, out double value))
                Cache[threads] = value = Measure(threads, runs: 7);
            return value;
        }
    }

    private static double Measure(int threads, int runs)
    {
        byte* src = (byte*)NativeMemory.AlignedAlloc((nuint)BufferBytes, 4096);
        byte* dst = (byte*)NativeMemory.AlignedAlloc((nuint)BufferBytes, 4096);
        try
        {
            // Touch every page first so page faults are not measured.
            new Span<byte>(src, (int)BufferBytes).Fill(1);
            new Span<byte>(dst, (int)BufferBytes).Clear();
            Copy(src, dst, threads);
            var seconds = new double[runs];
            for (int r = 0; r < runs; r++)
            {
                long start = Stopwatch.GetTimestamp();
                Copy(src, dst, threads);
                seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            Array.Sort(seconds);
            return 2.0 * BufferBytes / seconds[runs / 2] / 1e9;
        }
        finally
        {
            NativeMemory.AlignedFree(src);
            NativeMemory.AlignedFree(dst);
        }
    }

    private static void Copy(byte* src, byte* dst, int threads)
    {
        long chunk = (BufferBytes / threads + 4095) & ~4095L;
        KernelThreads.Run(threads, t =>
        {
            long start = t * chunk;
            long bytes = Math.Min(chunk, BufferBytes - start);
            if (bytes > 0) Buffer.MemoryCopy(src + start, dst + start, bytes, bytes);
        });
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using Descent.Tensors.Kernels;

namespace Descent.Bench;

/// <summary>
/// GEMM throughput of <see cref="Gemm"/> next to OpenBLAS's cblas_sgemm/cblas_dgemm measured in
/// the same run with the same thread count (median GFLOP/s over repeated runs after warm-up).
/// </summary>
internal static unsafe class GemmBench
{
    private sealed record Options((int M, int N, int K)[] Sizes, int[] Threads, int Reps, GemmKernelKind Kernel, bool TransA, bool TransB,
        bool Double, bool Quick, int GapMs, int? Kc = null, int? Nc = null);

    /// <summary>Runs the benchmark from the command line.</summary>
    public static void Run(string[] args)
    {
        var o = Parse(args);
        Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.ProcessArchitecture}, " +
            $"Descent kernel {(o.Kernel == GemmKernelKind.Auto ? Gemm.BestKernel : o.Kernel)}, " +
            $"KC/NC float {o.Kc ?? Gemm.KcFloat}/{o.Nc ?? Gemm.NcFloat}, double {o.Kc ?? Gemm.KcDouble}/{o.Nc ?? Gemm.NcDouble}");
        Console.WriteLine($"Reference: {OpenBlas.Description}");
        string op = $"{(o.TransA ? 'T' : 'N')}{(o.TransB ? 'T' : 'N')}";

        Console.WriteLine();
        Console.WriteLine($"SGEMM C = op(A)·op(B) (n = m = n = k unless given as m×n×k), row-major, {op}: median GFLOP/s over {o.Reps} runs after warm-up");
        var rows = new List<string>();
        PrintHeader();
        foreach (var shape in o.Sizes)
            foreach (int t in o.Threads)
                rows.Add(Row("sgemm", shape, t, Measure<float>(shape, t, o)));

        if (o.Double || !o.Quick)
        {
            Console.WriteLine();
            Console.WriteLine($"DGEMM (for information), {op}: median GFLOP/s over {o.Reps} runs");
            PrintHeader();
            foreach (var shape in o.Double ? o.Sizes : [(1024, 1024, 1024)])
                foreach (int t in o.Threads)
                    rows.Add(Row("dgemm", shape, t, Measure<double>(shape, t, o)));
        }

        Console.WriteLine();
        foreach (string row in rows) Console.WriteLine(row);
        if (!o.Quick)
        {
            Console.WriteLine();
            MemoryBandwidth.Run([]);
        }
    }

    private static void PrintHeader() =>
        Console.WriteLine($"{"n",14} {"threads",8} {"Descent",9} {"OpenBLAS",9} {"ratio",7}  target");

    private static string Row(string name, (int M, int N, int K) s, int t, (double Ours, double Theirs) r)
    {
        int n = s.N;
        string size = s.M == s.N && s.N == s.K ? $"{n}" : $"{s.M}x{s.N}x{s.K}";
        string key = s.M == s.N && s.N == s.K ? $"n={n}" : $"m={s.M} n={s.N} k={s.K}";
        double ratio = r.Theirs > 0 ? r.Ours / r.Theirs : double.NaN;
        string target = name == "sgemm" && t > 1 && size == $"{n}" ? (n >= 1024 ? "≥ 0.8" : n >= 256 ? "≥ 0.5" : "") : "";
        string theirs = r.Theirs > 0 ? $"{r.Theirs,9:F1}" : $"{"-",9}";
        Console.WriteLine($"{size,14} {t,8} {r.Ours,9:F1} {theirs} {ratio,7:F2}  {target}");
        return r.Theirs > 0
            ? $"{name} {key} threads={t} descent_gflops={r.Ours:F1} openblas_gflops={r.Theirs:F1} ratio_vs_openblas={ratio:F2}"
            : $"{name} {key} threads={t} descent_gflops={r.Ours:F1} ({OpenBlas.NotInstalledMessage})";
    }

    private static (double Ours, double Theirs) Measure<T>((int M, int N, int K) s, int threads, Options o) where T : unmanaged
    {
        var (m, n, k) = s;
        // Tightly packed: lda = op(A) stored width, etc.
        int lda = o.TransA ? m : k, ldb = o.TransB ? k : n;
        nint aCount = (nint)m * k, bCount = (nint)k * n, cCount = (nint)m * n;
        T* a = Alloc<T>(aCount), b = Alloc<T>(bCount), c = Alloc<T>(cCount);
        try
        {
            var rng = new Random(42);
            for (nint i = 0; i < aCount; i++) a[i] = FromDouble<T>(rng.NextDouble() * 2 - 1);
            for (nint i = 0; i < bCount; i++) b[i] = FromDouble<T>(rng.NextDouble() * 2 - 1);
            for (nint i = 0; i < cCount; i++) c[i] = default;
            double flops = 2.0 * m * n * k;
            Action ours, theirs;
            if (typeof(T) == typeof(float))
            {
                float* fa = (float*)a, fb = (float*)b, fc = (float*)c;
                ours = () => Gemm.Compute(o.TransA, o.TransB, m, n, k, 1f, fa, lda, fb, ldb, 0f, fc, n, threads, o.Kernel, o.Kc ?? Gemm.KcFloat, o.Nc ?? Gemm.NcFloat);
                theirs = () => OpenBlas.Sgemm(o.TransA, o.TransB, m, n, k, 1f, fa, lda, fb, ldb, 0f, fc, n);
            }
            else
            {
                double* da = (double*)a, db = (double*)b, dc = (double*)c;
                ours = () => Gemm.Compute(o.TransA, o.TransB, m, n, k, 1.0, da, lda, db, ldb, 0.0, dc, n, threads, o.Kernel, o.Kc ?? Gemm.KcDouble, o.Nc ?? Gemm.NcDouble);
                theirs = () => OpenBlas.Dgemm(o.TransA, o.TransB, m, n, k, 1.0, da, lda, db, ldb, 0.0, dc, n);
            }
            // Interleaved rounds: ours, then OpenBLAS, so both see the same machine conditions
            // (frequency, neighbours); a pause after OpenBLAS lets its idle workers stop spinning.
            if (OpenBlas.Available) OpenBlas.SetThreads(threads);
            int oursBatch = WarmUp(ours), theirsBatch = OpenBlas.Available ? WarmUp(theirs) : 0;
            Thread.Sleep(o.GapMs);
            var oursSamples = new double[o.Reps];
            var theirsSamples = new double[o.Reps];
            for (int r = 0; r < o.Reps; r++)
            {
                oursSamples[r] = Sample(ours, oursBatch, flops);
                if (!OpenBlas.Available) continue;
                theirsSamples[r] = Sample(theirs, theirsBatch, flops);
                Thread.Sleep(o.GapMs);
            }
            double oursGflops = Median(oursSamples), theirsGflops = OpenBlas.Available ? Median(theirsSamples) : 0;
            return (oursGflops, theirsGflops);
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
            NativeMemory.AlignedFree(c);
        }
    }

    /// <summary>Warms up (JIT, page faults, caches) and returns how many calls make a sample of ≥ 30 ms.</summary>
    private static int WarmUp(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        do
        {
            call();
            calls++;
        }
        while (calls < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < 0.2);
        double perCall = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
        return Math.Max(1, (int)Math.Ceiling(0.03 / perCall));
    }

    /// <summary>GFLOP/s of one sample of <paramref name="batch"/> back-to-back calls.</summary>
    private static double Sample(Action call, int batch, double flops)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < batch; i++) call();
        return flops * batch / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static T* Alloc<T>(nint count) where T : unmanaged =>
        (T*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(T)), 64);

    private static T FromDouble<T>(double x) where T : unmanaged =>
        typeof(T) == typeof(float) ? (T)(object)(float)x : (T)(object)x;

    private static Options Parse(string[] args)
    {
        var o = new Options([(256, 256, 256), (1024, 1024, 1024), (2048, 2048, 2048)], [1, Math.Max(1, KernelThreads.MaxThreads)], 9, GemmKernelKind.Auto, false, false, false, false, 150);
        if (KernelThreads.MaxThreads == 1) o = o with { Threads = [1] };
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int[] Ints() => Next().Split(',').Select(int.Parse).ToArray();
            switch (args[i])
            {
                case "--sizes":
                    o = o with
                    {
                        Sizes = Next().Split(',').Select(x => x.Split('x').Select(int.Parse).ToArray())
                            .Select(d => d.Length == 3 ? (d[0], d[1], d[2]) : (d[0], d[0], d[0])).ToArray(),
                    };
                    break;
                case "--threads": o = o with { Threads = Ints() }; break;
                case "--reps": o = o with { Reps = int.Parse(Next()) }; break;
                case "--kernel": o = o with { Kernel = Enum.Parse<GemmKernelKind>(Next(), ignoreCase: true) }; break;
                case "--kc": o = o with { Kc = int.Parse(Next()) }; break;
                case "--nc": o = o with { Nc = int.Parse(Next()) }; break;
                case "--trans":
                    string t = Next().ToUpperInvariant();
                    o = o with { TransA = t[0] == 'T', TransB = t.Length > 1 && t[1] == 'T' };
                    break;
                case "--double": o = o with { Double = true }; break;
                case "--quick": o = o with { Quick = true }; break;
                case "--gap": o = o with { GapMs = int.Parse(Next()) }; break;
                default: throw new ArgumentException($"unknown gemm option {args[i]}");
            }
        }
        return o;
    }
}

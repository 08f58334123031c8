using Descent.Optim;
using Descent.Problems;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Bench;

/// <summary>
/// What the CRC-32 checksums cost on an fmnist_mlp checkpoint (1.33M parameters with Adam's two moments,
/// 16 MB): saving (compute the checksums, write, fsync, rename, keep the previous file) and loading
/// (read and verify), each against the same operation without checksums in the same run; and the CRC-32
/// throughput alone.
/// </summary>
public static class CheckpointBench
{
    /// <summary>Runs the benchmark from the command line (<c>--reps N</c>).</summary>
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 11);
        var model = new FashionMnistMlp().BuildModel(0);
        var opt = OptimizerFactory.Create("adam", new Dictionary<string, string> { ["lr"] = "0.001" });
        opt.Init(model.Flat);
        var state = opt.ExportState();
        var tensors = model.StateDict().Select(kv => (CheckpointFile.ParameterPrefix + kv.Key, kv.Value))
            .Concat(state.Tensors.Select(kv => (CheckpointFile.OptimizerPrefix + kv.Key, kv.Value))).ToList();
        var checkpoint = new Checkpoint { Parameters = model.StateDict(), Optimizer = state.Tensors };
        long bytes = tensors.Sum(t => (long)t.Item2.Size * t.Item2.DType.ElementSize());
        string dir = Path.Combine(Path.GetTempPath(), "descent-bench-checkpoint-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            string plain = Path.Combine(dir, "plain.safetensors");
            double crc = HvpBench.Median(reps, () =>
            {
                uint sum = 0;
                foreach (var (_, t) in tensors) sum ^= SafetensorsChecksums.OfTensor(t);
                GC.KeepAlive(sum);
            });
            var (savePlain, saveChecked) = Alternating(reps, () => Safetensors.Write(plain, tensors, null, checksums: false),
                () => CheckpointFile.SaveLatest(dir, checkpoint));
            // Alternating, so that both see the same machine load.
            var (loadPlain, loadChecked) = Alternating(reps, () => Safetensors.Read(plain), () => CheckpointFile.LoadLatest(dir));
            Console.WriteLine($"fmnist_mlp checkpoint with Adam state: {tensors.Count} tensors, {bytes / 1e6:F1} MB; medians of {reps}");
            Console.WriteLine($"  CRC-32 of all tensors             {crc * 1e3,8:F2} ms  ({bytes / crc / 1e9:F1} GB/s)");
            Console.WriteLine($"  save without checksums            {savePlain * 1e3,8:F2} ms  (write, fsync, rename)");
            Console.WriteLine($"  save with checksums, keep previous{saveChecked * 1e3,8:F2} ms  ratio {saveChecked / savePlain:F2}");
            Console.WriteLine($"  load without checksums            {loadPlain * 1e3,8:F2} ms");
            Console.WriteLine($"  load and verify                   {loadChecked * 1e3,8:F2} ms  ratio {loadChecked / loadPlain:F2}");
            Console.WriteLine($"checkpoint crc_ms={crc * 1e3:F2} save_ratio={saveChecked / savePlain:F2} load_ratio={loadChecked / loadPlain:F2}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (double A, double B) Alternating(int reps, Action a, Action b)
    {
        var ta = new List<double>();
        var tb = new List<double>();
        a();
        b();
        double Time(Action f)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            f();
            return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        for (int i = 0; i < reps; i++)
        {
            ta.Add(Time(a));
            tb.Add(Time(b));
        }
        return (ta.Order().ElementAt(reps / 2), tb.Order().ElementAt(reps / 2));
    }
}

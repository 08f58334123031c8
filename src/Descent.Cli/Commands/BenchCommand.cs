using System.CommandLine;
using Descent.Cli.Bench;
using Descent.Data;
using Descent.Problems;
using Descent.Tensors.Kernels;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench [--problems P,...] [--quick] [--epoch] [--time-to-accuracy] [--threads T] [--no-peer]</c>:
/// times a training step of each benchmark problem (median over windows of steps, split into data, forward,
/// backward and optimizer), its achieved GFLOP/s against the SGEMM rate measured in the same run, allocation
/// and garbage collections per epoch, and its ratio to PyTorch measured in the same run (windows alternating
/// with the peer's, when python3-torch is installed). With <c>--time-to-accuracy</c>, also the wall time to the
/// target test accuracy of fmnist_mlp (Adam) and fmnist_2c2d (momentum).
/// </summary>
public static class BenchCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var problems = new Option<string>("--problems") { Description = $"comma-separated problems (default: all of {string.Join(", ", BenchCase.All.Select(c => c.Problem))})" };
        var quick = new Option<bool>("--quick") { Description = "a short smoke run: batch 16, 2 windows of 2 steps, a small SGEMM" };
        var steps = new Option<int?>("--steps") { Description = "steps per timed window (default: at least 30, and enough for a window of 0.25 s)" };
        var windows = new Option<int?>("--windows") { Description = "timed windows per problem; the step time is their median (default 7)" };
        var warmup = new Option<int?>("--warmup") { Description = "untimed steps before the windows (default 10, repeated until --warmup-seconds have passed)" };
        var warmupSeconds = new Option<double?>("--warmup-seconds") { Description = "keep warming up for at least this long, so the JIT has optimized the step's code (default 3; 0 with --quick)" };
        var batch = new Option<int?>("--batch-size") { Description = "examples per step (default: each problem's)" };
        var epoch = new Option<bool>("--epoch") { Description = "also train one full epoch per problem: its wall time, and allocations and collections counted over it" };
        var tta = new Option<bool>("--time-to-accuracy") { Description = "also measure the wall time to 0.88 test accuracy (fmnist_mlp, Adam) and 0.91 (fmnist_2c2d, momentum); long" };
        var ttaEpochs = new Option<int>("--tta-epochs") { Description = "epoch limit of the time-to-accuracy runs", DefaultValueFactory = _ => 10 };
        var threads = new Option<int?>("--threads") { Description = "threads for the numeric kernels and for PyTorch (default: all cores)" };
        var dataDir = new Option<string>("--data-dir") { Description = "Fashion-MNIST directory (else $DESCENT_DATA, /usr/share/datasets/fashion-mnist, then the bundled sample)" };
        var python = new Option<string>("--python") { Description = "the Python with torch for the reference", DefaultValueFactory = _ => "/usr/bin/python3" };
        var noPeer = new Option<bool>("--no-peer") { Description = "skip the PyTorch reference" };
        var scale = new Option<bool>("--scale") { Description = "instead: measure compute per step and all-reduce time (1 and 2 processes, under mpirun when installed) and project data-parallel step time and efficiency to 8, 64 and 512 nodes (--batch-size is then per node, default 128)" };
        var worker = new Option<bool>("--scale-worker") { Description = "the part of --scale that runs under mpirun", Hidden = true };
        var gbps = new Option<double>("--link-gbps") { Description = "with --scale: link bandwidth of the projection, Gb/s", DefaultValueFactory = _ => 25 };
        var latency = new Option<double>("--latency-us") { Description = "with --scale: per-message latency of the projection, µs", DefaultValueFactory = _ => 5 };
        var plot = new Option<string>("--plot") { Description = "with --scale: write the projection as an SVG figure" };

        var cmd = new Command("bench", "Time a training step of every benchmark problem against the GEMM roofline and PyTorch, measured in the same run; with --scale, the data-parallel scaling benchmark.");
        foreach (var o in new Option[] { problems, quick, steps, windows, warmup, warmupSeconds, batch, epoch, tta, ttaEpochs, threads, dataDir, python, noPeer, scale, worker, gbps, latency, plot })
            cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            bool q = pr.GetValue(quick);
            if (pr.GetValue(scale) || pr.GetValue(worker))
            {
                int perNode = Positive(pr.GetValue(batch) ?? 128, "--batch-size");
                return BenchScale.Run(context, perNode, q, pr.GetValue(worker), new ScaleSettings(perNode, pr.GetValue(gbps), pr.GetValue(latency), pr.GetValue(plot), q));
            }
            var settings = new BenchSettings(
                Positive(pr.GetValue(steps) ?? (q ? 2 : 30), "--steps"), Positive(pr.GetValue(windows) ?? (q ? 2 : 7), "--windows"),
                Math.Max(0, pr.GetValue(warmup) ?? (q ? 1 : 10)), pr.GetValue(batch) ?? (q ? 16 : null), pr.GetValue(epoch),
                NonNegative(pr.GetValue(warmupSeconds) ?? (q ? 0 : 3), "--warmup-seconds"),
                MinWindowSeconds: q || pr.GetValue(steps) is not null ? 0 : 0.25);
            if (settings.BatchSize is int b) Positive(b, "--batch-size");
            var cases = pr.GetValue(problems) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(BenchCase.Find).ToArray() : BenchCase.All.ToArray();
            using var limit = TrainCommand.ThreadOption(pr.GetValue(threads));
            var run = new BenchRun(context.Output, settings, q, pr.GetValue(dataDir), pr.GetValue(noPeer) ? null : pr.GetValue(python)!,
                pr.GetValue(tta), Positive(pr.GetValue(ttaEpochs), "--tta-epochs"));
            run.Execute(cases);
            return CliErrors.Ok;
        });
        return cmd;
    }

    private static double NonNegative(double value, string name) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ConfigurationException($"{name} must be a non-negative number of seconds, got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");

    internal static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ConfigurationException($"{name} must be at least 1, got {value}.");
}

/// <summary>One <c>descent bench</c> run: the SGEMM rate, the peer, every problem, the table.</summary>
internal sealed class BenchRun(TextWriter output, BenchSettings settings, bool quick, string? dataDir, string? python, bool timeToAccuracy, int ttaEpochs)
{
    /// <summary>Measures and prints.</summary>
    public void Execute(IReadOnlyList<BenchCase> cases)
    {
        int threads = KernelThreads.MaxThreads;
        var sgemm = new SgemmPeak(quick ? 128 : 1024);
        double peak = sgemm.Median(quick ? 3 : 9);
        output.WriteLine($"descent bench: {threads} kernel threads, GEMM kernel {Gemm.MicroKernel}; SGEMM {sgemm.Size}³ {peak:F1} GFLOP/s now " +
            "(median; a sample is also taken beside every window, and each problem is compared with its own samples)");
        string? fashionDir = FashionMnist.LocateDirectory(dataDir);
        var (peer, reason) = python is null ? (null, "skipped (--no-peer)") : TorchPeer.Start(python, threads, fashionDir);
        using var _ = peer;
        output.WriteLine(peer is null ? $"PyTorch reference: none — {reason}" : $"PyTorch reference: {peer.Banner}");
        output.WriteLine($"timing: {settings.Windows} windows of {(settings.MinWindowSeconds > 0 ? $"at least {settings.Steps} steps and {settings.MinWindowSeconds:0.##} s" : $"{settings.Steps} steps")} after at least {settings.WarmupSteps} warm-up steps and {settings.WarmupSeconds:0.#} s" +
            (peer is null ? "" : ", alternating with PyTorch's windows") + "; medians of the window means");
        output.Flush();

        var results = new List<ProblemResult>();
        foreach (var c in cases)
        {
            var data = ProblemCatalog.Create(c.Problem).LoadData(new ProblemContext(dataDir, 0, ValidationFraction: 0));
            var r = ProblemBench.Measure(c, data, settings, peer, sgemm);
            results.Add(r);
            output.WriteLine(Line(r));
            output.Flush();
        }
        output.WriteLine();
        BenchTable.Write(output, results, settings.FullEpoch);
        if (timeToAccuracy) TimeToAccuracyTable(cases, peer);
    }

    private static string Line(ProblemResult r) => (
        $"bench problem={r.Case.Problem} batch={r.BatchSize} steps_per_window={r.StepsPerWindow} step_ms={r.Ours.Step * 1e3:F3} forward_ms={r.Ours.Forward * 1e3:F3} backward_ms={r.Ours.Backward * 1e3:F3} " +
        $"optimizer_ms={r.Ours.Optimizer * 1e3:F3} data_ms={r.Ours.Data * 1e3:F3} gflops={r.Gflops ?? double.NaN:F1} sgemm_gflops={r.PeakGflops:F1} roofline_ratio={r.Roofline ?? double.NaN:F3} " +
        $"alloc_bytes_per_epoch={r.Memory.BytesPerEpoch:F0} gen0={r.Memory.Gen0:F1} gen1={r.Memory.Gen1:F1} gen2={r.Memory.Gen2:F1} " +
        (r.EpochSeconds is { } e ? $"epoch_s={e:F2} " : "") +
        (r.Torch is { } t ? $"pytorch_step_ms={t.Step * 1e3:F3} ratio_vs_pytorch={r.Ratio:F3}" : "pytorch=none"));

    private void TimeToAccuracyTable(IReadOnlyList<BenchCase> cases, TorchPeer? peer)
    {
        output.WriteLine();
        int limit = quick ? 1024 : 0;
        int epochs = quick ? 1 : ttaEpochs;
        output.WriteLine($"time to accuracy: test accuracy evaluated after every epoch (included), all {(quick ? "1,024 (--quick)" : "60,000")} training images, at most {epochs} epochs");
        output.WriteLine("| problem | recipe | target | Descent s | epochs | accuracy | PyTorch s | epochs | accuracy | ratio |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cases.Where(c => c.TargetAccuracy is not null))
        {
            var data = ProblemCatalog.Create(c.Problem).LoadData(new ProblemContext(dataDir, 0, ValidationFraction: 0));
            var (s, e, a) = TimeToAccuracy.Run(c, data, epochs, limit);
            string theirs = "— | — | — | —";
            if (peer is not null)
            {
                var (ps, pe, pa) = peer.TimeToAccuracy(c.Problem, c.TargetAccuracy!.Value, epochs, limit);
                theirs = ($"{ps:F1} | {pe} | {pa:F4} | {s / ps:F2}");
            }
            output.WriteLine(($"| {c.Problem} | {c.Recipe} | {c.TargetAccuracy:F2} | {s:F1} | {e} | {a:F4} | {theirs} |"));
            output.Flush();
        }
    }
}

using System.Diagnostics;
using Descent.Data;
using Descent.Problems;

namespace Descent.Cli.Bench;

/// <summary>How a problem is measured.</summary>
/// <param name="Steps">Steps per timed window.</param>
/// <param name="Windows">Timed windows (the step time is the median of the window means).</param>
/// <param name="WarmupSteps">Untimed steps first (JIT, pool, caches).</param>
/// <param name="WarmupSeconds">The warm-up goes on in windows of <paramref name="WarmupSteps"/> until this much
/// time has passed, so the timed steps run the JIT's optimized code: .NET first compiles a method quickly and
/// recompiles it optimized after it has run a while (tiered compilation), which takes on the order of a
/// hundred steps of a training loop.</param>
/// <param name="BatchSize">Examples per step; null for the problem's default.</param>
/// <param name="FullEpoch">Also train one full epoch, counting allocations and collections over it.</param>
/// <param name="MinWindowSeconds">Windows get more than <paramref name="Steps"/> steps when needed to last this
/// long (judged from the warm-up's step time): a window of a fast problem's 30 steps lasts a few milliseconds, and
/// its first steps, after the other side's window, pay for waking threads and refilling caches.</param>
internal sealed record BenchSettings(int Steps, int Windows, int WarmupSteps, int? BatchSize, bool FullEpoch, double WarmupSeconds = 0,
    double MinWindowSeconds = 0);

/// <summary>What <c>descent bench</c> measured for one problem.</summary>
internal sealed record ProblemResult(
    BenchCase Case, int BatchSize, int StepsPerEpoch, int StepsPerWindow, PhaseTimes Ours, PhaseTimes? Torch, double? FlopsPerStep,
    MemoryFigures Memory, double? EpochSeconds, double LastLoss, double PeakGflops)
{
    /// <summary>Descent's step time over PyTorch's (below 1: Descent is faster), or null without the peer.</summary>
    public double? Ratio => Torch is { } t ? Ours.Step / t.Step : null;

    /// <summary>Achieved GFLOP/s of the step's matrix products.</summary>
    public double? Gflops => FlopsPerStep / Ours.Step / 1e9;

    /// <summary>The step time over its roofline (the step's matrix-product FLOPs at the SGEMM rate measured beside
    /// it); 1 means the step runs at the speed of its matrix products alone.</summary>
    public double? Roofline => FlopsPerStep is { } f ? Ours.Step / (f / (PeakGflops * 1e9)) : null;
}

/// <summary>Allocation and garbage collection over the measured steps, scaled to one epoch (exact with a full epoch).</summary>
/// <param name="BytesPerEpoch">Bytes allocated (all threads).</param>
/// <param name="Gen0">Generation-0 collections per epoch.</param>
/// <param name="Gen1">Generation-1 collections per epoch.</param>
/// <param name="Gen2">Generation-2 collections per epoch.</param>
/// <param name="GrowthPerStep">Bytes allocated per step in the last window minus in the first (steady state: about 0).</param>
/// <param name="Exact">True when measured over a full epoch rather than scaled from the windows.</param>
internal sealed record MemoryFigures(double BytesPerEpoch, double Gen0, double Gen1, double Gen2, double GrowthPerStep, bool Exact);

/// <summary>Measures one <see cref="BenchCase"/>: warm-up, then windows of Descent steps alternating with windows of
/// the PyTorch peer's, then optionally a full epoch.</summary>
internal static class ProblemBench
{
    /// <summary>Runs the measurement (an SGEMM sample beside every window).</summary>
    public static ProblemResult Measure(BenchCase c, DataSplits data, BenchSettings s, TorchPeer? peer, SgemmPeak sgemm)
    {
        var problem = ProblemCatalog.Create(c.Problem);
        var runner = new StepRunner(c, problem, data.Train, s.BatchSize ?? problem.DefaultBatchSize);
        var flops = FlopCount.Of(runner.Model, WithBatch(data.Train, runner.BatchSize));
        var warm = System.Diagnostics.Stopwatch.StartNew();
        var last = runner.Window(s.WarmupSteps);
        while (warm.Elapsed.TotalSeconds < s.WarmupSeconds) last = runner.Window(Math.Max(1, s.WarmupSteps));
        int stepsPerWindow = s.MinWindowSeconds > 0 && last.Step > 0
            ? (int)Math.Clamp(Math.Ceiling(s.MinWindowSeconds / last.Step), s.Steps, 100_000) : s.Steps;
        peer?.Load(c.Problem, runner.BatchSize, s.WarmupSteps);

        var ours = new List<PhaseTimes>();
        var theirs = new List<PhaseTimes>();
        var peaks = new List<double>();
        var bytes = new List<double>();
        int[] gc0 = Collections();
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        for (int w = 0; w < s.Windows; w++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            ours.Add(runner.Window(stepsPerWindow));
            bytes.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / (double)stepsPerWindow);
            // the SGEMM sample right after our own window, before the peer's: PyTorch's OpenMP threads keep
            // spinning for a while after its window and would slow a sample taken then
            peaks.Add(sgemm.Sample());
            if (peer is not null) theirs.Add(peer.Window(stepsPerWindow));
        }
        // (the peer runs in another process: its windows allocate nothing here, and collections here during
        // them would be ours)
        int[] gc1 = Collections();
        double steps = (double)s.Windows * stepsPerWindow;
        double scale = runner.StepsPerEpoch / steps;
        var memory = new MemoryFigures((GC.GetTotalAllocatedBytes(precise: true) - allocated0) * scale,
            (gc1[0] - gc0[0]) * scale, (gc1[1] - gc0[1]) * scale, (gc1[2] - gc0[2]) * scale, bytes[^1] - bytes[0], Exact: false);

        double? epochSeconds = null;
        if (s.FullEpoch)
        {
            int[] e0 = Collections();
            long b0 = GC.GetTotalAllocatedBytes(precise: true);
            int half = runner.StepsPerEpoch / 2;
            long t0 = Stopwatch.GetTimestamp();
            runner.Window(half);
            long b1 = GC.GetTotalAllocatedBytes(precise: true);
            runner.Window(runner.StepsPerEpoch - half);
            epochSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            long b2 = GC.GetTotalAllocatedBytes(precise: true);
            int[] e1 = Collections();
            double firstHalf = (b1 - b0) / (double)half, secondHalf = (b2 - b1) / (double)(runner.StepsPerEpoch - half);
            memory = new MemoryFigures(b2 - b0, e1[0] - e0[0], e1[1] - e0[1], e1[2] - e0[2], secondHalf - firstHalf, Exact: true);
        }
        return new ProblemResult(c, runner.BatchSize, runner.StepsPerEpoch, stepsPerWindow, PhaseTimes.Median(ours),
            theirs.Count > 0 ? PhaseTimes.Median(theirs) : null, flops is { } f ? f.Forward + f.Backward : null, memory,
            epochSeconds, runner.LastLoss, Stats.Median(peaks));
    }

    private static int[] Collections() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    private static Tensors.Shape WithBatch(Dataset train, int batch)
    {
        var dims = train.Features.Shape.Dims.ToArray();
        dims[0] = batch;
        return new Tensors.Shape(dims);
    }
}

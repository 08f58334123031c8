using System.CommandLine;
using Descent.Tensors.Kernels;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench --scale [--batch-size B] [--link-gbps G] [--latency-us L] [--plot FILE.svg] [--quick]</c>:
/// the data-parallel scaling benchmark (<see cref="ScaleBench"/>). <c>--scale-worker</c> is its part that runs
/// under mpirun.
/// </summary>
public static class BenchScaleCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var scale = new Option<bool>("--scale") { Description = "measure compute per step and all-reduce time (1 and 2 processes, under mpirun when installed) and project data-parallel step time and efficiency to 8, 64 and 512 nodes" };
        var worker = new Option<bool>("--scale-worker") { Description = "the part of --scale that runs under mpirun", Hidden = true };
        var batch = new Option<int>("--batch-size") { Description = "examples per node and step (weak scaling)", DefaultValueFactory = _ => 128 };
        var gbps = new Option<double>("--link-gbps") { Description = "link bandwidth of the projection, Gb/s", DefaultValueFactory = _ => 25 };
        var latency = new Option<double>("--latency-us") { Description = "per-message latency of the projection, µs", DefaultValueFactory = _ => 5 };
        var plot = new Option<string>("--plot") { Description = "write the projection as an SVG figure" };
        var quick = new Option<bool>("--quick") { Description = "a short smoke run (few repetitions)" };
        var cmd = new Command("bench", "Benchmarks: --scale measures and projects data-parallel scaling (all-reduce GB/s, efficiency at 8, 64 and 512 nodes).");
        foreach (var o in new Option[] { scale, worker, batch, gbps, latency, plot, quick }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            int b = pr.GetValue(batch);
            if (b < 1) throw new ConfigurationException($"--batch-size must be at least 1, got {b}.");
            if (pr.GetValue(worker))
            {
                if (Distributed.MpiLaunch.Detect() is null)
                    throw new ConfigurationException("--scale-worker runs under mpirun with at least 2 processes (descent bench --scale starts it); use --scale.");
                // one process per core: the kernel threads of this machine are split between the processes on it
                KernelThreads.MaxThreads = Math.Max(1, Environment.ProcessorCount / DistributedTrain.ProcessesOnThisMachine());
                ScaleWorker.Run(context.Output, b, pr.GetValue(quick));
                return CliErrors.Ok;
            }
            if (!pr.GetValue(scale)) throw new ConfigurationException("descent bench needs --scale (the data-parallel scaling benchmark); see descent bench --help.");
            ScaleBench.Run(context.Output, new ScaleSettings(b, pr.GetValue(gbps), pr.GetValue(latency), pr.GetValue(plot), pr.GetValue(quick)));
            return CliErrors.Ok;
        });
        return cmd;
    }
}

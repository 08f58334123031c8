using Descent.Tensors.Kernels;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent bench --scale [--batch-size B] [--link-gbps G] [--latency-us L] [--plot FILE.svg] [--quick]</c>:
/// the data-parallel scaling benchmark (<see cref="ScaleBench"/>). <c>--scale-worker</c> is its part that runs
/// under mpirun.
/// </summary>
internal static class BenchScale
{
    /// <summary>Runs the scaling benchmark, or its worker part under mpirun.</summary>
    public static int Run(CommandContext context, int batchPerNode, bool quick, bool worker, ScaleSettings settings)
    {
        if (worker)
        {
            if (Distributed.MpiLaunch.Detect() is null)
                throw new ConfigurationException("--scale-worker runs under mpirun with at least 2 processes (descent bench --scale starts it); use --scale.");
            // one process per core: the kernel threads of this machine are split between the processes on it
            using var share = KernelThreads.Limit(Math.Max(1, Environment.ProcessorCount / DistributedTrain.ProcessesOnThisMachine()));
            ScaleWorker.Run(context.Output, batchPerNode, quick);
            return CliErrors.Ok;
        }
        ScaleBench.Run(context.Output, settings);
        return CliErrors.Ok;
    }
}

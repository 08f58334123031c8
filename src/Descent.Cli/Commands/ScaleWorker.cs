using System.Diagnostics;
using System.Text.Json;
using Descent.Distributed;

namespace Descent.Cli.Commands;

/// <summary>What one rank of <c>descent bench --scale-worker</c> measured (rank 0 prints it as JSON).</summary>
/// <param name="Processes">The number of processes.</param>
/// <param name="Library">The MPI library.</param>
/// <param name="Sizes">All-reduce sweep: bytes and median seconds.</param>
/// <param name="Steps">Per model: median seconds of the forward-backward pass alone and of a data-parallel step
/// (the same pass, then the gradient all-reduce), every process on a batch of its own.</param>
internal sealed record WorkerReport(int Processes, string Library, List<double[]> Sizes, Dictionary<string, double[]> Steps);

/// <summary>
/// The part of <c>descent bench --scale</c> that runs under <c>mpirun -np 2</c>: all-reduces of float buffers
/// from 4 KiB to 64 MiB (each result checked), and a weak-scaling data-parallel step of each
/// <see cref="ScaleCase"/> (every process computes a full batch, then the gradients are all-reduced).
/// </summary>
internal static class ScaleWorker
{
    /// <summary>Runs the measurements on this process's communicator and prints the report on rank 0.</summary>
    public static void Run(TextWriter output, int batch, bool quick)
    {
        var comm = Communicator.Connect();
        try
        {
            if (comm.Size < 2) throw new ConfigurationException("--scale-worker runs under mpirun with at least 2 processes; use --scale.");
            var sizes = new List<double[]>();
            foreach (int kib in quick ? new[] { 4, 256, 4096 } : new[] { 4, 64, 1024, 4096, 16384, 65536 })
            {
                int n = kib * 1024 / sizeof(float);
                var buffer = new float[n];
                int reps = quick ? 3 : Math.Clamp(64 * 1024 / kib, 5, 50);
                var times = new double[reps];
                for (int i = -1; i < reps; i++)
                {
                    Array.Fill(buffer, comm.Rank + 1f);
                    comm.Barrier();
                    var clock = Stopwatch.StartNew();
                    comm.AllReduce(buffer);
                    if (i >= 0) times[i] = clock.Elapsed.TotalSeconds;
                    float expected = comm.Size * (comm.Size + 1) / 2f;
                    if (buffer[0] != expected || buffer[^1] != expected)
                        throw new DistributedException($"all-reduce of {n} floats gave {buffer[0]}, expected {expected}");
                }
                sizes.Add([kib * 1024.0, ScaleCase.MedianOf(times)]);
            }
            var steps = new Dictionary<string, double[]>();
            foreach (var c in ScaleCase.All)
            {
                var o = c.Objective(batch);
                int reps = quick ? 2 : 9;
                comm.Barrier();
                double compute = ScaleCase.Median(o, reps);
                comm.Barrier();
                double step = ScaleCase.Median(o, reps, () => comm.AllReduce(o.Parameters.Grads));
                steps[c.Name] = [compute, step];
            }
            if (comm.IsRoot)
            {
                output.WriteLine(JsonSerializer.Serialize(new WorkerReport(comm.Size, comm.Description, sizes, steps)));
                output.Flush();
            }
        }
        finally
        {
            comm.Dispose();
        }
    }
}

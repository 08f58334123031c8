using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Descent.Cli.Plots;
using Descent.Distributed;

namespace Descent.Cli.Commands;

/// <summary>What <c>descent bench --scale</c> is asked for.</summary>
/// <param name="Batch">Examples per node and step (weak scaling).</param>
/// <param name="Gbps">Link bandwidth of the projection, Gb/s.</param>
/// <param name="LatencyMicroseconds">Per-message latency of the projection, µs.</param>
/// <param name="Plot">Where to write the SVG figure, or null.</param>
/// <param name="Quick">A short smoke run.</param>
internal sealed record ScaleSettings(int Batch, double Gbps, double LatencyMicroseconds, string? Plot, bool Quick);

/// <summary>
/// <c>descent bench --scale</c>: measures the compute time of a training step of each <see cref="ScaleCase"/> on
/// this machine, then (when Open MPI's <c>mpirun</c> is installed) runs <see cref="ScaleWorker"/> under
/// <c>mpirun -np 2</c> to measure the all-reduce over shared memory and a real 2-process data-parallel step, and
/// projects step time and efficiency to 8, 64 and 512 nodes with the ring all-reduce model
/// (<see cref="RingAllReduce"/>) over the given links. Prints the tables; with <c>--plot</c>, draws them.
/// </summary>
internal static class ScaleBench
{
    /// <summary>The node counts of the projection.</summary>
    public static readonly int[] Nodes = [1, 2, 8, 64, 512];

    /// <summary>Measures, projects and prints.</summary>
    public static void Run(TextWriter o, ScaleSettings s)
    {
        var link = RingAllReduce.Link(s.Gbps, s.LatencyMicroseconds);
        o.WriteLine($"descent bench --scale: data-parallel training, weak scaling (every node keeps a batch of {s.Batch}; the gradients are averaged by one all-reduce per step)");
        o.WriteLine($"this machine: {Environment.ProcessorCount} cores, {Descent.Tensors.Kernels.KernelThreads.MaxThreads} kernel threads; timings are medians and noisy when other work shares the cores");
        o.Flush();

        var compute = new Dictionary<string, (double Seconds, long Bytes, int Parameters)>();
        foreach (var c in ScaleCase.All)
        {
            var obj = c.Objective(s.Batch);
            double t = ScaleCase.Median(obj, s.Quick ? 2 : 9);
            compute[c.Name] = (t, c.GradientBytes(obj), obj.Parameters.Count);
        }

        var worker = MeasureTwoProcesses(o, s);
        if (worker is not null) PrintMeasured(o, worker, compute);

        o.WriteLine();
        o.WriteLine(Invariant($"projection: ring all-reduce T(p, n) = 2(p-1)/p * n/B + 2(p-1)*a over {s.Gbps:G4} Gb/s links (B = {link.BytesPerSecond / 1e9:G4} GB/s), a = {s.LatencyMicroseconds:G4} us per message; compute per node = one step on this machine (above); no overlap of compute and all-reduce"));
        o.WriteLine($"{"model",-12} {"parameters",11} {"gradient",9} {"nodes",6} {"compute",9} {"all-reduce",11} {"step",9} {"efficiency",11} {"overlap bound",14}");
        var projections = new Dictionary<string, ScalingPoint[]>();
        foreach (var c in ScaleCase.All)
        {
            var (t, bytes, n) = compute[c.Name];
            var points = Nodes.Select(p => ScalingProjection.Weak(p, t, bytes, link)).ToArray();
            projections[c.Name] = points;
            foreach (var pt in points)
                o.WriteLine(Invariant($"{(pt.Nodes == 1 ? c.Name : ""),-12} {(pt.Nodes == 1 ? n.ToString("N0", CultureInfo.InvariantCulture) : ""),11} {(pt.Nodes == 1 ? Mb(bytes) : ""),9} {pt.Nodes,6} {Ms(pt.ComputeSeconds),9} {Ms(pt.AllReduceSeconds),11} {Ms(pt.StepSeconds),9} {Percent(pt.Efficiency),11} {Percent(pt.OverlapBound),14}"));
            string half = ScalingProjection.HalfEfficiencyNodes(t, bytes, link) is int h ? $"from {h} nodes on" : "never";
            o.WriteLine($"{"",-12} the all-reduce takes longer than the compute (efficiency below 50% without overlap) {half}");
        }
        if (s.Plot is { } path)
        {
            Figure(projections, s, link).Save(path);
            o.WriteLine($"wrote {path}");
        }
    }

    private static void PrintMeasured(TextWriter o, WorkerReport w, Dictionary<string, (double Seconds, long Bytes, int Parameters)> compute)
    {
        o.WriteLine();
        o.WriteLine($"measured all-reduce (sum of floats, in place) over shared memory, {w.Processes} processes, {w.Library}:");
        o.WriteLine($"{"size",10} {"time",10} {"GB/s",8}   (algorithm bandwidth size/time; the bus bandwidth 2(p-1)/p*size/time equals it at p = 2)");
        foreach (var sz in w.Sizes)
            o.WriteLine(Invariant($"{Size(sz[0]),10} {Us(sz[1]),10} {sz[0] / sz[1] / 1e9,8:F2}"));
        var big = w.Sizes[^1];
        o.WriteLine(Invariant($"all-reduce time per byte (largest buffer): {big[1] / big[0] * 1e9:F3} ns/B, {big[0] / big[1] / 1e9:F2} GB/s"));
        o.WriteLine();
        o.WriteLine($"measured data-parallel step, {w.Processes} processes on this machine (each its own batch, kernel threads split between them):");
        o.WriteLine($"{"model",-12} {"compute",9} {"all-reduce",11} {"step",9} {"efficiency",11} {"1-process compute",18}");
        foreach (var (name, v) in w.Steps)
            o.WriteLine(Invariant($"{name,-12} {Ms(v[0]),9} {Ms(v[1] - v[0]),11} {Ms(v[1]),9} {Percent(v[0] / v[1]),11} {Ms(compute[name].Seconds),18}"));
    }

    /// <summary>Runs <see cref="ScaleWorker"/> under <c>mpirun -np 2</c>; null (with the reason printed) when
    /// mpirun is missing or the job fails.</summary>
    private static WorkerReport? MeasureTwoProcesses(TextWriter o, ScaleSettings s)
    {
        string? mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
        if (mpirun is null)
        {
            o.WriteLine("2 processes: not measured, mpirun was not found (install Open MPI: apt-get install openmpi-bin libopenmpi-dev); the projection below uses the link model only");
            return null;
        }
        var psi = new ProcessStartInfo(mpirun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-np", "2", "--oversubscribe" }) psi.ArgumentList.Add(a);
        foreach (var a in Self()) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "bench", "--scale-worker", "--batch-size", s.Batch.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        if (s.Quick) psi.ArgumentList.Add("--quick");
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"; // CI and containers run as root
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start mpirun");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); o.WriteLine("2 processes: not measured, mpirun did not finish in 10 minutes"); return null; }
        // rank 0's report is its last line holding a JSON object (a terminal may prefix control codes)
        string json = stdout.GetAwaiter().GetResult().Split('\n').Select(l => l.IndexOf('{') is int i and >= 0 ? l[i..].Trim() : "").LastOrDefault(l => l.Length > 0) ?? "";
        if (p.ExitCode != 0 || json.Length == 0)
        {
            o.WriteLine($"2 processes: not measured, mpirun failed ({p.ExitCode}): {CliErrors.OneLine(stderr.GetAwaiter().GetResult())}");
            return null;
        }
        return JsonSerializer.Deserialize<WorkerReport>(json);
    }

    /// <summary>The command line that starts this program: the apphost, or <c>dotnet Descent.Cli.dll</c>.</summary>
    private static string[] Self()
    {
        string dll = typeof(Cli).Assembly.Location;
        string? exe = Environment.ProcessPath;
        return exe is not null && !Path.GetFileNameWithoutExtension(exe).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? [exe] : ["dotnet", dll];
    }

    private static Svg Figure(Dictionary<string, ScalingPoint[]> projections, ScaleSettings s, RingAllReduce link)
    {
        var efficiency = new LineChart { Title = "efficiency (throughput per node vs one node)", XLabel = "log2(nodes): 3 = 8, 6 = 64, 9 = 512", YLabel = "efficiency" };
        var step = new LineChart { Title = "step time (ms)", XLabel = "log2(nodes): 3 = 8, 6 = 64, 9 = 512", YLabel = "ms per step", LogY = true };
        foreach (var (name, points) in projections)
        {
            efficiency.Series.Add(new Series($"{name}, no overlap", [.. points.Select(p => (Math.Log2(p.Nodes), p.Efficiency))]));
            efficiency.Series.Add(new Series($"{name}, overlap bound", [.. points.Select(p => (Math.Log2(p.Nodes), p.OverlapBound))]));
            step.Series.Add(new Series($"{name}, no overlap", [.. points.Select(p => (Math.Log2(p.Nodes), p.StepSeconds * 1e3))]));
            step.Series.Add(new Series($"{name}, overlap bound", [.. points.Select(p => (Math.Log2(p.Nodes), Math.Max(p.ComputeSeconds, p.AllReduceSeconds) * 1e3))]));
        }
        return LineChart.Figure(Invariant($"Data-parallel weak scaling, batch {s.Batch} per node: ring all-reduce over {s.Gbps:G4} Gb/s, {s.LatencyMicroseconds:G4} µs latency"), [efficiency, step], 460, 340);
    }

    private static string Percent(double x) => Invariant($"{x * 100:F0}%");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double seconds) => seconds == 0 ? "0" : seconds < 1e-3 ? Invariant($"{seconds * 1e6:F0} us") : Invariant($"{seconds * 1e3:F2} ms");

    private static string Us(double seconds) => seconds < 1e-3 ? Invariant($"{seconds * 1e6:F1} us") : Invariant($"{seconds * 1e3:F2} ms");

    private static string Mb(long bytes) => Invariant($"{bytes / 1e6:F1} MB");

    private static string Size(double bytes) => bytes >= 1 << 20 ? Invariant($"{bytes / (1 << 20):G4} MiB") : Invariant($"{bytes / 1024:G4} KiB");
}

namespace Descent.Distributed;

/// <summary>
/// The cost of one all-reduce of n bytes over p nodes joined by links of bandwidth β (bytes/s) and per-message
/// latency α, with the ring algorithm: a reduce-scatter and an all-gather, each of p − 1 steps in which every
/// node sends and receives n/p bytes, so T(p, n) = 2(p − 1)/p · n/β + 2(p − 1)·α (Patarasuk &amp; Yuan 2009,
/// "Bandwidth optimal all-reduce algorithms for clusters of workstations"; Thakur, Rabenseifner &amp; Gropp
/// 2005). The bandwidth term is at most twice the time to send the buffer once, whatever p; the latency term
/// grows linearly with p, which is what limits small models on many nodes.
/// </summary>
/// <param name="BytesPerSecond">Link bandwidth β in bytes per second (25 Gb/s = 3.125e9 B/s).</param>
/// <param name="LatencySeconds">Per-message latency α in seconds.</param>
public sealed record RingAllReduce(double BytesPerSecond, double LatencySeconds)
{
    /// <summary>A link of <paramref name="gigabitsPerSecond"/> Gb/s with <paramref name="latencyMicroseconds"/> µs per message.</summary>
    public static RingAllReduce Link(double gigabitsPerSecond, double latencyMicroseconds)
    {
        if (!(gigabitsPerSecond > 0) || double.IsInfinity(gigabitsPerSecond))
            throw new ConfigurationException($"The link bandwidth must be a positive number of Gb/s, got {gigabitsPerSecond}.");
        if (!(latencyMicroseconds >= 0) || double.IsInfinity(latencyMicroseconds))
            throw new ConfigurationException($"The link latency must be a non-negative number of µs, got {latencyMicroseconds}.");
        return new RingAllReduce(gigabitsPerSecond * 1e9 / 8, latencyMicroseconds * 1e-6);
    }

    /// <summary>T(p, n) in seconds (0 for one node).</summary>
    public double Seconds(int nodes, double bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        if (nodes == 1) return 0;
        double steps = 2.0 * (nodes - 1);
        return steps / nodes * bytes / BytesPerSecond + steps * LatencySeconds;
    }
}

/// <summary>A projected (or measured) training step on <see cref="Nodes"/> nodes.</summary>
/// <param name="Nodes">Number of nodes p.</param>
/// <param name="ComputeSeconds">Forward and backward pass of one node's batch.</param>
/// <param name="AllReduceSeconds">The gradient all-reduce.</param>
/// <param name="StepSeconds">Compute then all-reduce, without overlap.</param>
/// <param name="Efficiency">Throughput per node relative to one node: compute / step.</param>
/// <param name="OverlapBound">The efficiency if the all-reduce were hidden behind the backward pass as far as
/// possible (step = max(compute, all-reduce)): an upper bound for bucketed, overlapped reduction.</param>
public readonly record struct ScalingPoint(int Nodes, double ComputeSeconds, double AllReduceSeconds, double StepSeconds, double Efficiency, double OverlapBound);

/// <summary>
/// Weak scaling of data-parallel training: every node keeps its batch of B examples (the global batch grows to
/// p·B), computes its gradient in the time one node takes, and then the p gradients are averaged by one ring
/// all-reduce. Step time t(p) = t_compute + T_ring(p, bytes); efficiency E(p) = t_compute / t(p) (throughput
/// per node relative to one node).
/// </summary>
public static class ScalingProjection
{
    /// <summary>The projected step on <paramref name="nodes"/> nodes.</summary>
    public static ScalingPoint Weak(int nodes, double computeSeconds, double gradientBytes, RingAllReduce link)
    {
        double comm = link.Seconds(nodes, gradientBytes);
        double step = computeSeconds + comm;
        return new ScalingPoint(nodes, computeSeconds, comm, step, computeSeconds / step, computeSeconds / Math.Max(computeSeconds, comm));
    }

    /// <summary>The number of nodes at which the all-reduce takes as long as the compute (efficiency 1/2 without
    /// overlap), or null if that never happens up to <paramref name="limit"/>.</summary>
    public static int? HalfEfficiencyNodes(double computeSeconds, double gradientBytes, RingAllReduce link, int limit = 1 << 20)
    {
        for (int p = 2; p <= limit; p *= 2)
            if (link.Seconds(p, gradientBytes) >= computeSeconds) return p;
        return null;
    }
}

using Descent.Distributed;
using Descent.Tests.Cli;

namespace Descent.Tests.Distributed;

/// <summary>The ring all-reduce model T(p, n) = 2(p − 1)/p · n/β + 2(p − 1)·α and the weak-scaling projection,
/// against numbers worked out by hand; and <c>descent bench</c>'s one-line errors.</summary>
public class ScalingModelTests
{
    [Fact]
    public void RingAllReduce_MatchesTheFormulaWorkedByHand()
    {
        var link = RingAllReduce.Link(gigabitsPerSecond: 8, latencyMicroseconds: 10); // β = 1e9 B/s, α = 1e-5 s
        Assert.Equal(1e9, link.BytesPerSecond);
        Assert.Equal(0, link.Seconds(1, 1e9));
        Assert.Equal(1.0 + 2e-5, link.Seconds(2, 1e9), 12);             // 2·1/2·1 s + 2·1·10 µs
        Assert.Equal(2 * 7 / 8.0 + 14e-5, link.Seconds(8, 1e9), 12);    // 1.75 s + 14 · 10 µs
        Assert.Equal(2 * 511 / 512.0 * 0.004 + 1022e-5, link.Seconds(512, 4e6), 12);
        // the bandwidth term never exceeds twice the time to send the buffer once
        Assert.True(RingAllReduce.Link(8, 0).Seconds(1 << 20, 1e9) < 2.0);
    }

    [Fact]
    public void WeakScaling_EfficiencyIsComputeOverComputePlusAllReduce()
    {
        var link = RingAllReduce.Link(8, 0);
        var p = ScalingProjection.Weak(2, computeSeconds: 3, gradientBytes: 1e9, link); // all-reduce 1 s
        Assert.Equal((2, 3.0, 1.0, 4.0), (p.Nodes, p.ComputeSeconds, p.AllReduceSeconds, p.StepSeconds));
        Assert.Equal(0.75, p.Efficiency, 12);
        Assert.Equal(1.0, p.OverlapBound, 12);
        var slow = ScalingProjection.Weak(2, computeSeconds: 0.5, gradientBytes: 1e9, link);
        Assert.Equal(0.5, slow.OverlapBound, 12); // the all-reduce (1 s) cannot hide behind 0.5 s of compute
        Assert.Equal(2, ScalingProjection.HalfEfficiencyNodes(0.5, 1e9, link));
        Assert.Null(ScalingProjection.HalfEfficiencyNodes(10, 1e9, link, limit: 1024));
    }

    [Fact]
    public void Link_RefusesNonsense()
    {
        Assert.Throws<ConfigurationException>(() => RingAllReduce.Link(0, 5));
        Assert.Throws<ConfigurationException>(() => RingAllReduce.Link(25, -1));
    }

    [Fact]
    public void BenchScale_WithABadBatch_AndTheWorkerWithoutMpirun_AreOneLineErrors()
    {
        var r = CliRunner.Run("bench", "--scale", "--batch-size", "0");
        Assert.Equal(2, r.Code);
        Assert.Contains("--batch-size", Assert.Single(r.ErrLines));
        var w = CliRunner.Run("bench", "--scale-worker", "--quick");
        Assert.Equal(2, w.Code);
        Assert.Contains("runs under mpirun", Assert.Single(w.ErrLines));
    }
}

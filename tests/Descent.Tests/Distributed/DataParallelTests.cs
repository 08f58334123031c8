using Descent.Data;
using Descent.Distributed;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;
using Descent.Tests.Training;

namespace Descent.Tests.Distributed;

/// <summary>
/// The data-parallel objective over several ranks (threads with real collectives) equals one process on the
/// global batch, to rounding: loss, gradient and Hessian-vector products, with an L2 penalty (counted once),
/// dropout (the global batch's masks) and synchronised batch normalization; shards are disjoint and cover the
/// batch; without synchronisation, batch normalization uses each rank's shard (and so differs).
/// </summary>
public class DataParallelTests
{
    /// <summary>In double precision the only difference from one process is the order of the sums.</summary>
    private const double Tolerance = 1e-12;

    private static readonly DataSplits Data = Float64(TrainingFixtures.Blobs(96));

    internal static DataSplits Float64(DataSplits d)
    {
        static Dataset F(Dataset s) => new(s.Features.To(DType.Float64).CloneUnscoped(), s.Labels, null, 3, s.Name);
        return d with { Train = F(d.Train), Validation = F(d.Validation), Test = F(d.Test) };
    }

    /// <summary>An 8-16-3 MLP in float64 with optional batch normalization and dropout, and its objective
    /// (cross-entropy plus an L2 penalty on the weights).</summary>
    internal static Objective Model(bool batchNorm, bool dropout, ulong seed = 7)
    {
        var init = Rng.Stream(seed, "init");
        var layers = new List<Module> { new Linear(8, 16, rng: init, dtype: DType.Float64) };
        if (batchNorm) layers.Add(new BatchNorm1d(16, dtype: DType.Float64));
        layers.Add(new Tanh());
        if (dropout) layers.Add(new Dropout(0.3, Rng.Stream(seed, "dropout")));
        layers.Add(new Linear(16, 3, rng: init, dtype: DType.Float64));
        var model = new Sequential([.. layers]);
        model.Flatten();
        return new Objective(model, new CrossEntropy(), Penalty.L2(1e-3, ParameterSelector.Kind(ParameterKind.Weight)));
    }

    private static int[] Batch(int n) => Enumerable.Range(0, n).Select(i => (i * 37) % Data.Train.Count).ToArray();

    private static void SetBatch(Objective o, int[] indices)
    {
        var b = Data.Train.Batch(indices);
        o.SetBatch(b.Inputs, Targets.FromClasses(b.Labels!));
    }

    private sealed record Outcome(double F, double Loss, double[] Grad, double[] Hv);

    private static Outcome Single(int batch, bool batchNorm, bool dropout)
    {
        var o = Model(batchNorm, dropout);
        using var _ = TensorScope.Begin();
        SetBatch(o, Batch(batch));
        double f = o.Evaluate();
        var g = o.Parameters.Grads.Doubles.ToArray();
        var hv = o.HessianVectorProduct(Direction(o.Parameters.Count)).Doubles.ToArray();
        return new Outcome(f, o.LastLoss, g, hv);
    }

    private static Outcome[] Parallel(int ranks, int batch, bool batchNorm, bool dropout, bool sync) =>
        ThreadGroup.Run(ranks, comm =>
        {
            var o = Model(batchNorm, dropout);
            var dp = new DataParallel(comm, o, sync);
            using var _ = TensorScope.Begin();
            var local = dp.Shard(Batch(batch), out var shard);
            using var __ = BatchShard.Use(shard);
            SetBatch(o, local);
            double f = dp.Objective.Evaluate();
            var g = o.Parameters.Grads.Doubles.ToArray();
            var hv = dp.Objective.HessianVectorProduct(Direction(o.Parameters.Count)).Doubles.ToArray();
            return new Outcome(f, dp.Objective.LastLoss, g, hv);
        });

    private static Tensor Direction(int n)
    {
        var rng = new Rng(99);
        return Tensor.From(Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray(), n);
    }

    private static double MaxDiff(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static void AssertClose(Outcome expected, Outcome actual)
    {
        Assert.Equal(expected.F, actual.F, Tolerance);
        Assert.Equal(expected.Loss, actual.Loss, Tolerance);
        Assert.True(MaxDiff(expected.Grad, actual.Grad) < Tolerance, $"gradient differs by {MaxDiff(expected.Grad, actual.Grad):G3}");
        Assert.True(MaxDiff(expected.Hv, actual.Hv) < 1e-10, $"H·v differs by {MaxDiff(expected.Hv, actual.Hv):G3}");
    }

    [Theory]
    [InlineData(2, 32)]
    [InlineData(3, 31)] // shards of 10, 10 and 11: unequal weights
    [InlineData(4, 30)]
    public void ShardsAveraged_EqualOneProcessOnTheGlobalBatch(int ranks, int batch)
    {
        var expected = Single(batch, batchNorm: false, dropout: false);
        var results = Parallel(ranks, batch, batchNorm: false, dropout: false, sync: false);
        foreach (var r in results) AssertClose(expected, r);
        // every rank holds the same bits (the all-reduce gives every rank the same sum)
        foreach (var r in results.Skip(1)) Assert.Equal(results[0].Grad, r.Grad);
    }

    [Fact]
    public void Dropout_UsesTheGlobalBatchesMask()
    {
        var expected = Single(32, batchNorm: false, dropout: true);
        foreach (var r in Parallel(2, 32, batchNorm: false, dropout: true, sync: false)) AssertClose(expected, r);
    }

    [Theory]
    [InlineData(2, 32)]
    [InlineData(3, 31)]
    public void SynchronisedBatchNorm_EqualsOneProcess_ValueGradientAndHv(int ranks, int batch)
    {
        var expected = Single(batch, batchNorm: true, dropout: true);
        foreach (var r in Parallel(ranks, batch, batchNorm: true, dropout: true, sync: true)) AssertClose(expected, r);
    }

    [Fact]
    public void PerProcessBatchNorm_NormalizesEachShardByItself()
    {
        var expected = Single(32, batchNorm: true, dropout: false);
        var results = Parallel(2, 32, batchNorm: true, dropout: false, sync: false);
        Assert.True(MaxDiff(expected.Grad, results[0].Grad) > 1e-6, "per-process statistics should differ from the global batch's");
        Assert.Equal(results[0].Grad, results[1].Grad); // but the averaged gradient is the same on every rank
    }

    [Fact]
    public void Shards_AreDisjointContiguousAndCoverTheBatch()
    {
        foreach (int n in new[] { 1, 7, 64, 1000, 54000 })
            foreach (int p in new[] { 1, 2, 3, 8 })
            {
                if (n < p) continue;
                int next = 0;
                for (int r = 0; r < p; r++)
                {
                    var (offset, count) = DataParallel.ShardOf(n, r, p);
                    Assert.Equal(next, offset);
                    Assert.InRange(count, n / p, n / p + 1);
                    next = offset + count;
                }
                Assert.Equal(n, next);
            }
    }

    [Fact]
    public void BatchesSmallerThanTheProcessCount_AreRefusedUpFront()
    {
        var ok = new ShuffledSampler(count: 100, batchSize: 32, seed: 1); // last batch 4
        DataParallel.CheckBatches(ok, 0, 3, 4);
        var e = Assert.Throws<ConfigurationException>(() => DataParallel.CheckBatches(ok, 0, 3, 5));
        Assert.Contains("batch of 4", e.Message);
        Assert.Contains("--batch-size", e.Message);
    }
}

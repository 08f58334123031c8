using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class BatchNormTests
{
    private static readonly double[] Means = [2, -1, 0.5];
    private static readonly double[] Stds = [0.5, 3, 1];

    /// <summary>A batch [n, 3] whose channel c is N(Means[c], Stds[c]²).</summary>
    private static Tensor Batch(Rng rng, int n)
    {
        var x = Tensor.Empty(new Shape(n, 3), DType.Float64);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) x[i, c] = Means[c] + Stds[c] * rng.NextNormal();
        return x;
    }

    private static double ColumnMean(Tensor y, int c) => Enumerable.Range(0, y.Shape[0]).Average(i => y[i, c]);

    private static double ColumnVar(Tensor y, int c)
    {
        double m = ColumnMean(y, c);
        return Enumerable.Range(0, y.Shape[0]).Average(i => (y[i, c] - m) * (y[i, c] - m));
    }

    [Fact]
    public void TrainingNormalizesWithBatchStatistics()
    {
        var bn = new BatchNorm1d(3, dtype: DType.Float64);
        var y = bn.Forward(Batch(new Rng(1), 50));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0, ColumnMean(y, c), 10);
            // Biased variance with ε = 1e-5 in the denominator: slightly below 1.
            Assert.InRange(ColumnVar(y, c), 1 - 1e-4, 1);
        }
    }

    [Fact]
    public void RunningStatisticsConvergeAndEvalUsesThem()
    {
        var bn = new BatchNorm1d(3, dtype: DType.Float64);
        var rng = new Rng(2);
        for (int step = 0; step < 300; step++) bn.Forward(Batch(rng, 64));
        Assert.Equal(300, bn.BatchesTracked);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(Means[c], bn.RunningMean[c], 0.1 * Stds[c]);
            Assert.Equal(Stds[c] * Stds[c], bn.RunningVar![c], 0.15 * Stds[c] * Stds[c]);
        }

        var x = Batch(rng, 8);
        var train = bn.Forward(x);
        bn.Eval();
        var eval = bn.Forward(x);
        Assert.NotEqual(train.ToDoubleArray(), eval.ToDoubleArray());
        for (int i = 0; i < 8; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((x[i, c] - bn.RunningMean[c]) / Math.Sqrt(bn.RunningVar![c] + 1e-5), eval[i, c], 12);
        // Evaluation leaves the statistics alone.
        var before = bn.RunningMean.ToDoubleArray();
        bn.Forward(x);
        Assert.Equal(before, bn.RunningMean.ToDoubleArray());
    }

    [Fact]
    public void RunningVarianceIsUnbiasedAndMomentumWeightsTheNewBatch()
    {
        var bn = new BatchNorm1d(3, momentum: 1.0, dtype: DType.Float64);
        var x = Batch(new Rng(3), 5);
        bn.Forward(x);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(ColumnMean(x, c), bn.RunningMean[c], 12);
            Assert.Equal(ColumnVar(x, c) * 5 / 4, bn.RunningVar![c], 12);
        }

        var ema = new BatchNorm1d(3, dtype: DType.Float64);
        ema.Forward(x);
        for (int c = 0; c < 3; c++) Assert.Equal(0.1 * ColumnMean(x, c), ema.RunningMean[c], 12);
    }

    [Fact]
    public void CumulativeAverageWithoutMomentum()
    {
        var bn = new BatchNorm1d(3, momentum: null, dtype: DType.Float64);
        var rng = new Rng(4);
        var batches = Enumerable.Range(0, 4).Select(_ => Batch(rng, 6)).ToArray();
        foreach (var b in batches) bn.Forward(b);
        for (int c = 0; c < 3; c++)
            Assert.Equal(batches.Average(b => ColumnMean(b, c)), bn.RunningMean[c], 12);
    }

    [Fact]
    public void MeanOnlyCentersButKeepsTheVariance()
    {
        var bn = new BatchNorm1d(3, meanOnly: true, dtype: DType.Float64);
        Assert.Null(bn.Scale);
        Assert.NotNull(bn.Shift);
        Assert.Null(bn.RunningVar);
        var x = Batch(new Rng(5), 40);
        var y = bn.Forward(x);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0, ColumnMean(y, c), 10);
            Assert.Equal(ColumnVar(x, c), ColumnVar(y, c), 10);
        }
        bn.Eval();
        var e = bn.Forward(x);
        Assert.Equal(x[0, 1] - bn.RunningMean[1], e[0, 1], 12);
    }

    [Fact]
    public void BatchNorm2dNormalizesPerChannelOverBatchAndSpace()
    {
        var bn = new BatchNorm2d(2, dtype: DType.Float64);
        var x = Tensor.Randn(new Shape(3, 2, 4, 5), new Rng(6), 3, 2, DType.Float64);
        var y = bn.Forward(x);
        var mean = y.Mean([0, 2, 3]).ToDoubleArray();
        var variance = y.Var([0, 2, 3]).ToDoubleArray();
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(0, mean[c], 10);
            Assert.InRange(variance[c], 1 - 1e-4, 1);
        }
    }

    [Fact]
    public void ScaleAndShiftAreLearnedParametersWithTheirKinds()
    {
        var bn = new BatchNorm1d(4);
        var named = bn.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Equal(ParameterKind.NormScale, named["weight"].Kind);
        Assert.Equal(ParameterKind.NormShift, named["bias"].Kind);
        Assert.All(named["weight"].ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(b => b.Name).ToArray());
    }

    [Fact]
    public void RejectsWrongShapes()
    {
        Assert.Throws<ShapeException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(new Shape(4, 2))));
        Assert.Throws<ShapeException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(new Shape(4, 3))));
        Assert.Throws<ShapeException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(new Shape(1, 3))));
    }
}

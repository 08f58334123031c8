using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>Softmax, LogSoftmax and LogSumExp values: against the textbook formula, for extreme logits,
/// and for rows of −∞.</summary>
public class SoftmaxTests
{
    public static TheoryData<int> Axes() => new() { 0, 1, 2 };

    [Theory, MemberData(nameof(Axes))]
    public void MatchesTheFormulaAlongEachAxis(int axis)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            double tol = dtype == DType.Float64 ? 1e-14 : 1e-6;
            var x = Tensor.Randn(new Shape(2, 3, 4), new Rng(9), dtype: dtype);
            var s = x.Softmax(axis);
            var ls = x.LogSoftmax(axis);
            var lse = x.LogSumExp(axis, keepDim: true);
            Assert.Equal(x.Shape, s.Shape);
            var dims = x.Shape.ToArray();
            var at = new int[3];
            for (int i = 0; i < x.Size; i++)
            {
                int rem = i;
                for (int d = 2; d >= 0; d--) { at[d] = rem % dims[d]; rem /= dims[d]; }
                double denom = 0;
                var other = (int[])at.Clone();
                for (int l = 0; l < dims[axis]; l++) { other[axis] = l; denom += Math.Exp(x[other]); }
                Assert.Equal(Math.Exp(x[at]) / denom, s[at], tol);
                Assert.Equal(x[at] - Math.Log(denom), ls[at], tol * 10);
                var kept = (int[])at.Clone();
                kept[axis] = 0;
                Assert.Equal(Math.Log(denom), lse[kept], tol * 10);
            }
        }
    }

    [Fact]
    public void RowsSumToOne()
    {
        var s = Tensor.Randn(new Shape(5, 7), new Rng(2), std: 5).Softmax(1);
        var sums = s.Sum(1).ToArray();
        foreach (var v in sums) Assert.Equal(1.0, v, 1e-6);
        var colSums = Tensor.Randn(new Shape(5, 7), new Rng(2), std: 5).Softmax(0).Sum(0).ToArray();
        foreach (var v in colSums) Assert.Equal(1.0, v, 1e-6);
    }

    [Fact]
    public void StableForHugeLogits()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var x = Tensor.From([1000.0, 1000, 999, -1000, -1000, -1001], 2, 3).To(dtype);
            var s = x.Softmax(1).ToDoubleArray();
            double e = Math.Exp(-1), z = 2 + e;
            double[] expected = [1 / z, 1 / z, e / z, 1 / z, 1 / z, e / z];
            for (int i = 0; i < 6; i++) Assert.Equal(expected[i], s[i], 1e-6);
            var ls = x.LogSoftmax(1).ToDoubleArray();
            Assert.Equal(-Math.Log(z), ls[0], 1e-5);
            Assert.Equal(-1 - Math.Log(z), ls[5], 1e-5);
            var lse = x.LogSumExp(1).ToDoubleArray();
            Assert.Equal(1000 + Math.Log(z), lse[0], 1e-3);
            Assert.Equal(-1000 + Math.Log(z), lse[1], 1e-3);
            Assert.True(x.Softmax(0).AllFinite());
        }
    }

    [Fact]
    public void LogSumExpOfRowsOfMinusInfinityIsMinusInfinity()
    {
        double ninf = double.NegativeInfinity;
        var x = Tensor.From([ninf, ninf, 0.0, Math.Log(3)], 2, 2);
        var lse = x.LogSumExp(1).ToDoubleArray();
        Assert.Equal(ninf, lse[0]);
        Assert.Equal(Math.Log(4), lse[1], 14);
        var partial = Tensor.From([ninf, 2.0]).LogSumExp();
        Assert.Equal(2.0, partial.Item(), 14);
        var s = Tensor.From([ninf, 0.0, 0.0]).Softmax();
        Assert.Equal(new double[] { 0, 0.5, 0.5 }, s.ToDoubleArray());
    }

    [Fact]
    public void GradientOfLogSumExpAlongAnAxisIsTheSoftmax()
    {
        var x = Tensor.Randn(new Shape(3, 4), new Rng(1), dtype: DType.Float64).RequireGrad();
        x.LogSumExp(0).Sum().Backward();
        var g = x.Grad!.ToDoubleArray();
        var s = x.Detach().Softmax(0).ToDoubleArray();
        for (int i = 0; i < g.Length; i++) Assert.Equal(s[i], g[i], 14);
    }
}

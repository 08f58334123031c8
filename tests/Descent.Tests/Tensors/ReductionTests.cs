using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>Reductions compared with plain loops and known numbers.</summary>
public class ReductionTests
{
    private static Tensor Sample(Rng rng, DType dtype, params int[] shape) => Tensor.Randn(shape, rng, dtype: dtype);

    /// <summary>Reduces a [d0, d1, d2] array over the axes marked true with a fold, by explicit loops.</summary>
    private static double[] Loop(double[] x, int[] dims, bool[] reduce, Func<double, double, double> fold, double init)
    {
        var outDims = dims.Select((d, i) => reduce[i] ? 1 : d).ToArray();
        var o = Enumerable.Repeat(init, outDims.Aggregate(1, (p, d) => p * d)).ToArray();
        for (int i = 0; i < dims[0]; i++)
            for (int j = 0; j < dims[1]; j++)
                for (int k = 0; k < dims[2]; k++)
                {
                    int oi = reduce[0] ? 0 : i, oj = reduce[1] ? 0 : j, ok = reduce[2] ? 0 : k;
                    int at = (oi * outDims[1] + oj) * outDims[2] + ok;
                    o[at] = fold(o[at], x[(i * dims[1] + j) * dims[2] + k]);
                }
        return o;
    }

    public static TheoryData<int[]> AxisSets() => new() { new[] { 0 }, new[] { 1 }, new[] { 2 }, new[] { 0, 1 }, new[] { 0, 2 }, new[] { 1, 2 }, new[] { 0, 1, 2 }, new[] { 2, 0 } };

    [Theory, MemberData(nameof(AxisSets))]
    public void SumMeanMaxMinMatchLoops(int[] axes)
    {
        int[] dims = [3, 5, 7];
        var reduce = new bool[3];
        foreach (var a in axes) reduce[a] = true;
        int count = axes.Distinct().Aggregate(1, (p, a) => p * dims[a]);
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            double tol = dtype == DType.Float64 ? 1e-12 : 1e-4;
            var x = Sample(new Rng(3), dtype, dims);
            var v = x.ToDoubleArray();
            var sum = Loop(v, dims, reduce, (s, e) => s + e, 0);
            var max = Loop(v, dims, reduce, Math.Max, double.NegativeInfinity);
            var min = Loop(v, dims, reduce, Math.Min, double.PositiveInfinity);
            var keptShape = new Shape(dims.Select((d, i) => reduce[i] ? 1 : d).ToArray());
            var dropShape = new Shape(dims.Where((_, i) => !reduce[i]).ToArray());

            Assert.Equal(keptShape, x.Sum(axes, keepDim: true).Shape);
            Assert.Equal(dropShape, x.Sum(axes).Shape);
            AssertClose(sum, x.Sum(axes).ToDoubleArray(), tol);
            AssertClose(sum.Select(s => s / count).ToArray(), x.Mean(axes, keepDim: true).ToDoubleArray(), tol);
            AssertClose(max, x.Max(axes).ToDoubleArray(), 0);
            Assert.Equal(keptShape, x.Max(axes, keepDim: true).Shape);
            AssertClose(min, x.Min(axes).ToDoubleArray(), 0);
            Assert.Equal(keptShape, x.Min(axes, keepDim: true).Shape);
            if (axes.Length == 1)
                AssertClose(min, x.Min(axes[0]).ToDoubleArray(), 0);
        }
    }

    private static void AssertClose(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], tol);
    }

    [Fact]
    public void AllReductionsGiveScalars()
    {
        var x = Tensor.From([1.0, -2, 3, 4, 5, -6], 2, 3);
        Assert.Equal(Shape.Scalar, x.Sum().Shape);
        Assert.Equal(5.0, x.Sum().Item());
        Assert.Equal(5.0 / 6, x.Mean().Item(), 14);
        Assert.Equal(5.0, x.Max().Item());
        Assert.Equal(-6.0, x.Min().Item());
        Assert.Equal(new double[] { 5, 3, -3 }, x.Sum(0).ToDoubleArray());
        Assert.Equal(new double[] { 2, 3 }, x.Sum(-1).ToDoubleArray());
        Assert.Equal(new Shape(2, 1), x.Sum(1, keepDim: true).Shape);
    }

    [Fact]
    public void VarianceBiasedAndUnbiased()
    {
        var x = Tensor.From([2.0, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(4.0, x.Var().Item(), 14);                       // mean 5, Σ(x−5)² = 32, /8
        Assert.Equal(32.0 / 7, x.Var(unbiased: true).Item(), 14);
        var m = Tensor.From([1.0, 2, 3, 10, 20, 30], 2, 3);
        AssertClose([2.0 / 3, 200.0 / 3], m.Var(1).ToDoubleArray(), 1e-12);
        AssertClose([1, 100], m.Var(1, unbiased: true).ToDoubleArray(), 1e-12);
        Assert.Equal(new double[] { 20.25, 81, 182.25 }, m.Var(0).ToDoubleArray());
        Assert.Equal(new Shape(1, 3), m.Var(0, keepDim: true).Shape);
        Assert.Equal(2.0, x.Std().Item(), 14);
        Assert.Equal(Math.Sqrt(32.0 / 7), x.Std(unbiased: true).Item(), 14);
        AssertClose([1, 10], m.Std(1, unbiased: true).ToDoubleArray(), 1e-12);
        AssertClose([4.5, 9, 13.5], m.Std([0], keepDim: true).ToDoubleArray(), 1e-12);
    }

    [Fact]
    public void ArgMaxTiesGiveTheFirstIndex()
    {
        // Along rows (contiguous) and along columns (strided): ties resolve to the first index.
        var rows = Tensor.From([1.0, 3, 3, 2, 5, 5, 5, 0, -1, -1, -1, -1], 3, 4);
        var cols = Tensor.From([5.0, 1, 7, 5, 2, 7, 0, 2, 7], 3, 3);
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            Assert.Equal(new[] { 1, 0, 0 }, rows.To(dtype).ArgMax(1));
            Assert.Equal(new[] { 0, 1, 0 }, cols.To(dtype).ArgMax(0));
            Assert.Equal(new[] { 0, 0, 0 }, Tensor.Zeros(new Shape(3, 40), dtype).ArgMax(1));
            Assert.Equal(new[] { 0, 0 }, Tensor.Zeros(new Shape(5, 2), dtype).ArgMax(0));
        }
    }

    [Fact]
    public void ArgMaxOfA3DTensorAlongTheMiddleAxis()
    {
        var x = Tensor.Randn(new Shape(2, 5, 3), new Rng(4), dtype: DType.Float64);
        var am = x.ArgMax(1);
        Assert.Equal(6, am.Length);
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 3; k++)
            {
                int best = 0;
                for (int j = 1; j < 5; j++) if (x[i, j, k] > x[i, best, k]) best = j;
                Assert.Equal(best, am[i * 3 + k]);
            }
    }

    [Fact]
    public void MaxPropagatesNaN()
    {
        var x = Tensor.From([1.0, double.NaN, 3]);
        Assert.True(double.IsNaN(x.Max().Item()));
    }

    [Fact]
    public void BadAxisNamesTheShape()
    {
        var x = Tensor.Zeros(new Shape(2, 3));
        var ex = Assert.Throws<ShapeException>(() => x.Sum(2));
        Assert.Contains("[2, 3]", ex.Message);
    }
}

using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>Values of the shape ops compared with index loops, views versus copies, and errors.</summary>
public class ShapeOpsTests
{
    private static Tensor Iota(params int[] shape)
    {
        var t = Tensor.Empty(shape, DType.Float64);
        for (int i = 0; i < t.Size; i++) t.SetRaw(i, i);
        return t;
    }

    [Fact]
    public void PermuteOfA4DTensorMatchesLoops()
    {
        var x = Iota(2, 3, 4, 5);
        foreach (int[] perm in new[] { new[] { 3, 1, 0, 2 }, new[] { 0, 2, 1, 3 }, new[] { 1, 0, 3, 2 }, new[] { 3, 2, 1, 0 } })
        {
            var y = x.Permute(perm);
            Assert.Equal(new Shape(perm.Select(p => x.Shape[p]).ToArray()), y.Shape);
            var idx = new int[4];
            for (int a = 0; a < y.Shape[0]; a++)
                for (int b = 0; b < y.Shape[1]; b++)
                    for (int c = 0; c < y.Shape[2]; c++)
                        for (int d = 0; d < y.Shape[3]; d++)
                        {
                            idx[perm[0]] = a; idx[perm[1]] = b; idx[perm[2]] = c; idx[perm[3]] = d;
                            Assert.Equal(x[idx], y[a, b, c, d]);
                        }
        }
    }

    [Fact]
    public void PermuteWithNegativeAxesAndFloats()
    {
        var x = Iota(2, 3, 4).To(DType.Float32);
        var y = x.Permute(-1, 0, 1);
        Assert.Equal(new Shape(4, 2, 3), y.Shape);
        Assert.Equal(x[1, 2, 3], y[3, 1, 2]);
    }

    [Fact]
    public void TransposeOfALargeMatrixMatchesLoops()
    {
        var x = Iota(37, 70);
        var t = x.T();
        for (int i = 0; i < 37; i++)
            for (int j = 0; j < 70; j++)
                Assert.Equal(x[i, j], t[j, i]);
        var x3 = Iota(2, 3, 4);
        Assert.Equal(x3[1, 2, 3], x3.Transpose(0, 2)[3, 2, 1]);
    }

    [Fact]
    public void NarrowOnAnInnerAxisCopiesTheRightElements()
    {
        var x = Iota(2, 5, 3);
        var y = x.Narrow(1, 1, 3);
        Assert.Equal(new Shape(2, 3, 3), y.Shape);
        Assert.False(y.SharesStorageWith(x));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++)
                    Assert.Equal(x[i, j + 1, k], y[i, j, k]);
        var last = x.Narrow(-1, 2, 1);
        Assert.Equal(new Shape(2, 5, 1), last.Shape);
        Assert.Equal(x[1, 4, 2], last[1, 4, 0]);
    }

    [Fact]
    public void NarrowOnTheFirstAxisIsAView()
    {
        var x = Iota(4, 3);
        var rows = x.Rows(1, 2);
        Assert.True(rows.SharesStorageWith(x));
        Assert.Equal(new double[] { 3, 4, 5, 6, 7, 8 }, rows.ToDoubleArray());
        x[2, 0] = 100;
        Assert.Equal(100, rows[1, 0]);
        Assert.Equal(new double[] { 7, 8 }, rows.Narrow(1, 1, 2).Rows(1, 1).ToDoubleArray());
    }

    [Fact]
    public void CatAlongAxis1()
    {
        var a = Tensor.From([1.0, 2, 3, 4], 2, 2);
        var b = Tensor.From([5.0, 6], 2, 1);
        var c = Tensor.From([7.0, 8, 9, 10, 11, 12], 2, 3);
        var o = Tensor.Cat([a, b, c], 1);
        Assert.Equal(new Shape(2, 6), o.Shape);
        Assert.Equal(new double[] { 1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12 }, o.ToDoubleArray());
        Assert.Equal(new double[] { 1, 2, 3, 4, 1, 2, 3, 4 }, Tensor.Cat([a, a]).ToDoubleArray());
    }

    [Fact]
    public void CatOfMismatchedShapesNamesBoth()
    {
        var ex = Assert.Throws<ShapeException>(() => Tensor.Cat([Tensor.Zeros(new Shape(2, 3)), Tensor.Zeros(new Shape(3, 3))], 1));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 3]", ex.Message);
    }

    [Fact]
    public void StackMakesANewAxis()
    {
        var a = Tensor.From([1.0, 2, 3]);
        var b = Tensor.From([4.0, 5, 6]);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, Tensor.Stack([a, b]).ToDoubleArray());
        var s1 = Tensor.Stack([a, b], 1);
        Assert.Equal(new Shape(3, 2), s1.Shape);
        Assert.Equal(new double[] { 1, 4, 2, 5, 3, 6 }, s1.ToDoubleArray());
        Assert.Equal(new Shape(3, 2), Tensor.Stack([a, b], -1).Shape);
    }

    [Fact]
    public void ReshapeFlattenSqueezeUnsqueeze()
    {
        var x = Iota(2, 3, 4);
        var r = x.Reshape(4, -1);
        Assert.Equal(new Shape(4, 6), r.Shape);
        Assert.True(r.SharesStorageWith(x));
        Assert.Equal(new Shape(2, 12), x.Flatten().Shape);
        Assert.Equal(new Shape(24), x.Flatten(0).Shape);
        Assert.Equal(new Shape(2, 3, 4), x.Flatten(2).Shape);
        Assert.Equal(new Shape(2, 1, 3, 4), x.Unsqueeze(1).Shape);
        Assert.Equal(new Shape(2, 3, 4, 1), x.Unsqueeze(-1).Shape);
        Assert.Equal(new Shape(2, 3, 4), x.Unsqueeze(1).Squeeze(1).Shape);
        Assert.Equal(x.ToDoubleArray(), r.ToDoubleArray());
    }

    [Fact]
    public void ShapeErrorsNameTheShape()
    {
        var x = Iota(3, 4);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => x.Reshape(5, -1)).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => x.Reshape(5, 2)).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => x.Squeeze(0)).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => x.Permute(0, 0)).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => x.Narrow(1, 2, 3)).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => x.Transpose(0, 2)).Message);
        Assert.Contains("[2, 3, 4]", Assert.Throws<ShapeException>(() => Iota(2, 3, 4).T()).Message);
    }

    [Fact]
    public void MatMulShapeErrorsNameBothShapes()
    {
        var ex = Assert.Throws<ShapeException>(() => Tensor.MatMul(Iota(3, 4), Iota(3, 4)));
        Assert.Contains("[3, 4]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => Tensor.MatMul(Iota(2, 3, 4), Iota(3, 4, 5)));
        Assert.Contains("[2, 3, 4]", ex.Message);
        Assert.Contains("[3, 4, 5]", ex.Message);
    }

    [Theory]
    [InlineData(DType.Float32, 1)]
    [InlineData(DType.Float32, 2)]
    [InlineData(DType.Float64, 2)]
    public void IndexRowsOfALargeBatchCopiesEveryPickedRow(DType dtype, int threads)
    {
        // large enough for the gather to prefetch ahead and split the rows between threads; repeated and
        // boundary indices included
        int rows = 3000, inner = 97;
        var x = Tensor.Empty(new Shape(rows, inner), dtype);
        for (int i = 0; i < x.Size; i++) x.SetRaw(i, i);
        var rng = new Random(5);
        int[] idx = [.. Enumerable.Range(0, 517).Select(_ => rng.Next(rows)), 0, rows - 1, 7, 7];
        using var _ = Descent.Tensors.Kernels.KernelThreads.Limit(threads);
        var got = x.IndexRows(idx);
        Assert.Equal(new[] { idx.Length, inner }, got.Shape.ToArray());
        for (int r = 0; r < idx.Length; r++)
            for (int c = 0; c < inner; c += 13)
                Assert.Equal((double)idx[r] * inner + c, got.GetRaw(r * inner + c));
    }

    [Fact]
    public void IndexRowsAndScatterGather()
    {
        var x = Iota(4, 2);
        Assert.Equal(new double[] { 4, 5, 0, 1, 4, 5 }, x.IndexRows([2, 0, 2]).ToDoubleArray());
        var added = Tensor.From([1.0, 1, 2, 2, 3, 3], 3, 2).IndexAddRows([2, 0, 2], 4);
        Assert.Equal(new double[] { 2, 2, 0, 0, 4, 4, 0, 0 }, added.ToDoubleArray());
        var m = Iota(3, 4);
        Assert.Equal(new double[] { 1, 4, 11 }, m.GatherColumns([1, 0, 3]).ToDoubleArray());
        var s = Tensor.From([7.0, 8]).ScatterColumns([2, 0], 3);
        Assert.Equal(new double[] { 0, 0, 7, 8, 0, 0 }, s.ToDoubleArray());
        Assert.Contains("[4, 2]", Assert.Throws<ShapeException>(() => x.IndexRows([4])).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ShapeException>(() => m.GatherColumns([1, 2])).Message);
    }

    [Fact]
    public void OneHotAndConversion()
    {
        var oh = Tensor.OneHot([2, 0], 3);
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0 }, oh.ToArray());
        var d = Tensor.From([1.5f, -2.25f]).To(DType.Float64);
        Assert.Equal(DType.Float64, d.DType);
        Assert.Equal(new double[] { 1.5, -2.25 }, d.Doubles.ToArray());
        var f = Tensor.From([0.1]).To(DType.Float32);
        Assert.Equal(0.1f, f.Floats[0]);
        Assert.Same(f, f.To(DType.Float32));
    }
}

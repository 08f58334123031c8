using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors;

/// <summary>Element-wise binary ops and broadcasting compared with a plain multi-index loop, and the
/// errors for incompatible shapes and dtypes.</summary>
public class BroadcastTests
{
    private static readonly (int[] A, int[] B, int[] Out)[] Patterns =
    [
        ([3, 4], [3, 4], [3, 4]),
        ([3, 4], [4], [3, 4]),
        ([3, 1], [1, 4], [3, 4]),
        ([2, 3, 4], [3, 1], [2, 3, 4]),
        ([3, 4], [], [3, 4]),
        ([], [3, 4], [3, 4]),
        ([3, 4], [1], [3, 4]),
        ([4], [2, 3, 4], [2, 3, 4]),
        ([2, 1, 4], [3, 1], [2, 3, 4]),
        ([2, 1, 3, 1], [1, 4, 1, 5], [2, 4, 3, 5]),
        ([1, 1], [5], [1, 5]),
        ([5, 1, 1], [1, 1], [5, 1, 1]),
        ([1, 3, 1], [2, 1, 40], [2, 3, 40]),
        ([5, 37], [37], [5, 37]),        // a row vector on every row: whole vectors and a tail
        ([37], [5, 37], [5, 37]),        // the same with the row first (order matters for Sub, Div, Pow)
        ([6, 64], [1, 64], [6, 64]),
    ];

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        for (int p = 0; p < Patterns.Length; p++)
            foreach (var op in Enum.GetNames<BinaryOp>())
                data.Add(p, op);
        return data;
    }

    /// <summary>out[i] = op(a[i mapped], b[i mapped]) by explicit index arithmetic.</summary>
    private static double[] Reference(BinaryOp op, double[] a, int[] aShape, double[] b, int[] bShape, int[] outShape)
    {
        int size = outShape.Aggregate(1, (p, d) => p * d);
        var o = new double[size];
        var idx = new int[outShape.Length];
        for (int flat = 0; flat < size; flat++)
        {
            int rem = flat;
            for (int d = outShape.Length - 1; d >= 0; d--) { idx[d] = rem % outShape[d]; rem /= outShape[d]; }
            o[flat] = BinaryKernels.Scalar(op, a[Map(idx, aShape)], b[Map(idx, bShape)]);
        }
        return o;
    }

    private static int Map(int[] outIdx, int[] shape)
    {
        int off = outIdx.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : outIdx[d + off]);
        return flat;
    }

    private static Tensor Sample(int[] shape, Rng rng, DType dtype)
    {
        // Small integers make ties (for Eq, Max, …) frequent and every op exact; positive for Pow.
        var t = Tensor.Empty(shape, dtype);
        for (int i = 0; i < t.Size; i++) t.SetRaw(i, 1 + rng.NextInt(4));
        return t;
    }

    [Theory, MemberData(nameof(Cases))]
    public void BinaryOpMatchesTheIndexLoop(int pattern, string opName)
    {
        var op = Enum.Parse<BinaryOp>(opName);
        var (aShape, bShape, outShape) = Patterns[pattern];
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var rng = new Rng((ulong)(pattern * 100 + (int)op));
            var a = Sample(aShape, rng, dtype);
            var b = Sample(bShape, rng, dtype);
            var o = Tensor.BinaryRaw(op, a, b, opName);
            Assert.Equal(new Shape(outShape), o.Shape);
            var expected = Reference(op, a.ToDoubleArray(), aShape, b.ToDoubleArray(), bShape, outShape);
            var actual = o.ToDoubleArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], actual[i], dtype == DType.Float64 ? 1e-14 : 1e-5);
        }
    }

    [Fact]
    public void OperatorsMatchKnownNumbers()
    {
        var a = Tensor.From([1.0, 2, 3, 4, 5, 6], 2, 3);
        var row = Tensor.From([10.0, 20, 30]);
        var col = Tensor.From([1.0, -1], 2, 1);
        Assert.Equal(new double[] { 11, 22, 33, 14, 25, 36 }, (a + row).ToDoubleArray());
        Assert.Equal(new double[] { 1, 2, 3, -4, -5, -6 }, (a * col).ToDoubleArray());
        Assert.Equal(new double[] { 9, 18, 27, 6, 15, 24 }, (row - a).ToDoubleArray());
        Assert.Equal(new double[] { 0.5, 1, 1.5, 2, 2.5, 3 }, (a / 2).ToDoubleArray());
        Assert.Equal(new double[] { 12, 6, 4, 3, 2.4, 2 }, (12 / a).ToDoubleArray());
        Assert.Equal(new double[] { 1, 4, 9, 16, 25, 36 }, a.Square().ToDoubleArray());
        Assert.Equal(new double[] { 1, 0, -1, -2, -3, -4 }, (2 - a).ToDoubleArray());
        Assert.Equal(new double[] { 3, 3, 3, 4, 5, 6 }, a.Maximum(3).ToDoubleArray());
        Assert.Equal(new double[] { 0, 0, 1, 0, 0, 0 }, a.Eq(3).ToDoubleArray());
    }

    [Fact]
    public void BroadcastingFloatTensorsMatchesDoubleResults()
    {
        var rng = new Rng(5);
        var a = Tensor.Randn(new Shape(4, 1, 33), rng);
        var b = Tensor.Randn(new Shape(3, 1), rng);
        var f = (a * b + b).ToDoubleArray();
        var d = (a.To(DType.Float64) * b.To(DType.Float64) + b.To(DType.Float64)).ToDoubleArray();
        for (int i = 0; i < f.Length; i++) Assert.Equal(d[i], f[i], 1e-5);
    }

    [Fact]
    public void EmptyTensorsBroadcast()
    {
        Assert.Equal(new Shape(3, 0), (Tensor.Zeros(new Shape(3, 0)) + Tensor.Zeros(new Shape(1, 0))).Shape);
        Assert.Equal(new Shape(0, 4), (Tensor.Zeros(new Shape(0, 4)) * Tensor.Ones(new Shape(4))).Shape);
        Assert.Equal(new Shape(2, 0, 3), (Tensor.Zeros(new Shape(2, 1, 3)) - Tensor.Zeros(new Shape(0, 1))).Shape);
        Assert.Equal(new Shape(3, 0), Tensor.Ones(new Shape(3, 1)).BroadcastTo(new Shape(3, 0)).Shape);
    }

    [Fact]
    public void IncompatibleShapesNameBothShapes()
    {
        var a = Tensor.Zeros(new Shape(3, 4));
        var b = Tensor.Zeros(new Shape(2, 4));
        var ex = Assert.Throws<ShapeException>(() => a + b);
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
        ex = Assert.Throws<ShapeException>(() => a * Tensor.Zeros(new Shape(3)));
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[3]", ex.Message);
    }

    [Fact]
    public void DTypeMismatchIsAnError()
    {
        var a = Tensor.Zeros(new Shape(2), DType.Float32);
        var b = Tensor.Zeros(new Shape(2), DType.Float64);
        var ex = Assert.Throws<DescentException>(() => a + b);
        Assert.Contains("float32", ex.Message);
        Assert.Contains("float64", ex.Message);
        Assert.Contains("To(", ex.Message);
        Assert.Throws<DescentException>(() => Tensor.MatMul(Tensor.Zeros(new Shape(2, 2)), Tensor.Zeros(new Shape(2, 2), DType.Float64)));
    }

    [Fact]
    public void BroadcastToAndSumToAreAdjoint()
    {
        var x = Tensor.From([1.0, 2, 3], 3, 1);
        var b = x.BroadcastTo(new Shape(2, 3, 4));
        Assert.Equal(new Shape(2, 3, 4), b.Shape);
        Assert.Equal(2.0, b[1, 1, 3]);
        Assert.Equal(new double[] { 8, 16, 24 }, b.SumTo(new Shape(3, 1)).ToDoubleArray());
        Assert.Equal(48.0, b.SumTo(Shape.Scalar).Item());
        var ex = Assert.Throws<ShapeException>(() => x.BroadcastTo(new Shape(2, 4)));
        Assert.Contains("[3, 1]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void WhereSelectsWithBroadcasting()
    {
        var x = Tensor.From([-2.0, -1, 0, 1, 2, 3], 2, 3);
        var lim = Tensor.From([0.5, 1.5], 2, 1);
        var w = Tensor.Where(x.Gt(lim), x, Tensor.Scalar(-9, DType.Float64));
        Assert.Equal(new double[] { -9, -9, -9, -9, 2, 3 }, w.ToDoubleArray());
        // A float mask selects between double tensors; the branch not taken may be infinite or NaN.
        var mask = Tensor.From([1f, 0f, 1f]);
        var a = Tensor.From([1.0, double.PositiveInfinity, 3]).RequireGrad();
        var b = Tensor.From([double.NaN, 20, 30]).RequireGrad();
        var y = Tensor.Where(mask, a, b);
        Assert.Equal(new double[] { 1, 20, 3 }, y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal(new double[] { 1, 0, 1 }, a.Grad!.ToDoubleArray());
        Assert.Equal(new double[] { 0, 1, 0 }, b.Grad!.ToDoubleArray());
        var ex = Assert.Throws<ShapeException>(() => Tensor.Where(Tensor.Ones(new Shape(3)), Tensor.Ones(new Shape(2, 4)), Tensor.Ones(new Shape(4))));
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void ComparisonsGiveMasks()
    {
        var a = Tensor.From([1.0, 2, 3]);
        var b = Tensor.From([2.0, 2, 2]);
        Assert.Equal(new double[] { 0, 0, 1 }, a.Gt(b).ToDoubleArray());
        Assert.Equal(new double[] { 0, 1, 1 }, a.Ge(b).ToDoubleArray());
        Assert.Equal(new double[] { 1, 0, 0 }, a.Lt(b).ToDoubleArray());
        Assert.Equal(new double[] { 1, 1, 0 }, a.Le(b).ToDoubleArray());
        Assert.Equal(new double[] { 0, 1, 0 }, a.Eq(b).ToDoubleArray());
        Assert.False(a.RequireGrad().Gt(b).RequiresGrad);
    }
}

using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>Creating tensors, reading their data, copies versus views, and conversions.</summary>
public class TensorCreationTests
{
    [Fact]
    public void FilledTensors()
    {
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0 }, Tensor.Zeros(new Shape(2, 3)).ToArray());
        Assert.Equal(new double[] { 1, 1 }, Tensor.Ones(new Shape(2), DType.Float64).Doubles.ToArray());
        var f = Tensor.Full(new Shape(2, 2), 2.5, DType.Float64);
        Assert.Equal(DType.Float64, f.DType);
        Assert.Equal(new Shape(2, 2), f.Shape);
        Assert.Equal(4, f.Size);
        Assert.Equal(2, f.Rank);
        Assert.All(f.ToDoubleArray(), v => Assert.Equal(2.5, v));
        var s = Tensor.Scalar(7);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Size);
        Assert.Equal(7, s.Item());
        var like = Tensor.ZerosLike(f);
        Assert.Equal(f.Shape, like.Shape);
        Assert.Equal(f.DType, like.DType);
        Assert.Equal(new Shape(3, 0), Tensor.Zeros(new Shape(3, 0)).Shape);
    }

    [Fact]
    public void ArangeAndLinspace()
    {
        Assert.Equal(new float[] { 0, 1, 2, 3 }, Tensor.Arange(0, 4).ToArray());
        Assert.Equal(new double[] { 1, 1.5, 2, 2.5 }, Tensor.Arange(1, 3, 0.5, DType.Float64).ToDoubleArray());
        Assert.Equal(new float[] { 5, 3 }, Tensor.Arange(5, 1, -2).ToArray());
        Assert.Equal(0, Tensor.Arange(3, 3).Size);
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0));
        Assert.Equal(new double[] { 0, 0.25, 0.5, 0.75, 1 }, Tensor.Linspace(0, 1, 5, DType.Float64).ToDoubleArray());
        Assert.Equal(new double[] { 2 }, Tensor.Linspace(2, 3, 1, DType.Float64).ToDoubleArray());
    }

    [Fact]
    public void FromCopiesAndWrapShares()
    {
        var data = new double[] { 1, 2, 3, 4, 5, 6 };
        var t = Tensor.From(data, 2, 3);
        var w = Tensor.Wrap(data, 3, 2);
        data[0] = 100;
        Assert.Equal(1, t[0, 0]);
        Assert.Equal(100, w[0, 0]);
        Assert.Equal(6, t[1, 2]);
        Assert.Equal(6, t[-1, -1]);
        Assert.Equal(new Shape(6), Tensor.From(new float[6]).Shape);
        var ex = Assert.Throws<ShapeException>(() => Tensor.From(new float[5], 2, 3));
        Assert.Contains("[2, 3]", ex.Message);
        var m = Tensor.From(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new Shape(2, 3), m.Shape);
        Assert.Equal(4f, m[1, 0]);
    }

    [Fact]
    public void IndexerChecksBounds()
    {
        var t = Tensor.Zeros(new Shape(2, 3));
        t[1, 2] = 5;
        Assert.Equal(5, t.Floats[5]);
        Assert.Contains("[2, 3]", Assert.Throws<ShapeException>(() => t[2, 0]).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ShapeException>(() => t[0]).Message);
        Assert.Contains("[2, 3]", Assert.Throws<ShapeException>(() => t.Item()).Message);
    }

    [Fact]
    public void CloneIsIndependentAndUnscopedSurvives()
    {
        var x = Tensor.From([1.0, 2, 3]).RequireGrad();
        var c = x.Clone();
        Assert.False(c.SharesStorageWith(x));
        Assert.False(c.RequiresGrad);
        c[0] = 9;
        Assert.Equal(1, x[0]);
        Tensor u;
        using (TensorScope.Begin())
        {
            var big = Tensor.Ones(new Shape(4096));
            u = big.CloneUnscoped();
        }
        Assert.Equal(4096, u.Sum().Item());
        Assert.Equal(0, Tensor.ZerosUnscoped(new Shape(2048)).Sum().Item());
    }

    [Fact]
    public void WrongElementTypeAccessThrows()
    {
        var f = Tensor.Zeros(new Shape(2));
        Assert.Throws<InvalidOperationException>(() => f.Doubles.Length);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(new Shape(2), DType.Float64).Floats.Length);
    }

    [Fact]
    public void ConversionRoundTripsAndDifferentiates()
    {
        var x = Tensor.From([0.5, -1.25, 3]).RequireGrad();
        var y = x.To(DType.Float32);
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal(new float[] { 0.5f, -1.25f, 3f }, y.Floats.ToArray());
        (y * y).Sum().To(DType.Float64).Backward();
        Assert.Equal(DType.Float64, x.Grad!.DType);
        Assert.Equal(new double[] { 1, -2.5, 6 }, x.Grad.ToDoubleArray());
    }

    [Fact]
    public void InPlaceOpsChangeValues()
    {
        var x = Tensor.From([1.0, 2, 3]);
        x.AddInPlace(Tensor.From([1.0, 1, 1]), 2);
        Assert.Equal(new double[] { 3, 4, 5 }, x.ToDoubleArray());
        x.AddInPlace(Tensor.Scalar(1, DType.Float64));
        Assert.Equal(new double[] { 4, 5, 6 }, x.ToDoubleArray());
        x.MulInPlace(0.5);
        Assert.Equal(new double[] { 2, 2.5, 3 }, x.ToDoubleArray());
        x.CopyFrom(Tensor.From([7f, 8f, 9f]));
        Assert.Equal(new double[] { 7, 8, 9 }, x.ToDoubleArray());
        x.Zero();
        Assert.Equal(new double[] { 0, 0, 0 }, x.ToDoubleArray());
        Assert.True(x.AllFinite());
        x[1] = double.NaN;
        Assert.False(x.AllFinite());
        Assert.Contains("[3]", Assert.Throws<ShapeException>(() => x.AddInPlace(Tensor.Zeros(new Shape(2), DType.Float64))).Message);
    }

    [Fact]
    public void InPlaceOpOnATensorThatRequiresGradThrowsWhileRecording()
    {
        var w = Tensor.From([1.0, 2]).RequireGrad();
        w.Name = "weight";
        var ex = Assert.Throws<InvalidOperationException>(() => w.AddInPlace(Tensor.From([1.0, 1])));
        Assert.Contains("weight", ex.Message);
        Assert.Throws<InvalidOperationException>(() => w.MulInPlace(2));
        Assert.Throws<InvalidOperationException>(() => w.Fill(0));
        Assert.Throws<InvalidOperationException>(() => w[0] = 3);
        using (Descent.Autograd.Autodiff.NoGrad())
            w.AddInPlace(Tensor.From([1.0, 1]), -0.5);
        Assert.Equal(new double[] { 0.5, 1.5 }, w.ToDoubleArray());
    }

    [Fact]
    public void ToStringShowsShapeAndValues()
    {
        var s = Tensor.From([1.0, 2.5], 1, 2).ToString();
        Assert.Contains("[1, 2]", s);
        Assert.Contains("float64", s);
        Assert.Contains("2.5", s);
    }
}

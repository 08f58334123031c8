using Descent.Autograd;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors;

public class PoolTests
{
    // (N, C, H, W, kernel, stride, padding): odd and non-square sizes, overlapping windows, padding.
    public static readonly (int N, int C, int H, int W, int K, int S, int P)[] Cases =
    [
        (2, 3, 8, 8, 2, 2, 0),
        (2, 2, 7, 9, 3, 2, 1),
        (1, 3, 9, 6, 3, 1, 1),
        (3, 2, 11, 10, 4, 3, 2),
        (2, 1, 5, 7, 2, 1, 1),
        (1, 2, 6, 5, 5, 2, 2),
        (1, 2, 7, 9, 2, 2, 0),
        (2, 2, 5, 6, 2, 1, 0),
    ];

    private static ConvGeometry Geometry((int N, int C, int H, int W, int K, int S, int P) c) =>
        new(c.N, c.C, c.H, c.W, c.C, c.K, c.K, c.S, c.S, c.P, c.P, 1, 1);

    /// <summary>Distinct values at least 0.1 apart, shuffled: no ties, and finite differences never
    /// change which element is the maximum.</summary>
    private static double[] Distinct(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var v = Enumerable.Range(0, n).Select(i => 0.1 * i - 0.05 * n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(rng.NextDouble() * (i + 1));
            (v[i], v[j]) = (v[j], v[i]);
        }
        return v;
    }

    [Fact]
    public void MaxPool2d_HandComputed_WithTiesGoingToTheFirstElement()
    {
        var x = Tensor.From(new double[]
        {
            1, 5, 2, 2,
            3, 5, 2, 0,
            -1, -2, 4, 4,
            -3, -4, 4, 4,
        }, 1, 1, 4, 4).RequireGrad();
        var y = x.MaxPool2d(2);
        Assert.Equal(new double[] { 5, 2, -1, 4 }, y.ToDoubleArray());
        y.Backward(Tensor.From(new double[] { 10, 20, 30, 40 }, 1, 1, 2, 2));
        Assert.Equal(new double[]
        {
            0, 10, 20, 0,
            0, 0, 0, 0,
            30, 0, 40, 0,
            0, 0, 0, 0,
        }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MaxPool2d_PadsWithMinusInfinity_AndPropagatesNaN()
    {
        var x = Tensor.Full(new Shape(1, 1, 3, 3), -2.0);
        var y = x.MaxPool2d(3, stride: 2, padding: 1);
        Assert.Equal(new double[] { -2, -2, -2, -2 }, y.ToDoubleArray());
        var n = Tensor.From(new float[] { 1, float.NaN, 3, 4 }, 1, 1, 2, 2);
        Assert.True(float.IsNaN(n.MaxPool2d(2).Floats[0]));
        var m = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, float.NaN }, 1, 1, 3, 3).MaxPool2d(3, stride: 1, padding: 1);
        Assert.Equal(new[] { false, false, false, false, true, true, false, true, true }, m.ToArray().Select(float.IsNaN).ToArray());
    }

    [Fact]
    public void AvgPool2d_CountsPaddingInTheDivisor()
    {
        var x = Tensor.Ones(new Shape(1, 1, 4, 4), DType.Float64).RequireGrad();
        var y = x.AvgPool2d(3, stride: 3, padding: 1);
        // windows: rows/cols [-1, 2) and [2, 5) clipped to [2, 4): 4, 4, 4 and 4 of 9 cells inside.
        Assert.Equal(new double[] { 4.0 / 9, 4.0 / 9, 4.0 / 9, 4.0 / 9 }, y.ToDoubleArray());
        y.Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(1.0 / 9, v, 15));
    }

    [Fact]
    public void Pooling_MatchesReference_ValuesAndGradients()
    {
        foreach (var c in Cases)
        {
            var g = Geometry(c);
            var xd = Distinct(g.InputShape.Size, 1);
            // a few exact ties, so the tie rule is compared with the reference too
            for (int i = 0; i + 1 < xd.Length; i += 7) xd[i + 1] = xd[i];
            var gyd = Distinct(g.OutputShape.Size, 2);
            var yRef = new double[g.OutputShape.Size];
            var arg = new int[yRef.Length];
            PoolReference.Max(xd, yRef, arg, g);
            var dxRef = new double[xd.Length];
            PoolReference.MaxBackward(gyd, arg, dxRef, g);
            var aRef = new double[yRef.Length];
            PoolReference.Avg(xd, aRef, g);
            var daRef = new double[xd.Length];
            PoolReference.AvgBackward(gyd, daRef, g);

            foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            {
                double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
                var x = Tensor.From(xd, g.InputShape.ToArray()).To(dtype).RequireGrad();
                var gy = Tensor.From(gyd, g.OutputShape.ToArray()).To(dtype);
                var y = x.MaxPool2d(c.K, c.S, c.P);
                Assert.Equal(g.OutputShape, y.Shape);
                AssertClose(yRef, y.ToDoubleArray(), tol);
                y.Backward(gy);
                AssertClose(dxRef, x.Grad!.ToDoubleArray(), tol);

                x.Grad = null;
                var a = x.AvgPool2d(c.K, c.S, c.P);
                AssertClose(aRef, a.ToDoubleArray(), tol);
                a.Backward(gy);
                AssertClose(daRef, x.Grad!.ToDoubleArray(), tol);
            }
        }
    }

    [Theory]
    [InlineData(2, 2, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 1)]
    public void MaxPool2d_GradCheck_FirstAndSecondOrder(int k, int s, int p)
    {
        var x = Tensor.From(Distinct(2 * 2 * 5 * 5, 3), 2, 2, 5, 5);
        Tensor Pool(Tensor[] a) => a[0].MaxPool2d(k, s, p);
        var first = GradCheck.Check(Pool, [x]);
        Assert.True(first.Passed, first.ToString());
        // squaring makes the gradient depend on x through the gather at the argmax positions
        var second = GradCheck.CheckSecondOrder(a => Pool(a).Square(), [x]);
        Assert.True(second.Passed, second.ToString());
    }

    [Theory]
    [InlineData(2, 2, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 1)]
    public void AvgPool2d_GradCheck_FirstAndSecondOrder(int k, int s, int p)
    {
        var x = Tensor.Randn(new Shape(2, 2, 5, 5), new Rng(4), dtype: DType.Float64);
        Tensor Pool(Tensor[] a) => a[0].AvgPool2d(k, s, p);
        var first = GradCheck.Check(Pool, [x]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(a => Pool(a).Square(), [x]);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void Pool_ThirdOrder_ThroughMaxAndAverage()
    {
        // Σ F(x)³ with F = average ∘ max pooling, which is linear while the argmax stays fixed, so the third
        // directional derivative is 6·Σ (F'v)³. It runs scatter → gather → scatter and adjoint → average → adjoint.
        var x = Tensor.From(Distinct(36, 5), 1, 1, 6, 6).RequireGrad();
        var v = Tensor.Randn(new Shape(1, 1, 6, 6), new Rng(6), dtype: DType.Float64);
        Tensor F(Tensor t) => t.MaxPool2d(2, 1).AvgPool2d(2);
        var f = F(x).Pow(3).Sum();
        var g1 = Autodiff.Grad(f, [x], createGraph: true)[0]!;
        var g2 = Autodiff.Grad((g1 * v).Sum(), [x], createGraph: true)[0]!;
        var g3 = Autodiff.Grad((g2 * v).Sum(), [x])[0]!;
        double third = (g3 * v).Sum().Item();
        // values are 0.1 apart, so ±h·v keeps every argmax and the central difference is exact up to rounding
        double h = 1e-3;
        var dF = (F(x.Detach() + v * h) - F(x.Detach() - v * h)) / (2 * h);
        double expected = 6 * dF.Pow(3).Sum().Item();
        Assert.Equal(expected, third, 8);
    }

    [Fact]
    public void Pool_Errors_NameKernelStrideAndPadding()
    {
        var x = Tensor.Zeros(new Shape(1, 1, 3, 3));
        var e = Assert.Throws<ShapeException>(() => x.MaxPool2d(4));
        Assert.Contains("kernel 4×4", e.Message);
        Assert.Contains("stride 4", e.Message);
        Assert.Contains("padding 0", e.Message);
        Assert.Throws<ShapeException>(() => x.AvgPool2d(5, 1, 0));
        Assert.Throws<ConfigurationException>(() => x.MaxPool2d(2, padding: 2));
        Assert.Throws<ConfigurationException>(() => x.AvgPool2d(2, stride: 0));
        Assert.Throws<ShapeException>(() => Tensor.Zeros(new Shape(3, 3)).MaxPool2d(2));
    }

    private static void AssertClose(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}

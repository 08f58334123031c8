using Descent.Autograd;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors;

public class ConvTests
{
    // (N, C, H, W, OC, KH, KW, SH, SW, PH, PW, DH, DW): odd and non-square sizes, strides, padding,
    // dilation, a pointwise kernel (no im2col) and a strided 1×1 kernel (im2col); "same" padding.
    private static readonly ConvGeometry[] Cases =
    [
        new(2, 3, 7, 9, 4, 3, 3, 1, 1, 0, 0, 1, 1),
        new(3, 2, 8, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1),
        new(2, 3, 9, 11, 2, 3, 2, 1, 2, 2, 1, 2, 2),
        new(5, 2, 6, 6, 3, 5, 5, 1, 1, 2, 2, 1, 1),
        new(2, 4, 6, 5, 3, 1, 1, 1, 1, 0, 0, 1, 1),
        new(3, 2, 10, 9, 3, 1, 1, 2, 2, 0, 0, 1, 1),
        new(2, 1, 13, 12, 6, 5, 5, 2, 3, 2, 0, 1, 2),
        new(1, 2, 4, 4, 2, 3, 3, 3, 3, 2, 2, 2, 1),
        // stride 1 with OW = W: the shifted-copy im2col path (asymmetric, dilated, taps wholly in the padding)
        new(2, 3, 7, 8, 2, 3, 5, 1, 1, 1, 4, 1, 2),
        new(2, 2, 6, 5, 3, 2, 3, 1, 1, 0, 1, 1, 1),
        new(1, 1, 3, 3, 2, 7, 7, 1, 1, 3, 3, 1, 1),
    ];

    private static double[] Random(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() * 2 - 1;
        return v;
    }

    private static void AssertClose(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Conv2d_HandComputedExample()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 1, 1, 3, 3);
        var w = Tensor.From(new double[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        var b = Tensor.From(new double[] { 0.5 });
        Assert.Equal(new double[] { 37.5, 47.5, 67.5, 77.5 }, Tensor.Conv2d(x, w, b).ToDoubleArray());
        // stride 2, padding 1: windows at (-1,-1), (-1,1), (1,-1), (1,1) see 4·1, 3·2+4·3, 2·4+4·7, 1·5+2·6+3·8+4·9.
        var y = Tensor.Conv2d(x, w, stride: 2, padding: 1);
        Assert.Equal(new Shape(1, 1, 2, 2), y.Shape);
        Assert.Equal(new double[] { 4, 18, 36, 77 }, y.ToDoubleArray());
    }

    [Fact]
    public void Kernels_MatchReference_InEveryMode()
    {
        foreach (var g in Cases)
        {
            var x = Random(g.InputShape.Size, 1);
            var w = Random(g.WeightShape.Size, 2);
            var b = Random(g.OC, 3);
            var gy = Random(g.OutputShape.Size, 4);
            var yRef = new double[g.OutputShape.Size];
            ConvReference.Forward<double>(x, w, b, yRef, g);
            var dxRef = new double[x.Length];
            ConvReference.InputGrad<double>(gy, w, dxRef, g);
            var dwRef = new double[w.Length];
            ConvReference.WeightGrad<double>(x, gy, dwRef, g);

            // images across threads, or one at a time with a threaded GEMM
            foreach (bool parallel in new[] { true, false })
            {
                var y = Enumerable.Repeat(double.NaN, yRef.Length).ToArray();
                ConvKernels.Forward(x, 0, w, 0, b, 0, y, 0, g, parallel);
                AssertClose(yRef, y, 1e-12);
                ConvKernels.Forward(x, 0, w, 0, null, 0, y, 0, g, parallel);
                AssertClose(yRef.Select((v, i) => v - b[i / g.P % g.OC]).ToArray(), y, 1e-12);
                var dx = Enumerable.Repeat(double.NaN, x.Length).ToArray();
                ConvKernels.InputGrad(gy, 0, w, 0, dx, 0, g, parallel);
                AssertClose(dxRef, dx, 1e-12);
            }
            // weight gradient: one image per chunk, two (a partial last chunk for odd N), all at once
            foreach (long budget in new long[] { 1, g.K * g.P * 8 * 2, 1L << 30 })
            {
                var dw = Enumerable.Repeat(double.NaN, w.Length).ToArray();
                ConvKernels.WeightGrad(x, 0, gy, 0, dw, 0, g, budget);
                AssertClose(dwRef, dw, 1e-12);
            }
        }
    }

    [Fact]
    public void Conv2d_Float_ForwardAndBackward_MatchReference()
    {
        foreach (var g in Cases)
        {
            var xd = Random(g.InputShape.Size, 5);
            var wd = Random(g.WeightShape.Size, 6);
            var bd = Random(g.OC, 7);
            var gyd = Random(g.OutputShape.Size, 8);
            var x = Tensor.From(xd.Select(v => (float)v).ToArray(), g.InputShape.ToArray()).RequireGrad();
            var w = Tensor.From(wd.Select(v => (float)v).ToArray(), g.WeightShape.ToArray()).RequireGrad();
            var b = Tensor.From(bd.Select(v => (float)v).ToArray()).RequireGrad();

            var y = Tensor.Conv2d(x, w, b, (g.SH, g.SW), (g.PH, g.PW), (g.DH, g.DW));
            Assert.Equal(DType.Float32, y.DType);
            Assert.Equal(g.OutputShape, y.Shape);
            var yRef = new double[g.OutputShape.Size];
            ConvReference.Forward<double>(x.ToDoubleArray(), w.ToDoubleArray(), b.ToDoubleArray(), yRef, g);
            AssertClose(yRef, y.ToDoubleArray(), 1e-5);

            y.Backward(Tensor.From(gyd.Select(v => (float)v).ToArray(), g.OutputShape.ToArray()));
            var gy = Tensor.From(gyd.Select(v => (float)v).ToArray()).ToDoubleArray();
            var dxRef = new double[xd.Length];
            ConvReference.InputGrad<double>(gy, w.ToDoubleArray(), dxRef, g);
            AssertClose(dxRef, x.Grad!.ToDoubleArray(), 1e-5);
            var dwRef = new double[wd.Length];
            ConvReference.WeightGrad<double>(x.ToDoubleArray(), gy, dwRef, g);
            AssertClose(dwRef, w.Grad!.ToDoubleArray(), 1e-5);
            var dbRef = new double[g.OC];
            for (int i = 0; i < gy.Length; i++) dbRef[i / g.P % g.OC] += gy[i];
            AssertClose(dbRef, b.Grad!.ToDoubleArray(), 1e-5);
        }
    }

    public static TheoryData<int, int, int, int, int, int> GradCases => new()
    {
        // stride (h, w), padding (h, w), dilation (h, w)
        { 1, 1, 0, 0, 1, 1 },
        { 2, 2, 1, 1, 1, 1 },
        { 1, 1, 2, 2, 2, 2 },
        { 2, 1, 1, 0, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(GradCases))]
    public void Conv2d_GradCheck_FirstAndSecondOrder(int sh, int sw, int ph, int pw, int dh, int dw)
    {
        var rng = new Rng(11);
        var x = Tensor.Randn(new Shape(2, 2, 5, 5), rng, dtype: DType.Float64);
        var w = Tensor.Randn(new Shape(3, 2, 3, 3), rng, std: 0.5, dtype: DType.Float64);
        var b = Tensor.Randn(new Shape(3), rng, dtype: DType.Float64);
        Tensor Conv(Tensor[] a) => Tensor.Conv2d(a[0], a[1], a[2], (sh, sw), (ph, pw), (dh, dw));

        var first = GradCheck.Check(Conv, [x, w, b]);
        Assert.True(first.Passed, first.ToString());
        // The plain convolution checks the cross terms (input grad in w, weight grad in x); the squared
        // output also differentiates each gradient op in its output-gradient argument.
        var second = GradCheck.CheckSecondOrder(Conv, [x, w, b]);
        Assert.True(second.Passed, second.ToString());
        var squared = GradCheck.CheckSecondOrder(a => Conv(a).Square(), [x, w, b]);
        Assert.True(squared.Passed, squared.ToString());
    }

    [Fact]
    public void Conv2d_ThirdOrder_MatchesFiniteDifferenceOfSecondOrder()
    {
        // d³/dt³ of Σ conv(x + t·v, w)³ at t = 0 equals 6·Σ conv(v, w)³ (the cube is the only nonlinearity).
        var rng = new Rng(3);
        var x = Tensor.Randn(new Shape(1, 2, 4, 4), rng, dtype: DType.Float64).RequireGrad();
        var w = Tensor.Randn(new Shape(2, 2, 3, 3), rng, dtype: DType.Float64);
        var v = Tensor.Randn(new Shape(1, 2, 4, 4), rng, dtype: DType.Float64);
        var f = Tensor.Conv2d(x, w, padding: 1).Pow(3).Sum();
        var g1 = Autodiff.Grad(f, [x], createGraph: true)[0]!;
        var g2 = Autodiff.Grad((g1 * v).Sum(), [x], createGraph: true)[0]!;
        var g3 = Autodiff.Grad((g2 * v).Sum(), [x])[0]!;
        double third = (g3 * v).Sum().Item();
        double expected = 6 * Tensor.Conv2d(v, w, padding: 1).Pow(3).Sum().Item();
        Assert.Equal(expected, third, 9);
    }

    [Fact]
    public void Conv2d_IsDeterministic()
    {
        var rng = new Rng(5);
        var x = Tensor.Randn(new Shape(9, 3, 12, 12), rng).RequireGrad();
        var w = Tensor.Randn(new Shape(4, 3, 3, 3), rng).RequireGrad();
        float[] Run()
        {
            x.Grad = null; w.Grad = null;
            Tensor.Conv2d(x, w, padding: 1).Square().Sum().Backward();
            return [.. x.Grad!.ToArray(), .. w.Grad!.ToArray()];
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Conv2d_InsideTensorScope_ReturnsCorrectValues()
    {
        var rng = new Rng(9);
        var x = Tensor.Randn(new Shape(4, 2, 16, 16), rng);
        var w = Tensor.Randn(new Shape(3, 2, 3, 3), rng);
        var expected = Tensor.Conv2d(x, w, padding: 1).ToArray();
        for (int step = 0; step < 2; step++)
        {
            using var scope = TensorScope.Begin();
            Assert.Equal(expected, Tensor.Conv2d(x, w, padding: 1).ToArray());
        }
    }

    [Fact]
    public void Conv2d_ShapeErrors_NameTheShapes()
    {
        var x = Tensor.Zeros(new Shape(8, 3, 28, 28));
        var e = Assert.Throws<ShapeException>(() => Tensor.Conv2d(x, Tensor.Zeros(new Shape(32, 1, 5, 5))));
        Assert.Equal("Conv2d: input [8, 3, 28, 28] has 3 channels but weight [32, 1, 5, 5] expects 1.", e.Message);

        var small = Tensor.Zeros(new Shape(1, 1, 3, 3));
        var big = Assert.Throws<ShapeException>(() => Tensor.Conv2d(small, Tensor.Zeros(new Shape(1, 1, 5, 5)), stride: 2));
        Assert.Contains("kernel 5×5", big.Message);
        Assert.Contains("stride 2×2", big.Message);
        Assert.Contains("padding 0×0", big.Message);
        Assert.Contains("[1, 1, 3, 3]", big.Message);

        var bias = Assert.Throws<ShapeException>(() => Tensor.Conv2d(small, Tensor.Zeros(new Shape(2, 1, 3, 3)), Tensor.Zeros(new Shape(3))));
        Assert.Contains("[3]", bias.Message);
        Assert.Throws<ShapeException>(() => Tensor.Conv2d(Tensor.Zeros(new Shape(3, 28, 28)), Tensor.Zeros(new Shape(1, 3, 3, 3))));
        Assert.Throws<ConfigurationException>(() => Tensor.Conv2d(small, Tensor.Zeros(new Shape(1, 1, 3, 3)), stride: 0));
        Assert.Throws<DescentException>(() => Tensor.Conv2d(small, Tensor.Zeros(new Shape(1, 1, 3, 3), DType.Float64)));
    }
}

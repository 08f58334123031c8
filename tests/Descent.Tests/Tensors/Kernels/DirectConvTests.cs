using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors.Kernels;

/// <summary>The direct convolution kernels (stride 1) against the plain nested-loop reference.</summary>
public class DirectConvTests
{
    // (N, C, H, W, OC, KH, KW, 1, 1, PH, PW, 1, 1): the 1-channel 5×5 "same" layer of fmnist_2c2d at a small
    // batch, output channels that do not fill a tile of 8, more images than a weight-gradient chunk,
    // non-square kernels, no padding, and padding wider than the flipped kernel needs.
    public static TheoryData<int, int, int, int, int, int, int, int, int> Cases => new()
    {
        { 3, 1, 28, 28, 32, 5, 5, 2, 2 },
        { 2, 1, 9, 7, 5, 5, 5, 2, 2 },
        { 11, 2, 6, 5, 3, 3, 3, 1, 1 },
        { 2, 3, 7, 9, 9, 3, 2, 0, 1 },
        { 1, 1, 5, 6, 2, 3, 3, 0, 0 },
        { 2, 2, 4, 4, 3, 3, 3, 2, 2 },
    };

    private static double[] Random(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() * 2 - 1;
        return v;
    }

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what} element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndGradients_MatchTheReference_InDouble(int n, int c, int h, int w, int oc, int kh, int kw, int ph, int pw)
    {
        var g = new ConvGeometry(n, c, h, w, oc, kh, kw, 1, 1, ph, pw, 1, 1);
        Assert.True(DirectConv.Supports(g));
        var x = Random(g.InputShape.Size, 1);
        var wt = Random(g.WeightShape.Size, 2);
        var b = Random(oc, 3);
        var gy = Random(g.OutputShape.Size, 4);

        var yRef = new double[g.OutputShape.Size];
        ConvReference.Forward<double>(x, wt, b, yRef, g);
        var y = Enumerable.Repeat(double.NaN, yRef.Length).ToArray();
        DirectConv.Forward(x, 0, wt, 0, g, new StoreSink<double>(y, 0, b, 0, g));
        AssertClose(yRef, y, 1e-12, "forward");

        var dwRef = new double[wt.Length];
        ConvReference.WeightGrad<double>(x, gy, dwRef, g);
        var dw = Enumerable.Repeat(double.NaN, wt.Length).ToArray();
        DirectConv.WeightGrad(x, 0, new GradientSource<double>(gy, 0, g), dw, 0, g);
        AssertClose(dwRef, dw, 1e-12, "weight gradient");

        if (ph <= kh - 1 && pw <= kw - 1)
        {
            var dxRef = new double[x.Length];
            ConvReference.InputGrad<double>(gy, wt, dxRef, g);
            var gi = DirectConv.InputGradGeometry(g);
            Assert.Equal(g.InputShape, gi.OutputShape);
            var flipped = DirectConv.FlippedWeights(wt, 0, g);
            var dx = Enumerable.Repeat(double.NaN, x.Length).ToArray();
            DirectConv.Forward(gy, 0, flipped, 0, gi, new StoreSink<double>(dx, 0, null, 0, gi));
            AssertClose(dxRef, dx, 1e-12, "input gradient");
        }
    }

    [Fact]
    public void Float_MatchesTheReference_AndDoesNotDependOnTheThreadCount()
    {
        var g = new ConvGeometry(13, 1, 28, 28, 32, 5, 5, 1, 1, 2, 2, 1, 1);
        var x = Random(g.InputShape.Size, 5).Select(v => (float)v).ToArray();
        var wt = Random(g.WeightShape.Size, 6).Select(v => (float)v).ToArray();
        var gy = Random(g.OutputShape.Size, 7).Select(v => (float)v).ToArray();
        var dwRef = new double[wt.Length];
        ConvReference.WeightGrad<double>(x.Select(v => (double)v).ToArray(), gy.Select(v => (double)v).ToArray(), dwRef, g);
        float[] Run(int threads)
        {
            using var _ = KernelThreads.Limit(threads);
            var dw = new float[wt.Length];
            DirectConv.WeightGrad(x, 0, new GradientSource<float>(gy, 0, g), dw, 0, g);
            return dw;
        }
        var one = Run(1);
        AssertClose(dwRef, one.Select(v => (double)v).ToArray(), 1e-4, "float weight gradient");
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));
    }

    [Fact]
    public void Conv2dOp_ChoosesTheDirectKernel_ForFewMultiplyAddsPerOutput()
    {
        Assert.True(DirectConv.Preferred(new ConvGeometry(128, 1, 28, 28, 32, 5, 5, 1, 1, 2, 2, 1, 1)));
        Assert.False(DirectConv.Preferred(new ConvGeometry(128, 32, 14, 14, 64, 5, 5, 1, 1, 2, 2, 1, 1)));
        Assert.False(DirectConv.Preferred(new ConvGeometry(128, 1, 28, 28, 32, 5, 5, 2, 2, 2, 2, 1, 1)));
        Assert.False(DirectConv.InputGradPreferred(new ConvGeometry(128, 1, 28, 28, 32, 5, 5, 1, 1, 2, 2, 1, 1)));
    }
}

using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Autograd;

/// <summary>The reverse-mode engine itself: accumulation, fan-out, no-grad regions, detaching, higher
/// derivatives and inputs the output does not depend on.</summary>
public class AutodiffEngineTests
{
    private static Tensor D(params double[] v) => Tensor.From(v).RequireGrad();

    [Fact]
    public void TwoBackwardCallsAccumulateIntoGrad()
    {
        var x = D(1, 2, 3);
        (x * x).Sum().Backward();
        (x * 3).Sum().Backward();
        Assert.Equal(new double[] { 2 + 3, 4 + 3, 6 + 3 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void BackwardTwiceOnTheSameGraphDoublesTheGradient()
    {
        var x = D(0.5, -1);
        var loss = x.Exp().Sum();
        loss.Backward();
        loss.Backward();
        var g = x.Grad!.ToDoubleArray();
        Assert.Equal(2 * Math.Exp(0.5), g[0], 14);
        Assert.Equal(2 * Math.Exp(-1), g[1], 14);
    }

    [Fact]
    public void FanOutSumsTheGradients()
    {
        var x = D(2, -3);
        var y = x * 3;                     // used three times below
        var loss = (y * y + y.Exp() + y).Sum();
        loss.Backward();
        var g = x.Grad!.ToDoubleArray();
        double[] xs = [2, -3];
        for (int i = 0; i < 2; i++)
        {
            double yi = 3 * xs[i];
            Assert.Equal(3 * (2 * yi + Math.Exp(yi) + 1), g[i], 10);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FanOutThroughAnAddThatPassesItsGradientToBothInputs(bool otherUseFirst)
    {
        // y = a + b gets a summed gradient (y is used twice), and Add hands that same tensor to both a
        // and b. a is also used elsewhere, so its gradient is accumulated again: b's must not change,
        // whichever order the graph is traversed in.
        var a = D(1, 2);
        var b = D(3, 4);
        var y = a + b;
        var twiceY = y.Sum() + y.Sum();
        var other = (a * 5).Sum();
        var loss = otherUseFirst ? other + twiceY : twiceY + other;
        var grads = Autodiff.Grad(loss, [a, b]);
        Assert.Equal(new double[] { 7, 7 }, grads[0]!.ToDoubleArray());
        Assert.Equal(new double[] { 2, 2 }, grads[1]!.ToDoubleArray());
        loss.Backward();
        Assert.Equal(new double[] { 7, 7 }, a.Grad!.ToDoubleArray());
        Assert.Equal(new double[] { 2, 2 }, b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void GradientOfAnIntermediateIsNotChangedByLaterAccumulation()
    {
        var x = D(1, 2);
        var h = x * 2;
        var y = h + 0.0;                   // AddScalar hands its output gradient through unchanged
        var loss = (y * 3).Sum() + (y * 4).Sum() + (h * 10).Sum();
        var grads = Autodiff.Grad(loss, [y, h, x]);
        Assert.Equal(new double[] { 7, 7 }, grads[0]!.ToDoubleArray());
        Assert.Equal(new double[] { 17, 17 }, grads[1]!.ToDoubleArray());
        Assert.Equal(new double[] { 34, 34 }, grads[2]!.ToDoubleArray());
    }

    [Fact]
    public void NoGradProducesTensorsThatDoNotRequireGrad()
    {
        var x = D(1, 2);
        Tensor y;
        using (Autodiff.NoGrad())
        {
            y = (x * x).Exp().Sum();
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.True((x * x).RequiresGrad);
    }

    [Fact]
    public void EnableGradInsideNoGradRecordsAgain()
    {
        var x = D(1);
        using (Autodiff.NoGrad())
        {
            using (Autodiff.EnableGrad()) Assert.True((x * 2).RequiresGrad);
            Assert.False((x * 2).RequiresGrad);
        }
    }

    [Fact]
    public void DetachStopsGradients()
    {
        var x = D(3);
        var loss = x * x.Detach();         // d/dx = x (the detached factor is a constant)
        Assert.False(x.Detach().RequiresGrad);
        loss.Backward();
        Assert.Equal(3, x.Grad!.Item());
    }

    [Fact]
    public void DetachSharesMemory()
    {
        var x = D(3, 4);
        Assert.True(x.Detach().SharesStorageWith(x));
    }

    [Fact]
    public void CreateGraphGivesTheThirdDerivative()
    {
        var x = D(1.5);
        var y = x.Pow(4);
        var d1 = Autodiff.Grad(y, [x], createGraph: true)[0]!;
        var d2 = Autodiff.Grad(d1, [x], createGraph: true)[0]!;
        var d3 = Autodiff.Grad(d2, [x])[0]!;
        Assert.Equal(4 * Math.Pow(1.5, 3), d1.Item(), 12);
        Assert.Equal(12 * 1.5 * 1.5, d2.Item(), 12);
        Assert.Equal(36, d3.Item(), 12);
    }

    [Fact]
    public void ThirdDerivativeOfTanhMatchesTheFormula()
    {
        // tanh''' = −2 sech²x (1 − 3 tanh²x)... written with t = tanh x: (1 − t²)(6t² − 2).
        var x = D(0.4);
        var d1 = Autodiff.Grad(x.Tanh(), [x], createGraph: true)[0]!;
        var d2 = Autodiff.Grad(d1, [x], createGraph: true)[0]!;
        var d3 = Autodiff.Grad(d2, [x])[0]!;
        double t = Math.Tanh(0.4);
        Assert.Equal((1 - t * t) * (6 * t * t - 2), d3.Item(), 12);
    }

    [Fact]
    public void UnusedInputGetsNull()
    {
        var x = D(1, 2);
        var unused = D(5);
        var grads = Autodiff.Grad((x * x).Sum(), [x, unused]);
        Assert.NotNull(grads[0]);
        Assert.Null(grads[1]);
    }

    [Fact]
    public void BackwardLeavesUnusedLeavesWithoutGrad()
    {
        var x = D(1, 2);
        var unused = D(5);
        (x * 2).Sum().Backward();
        Assert.Null(unused.Grad);
    }

    [Fact]
    public void GradOfAnInputThatDoesNotRequireGradThrows()
    {
        var x = Tensor.From([1.0, 2.0]);
        var y = D(1, 2);
        Assert.Throws<InvalidOperationException>(() => Autodiff.Grad((x * y).Sum(), [x]));
    }

    [Fact]
    public void BackwardFromANonScalarNeedsAnOutputGradient()
    {
        var x = D(1, 2);
        var y = x * 3;
        var ex = Assert.Throws<ShapeException>(() => y.Backward());
        Assert.Contains("[2]", ex.Message);
        y.Backward(Tensor.From([1.0, -1.0]));
        Assert.Equal(new double[] { 3, -3 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void GradWithOutputGradientsIsAVectorJacobianProduct()
    {
        var x = D(1, 2, 3);
        var y = x * x;
        var v = Tensor.From([1.0, 0.5, -1.0]);
        var g = Autodiff.Grad([y], [x], [v])[0]!;
        Assert.Equal(new double[] { 2, 2, -6 }, g.ToDoubleArray());
    }

    [Fact]
    public void ClearingRequiresGradOnANonLeafThrows()
    {
        var x = D(1);
        var y = x * 2;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
    }

    [Fact]
    public void GradientsAtTiesAndKinksFollowPyTorch()
    {
        // Max and Maximum split the gradient evenly at ties; ReLU and Abs have gradient 0 at 0.
        var x = D(1, 3, 3);
        x.Max().Backward();
        Assert.Equal(new double[] { 0, 0.5, 0.5 }, x.Grad!.ToDoubleArray());
        var a = D(1, 3);
        var b = D(2, 3);
        Tensor.Maximum(a, b).Sum().Backward();
        Assert.Equal(new double[] { 0, 0.5 }, a.Grad!.ToDoubleArray());
        Assert.Equal(new double[] { 1, 0.5 }, b.Grad!.ToDoubleArray());
        var z = D(0, 2, -2);
        (z.Relu() + z.Abs()).Sum().Backward();
        Assert.Equal(new double[] { 0, 2, -1 }, z.Grad!.ToDoubleArray());
    }

    [Fact]
    public void PowerZeroHasZeroGradientEverywhere()
    {
        var x = D(0, 2);
        x.Pow(0).Sum().Backward();
        Assert.Equal(new double[] { 0, 0 }, x.Grad!.ToDoubleArray());
        Assert.Equal(new double[] { 1, 1 }, x.Detach().Pow(0).ToDoubleArray());
    }

    [Fact]
    public void HessianVectorProductsMatchTheDenseHessian()
    {
        var a = Tensor.From(new double[,] { { 0.5, -1, 0.3 }, { 0.2, 0.4, -0.7 } });
        Tensor F(Tensor x) => a.MatMul(x.Reshape(3, 1)).Tanh().Sum() + x.Pow(4).Sum() * 0.25 + (x.Exp() * x).Sum();
        var x0 = Tensor.From([0.3, -0.8, 1.1]);
        var h = Derivatives.Hessian(F, x0);
        Assert.Equal(new Shape(3, 3), h.Shape);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(h[i, j], h[j, i], 12);
        var v = Tensor.From([1.0, -2, 0.5]);
        var xg = x0.Clone().RequireGrad();
        var hv = Derivatives.Hvp(F(xg), [xg], [v])[0].ToDoubleArray();
        for (int i = 0; i < 3; i++)
        {
            double expected = 0;
            for (int j = 0; j < 3; j++) expected += h[i, j] * v[j];
            Assert.Equal(expected, hv[i], 12);
        }
        // The separable part alone: ∂²/∂x² (x⁴/4 + x eˣ) = 3x² + (x + 2)eˣ on the diagonal.
        var hs = Derivatives.Hessian(x => x.Pow(4).Sum() * 0.25 + (x.Exp() * x).Sum(), x0);
        for (int i = 0; i < 3; i++)
        {
            double xi = x0[i];
            Assert.Equal(3 * xi * xi + (xi + 2) * Math.Exp(xi), hs[i, i], 12);
        }
    }

    [Fact]
    public void Float32GradientsMatchFloat64()
    {
        // The float kernels (vectorized ReLU mask, softmax, GEMM, broadcasting sums) in a small network.
        var rng = new Rng(17);
        var x = Tensor.Randn(new Shape(8, 5), rng, dtype: DType.Float64);
        var w1 = Tensor.Randn(new Shape(5, 40), rng, std: 0.4, dtype: DType.Float64);
        var b1 = Tensor.Randn(new Shape(40), rng, std: 0.1, dtype: DType.Float64);
        var w2 = Tensor.Randn(new Shape(40, 3), rng, std: 0.3, dtype: DType.Float64);
        int[] labels = [0, 2, 1, 1, 0, 2, 2, 1];
        Tensor?[] Grads(DType dtype)
        {
            var ps = new[] { w1, b1, w2 }.Select(p => p.To(dtype).Clone().RequireGrad()).ToArray();
            var h = (x.To(dtype).MatMul(ps[0]) + ps[1]).Relu();
            var loss = -h.MatMul(ps[2]).LogSoftmax(1).GatherColumns(labels).Mean() + ps[0].Square().Sum() * 1e-3;
            return Autodiff.Grad(loss, ps);
        }
        var g64 = Grads(DType.Float64);
        var g32 = Grads(DType.Float32);
        for (int i = 0; i < 3; i++)
        {
            var a = g64[i]!.ToDoubleArray();
            var b = g32[i]!.ToDoubleArray();
            for (int j = 0; j < a.Length; j++) Assert.Equal(a[j], b[j], 1e-5);
        }
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // x · detach(x) has derivative x in the engine's eyes but 2x numerically.
        var r = GradCheck.Check(x => x[0] * x[0].Detach(), [Tensor.From([0.5, 1.5])]);
        Assert.False(r.Passed);
        Assert.Contains("failed", r.ToString());
    }

    [Fact]
    public void SecondOrderGradCheckCatchesAWrongSecondDerivative()
    {
        // The first derivative 2x·detach(1) is right, but its own derivative through the detached factor is lost.
        var r = GradCheck.CheckSecondOrder(x => x[0].Square() * x[0].Detach(), [Tensor.From([0.5, 1.5])]);
        Assert.False(r.Passed);
    }
}

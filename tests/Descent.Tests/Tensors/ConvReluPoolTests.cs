using Descent.Autograd;
using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>The fused conv → ReLU → 2×2 max-pool op against the three separate ops, and through Sequential.</summary>
public class ConvReluPoolTests
{
    // (N, C, H, W, OC, K, stride, padding): 1-channel 5×5 layers (direct kernel; at 28×28 its padded rows are
    // exact 32-column tiles, the vector path of the pooled gradient); few channels (direct);
    // an odd output size (the last row and column are not pooled); a strided convolution (im2col + GEMM);
    // many channels with 5×5 and 3×3 kernels (Winograd), channel counts that fill no vector, no padding.
    public static TheoryData<int, int, int, int, int, int, int, int> Cases => new()
    {
        { 3, 1, 12, 12, 9, 5, 1, 2 },
        { 2, 1, 28, 28, 8, 5, 1, 2 },
        { 2, 5, 8, 8, 4, 3, 1, 1 },
        { 2, 2, 9, 7, 3, 3, 1, 0 },
        { 2, 3, 11, 11, 5, 3, 2, 1 },
        { 2, 8, 10, 10, 5, 5, 1, 2 },
        { 2, 12, 7, 9, 3, 3, 1, 1 },
        { 3, 20, 6, 6, 17, 3, 1, 0 },
    };

    private static Tensor Composite(Tensor x, Tensor w, Tensor? b, int stride, int padding) =>
        Tensor.Conv2d(x, w, b, stride, padding).Relu().MaxPool2d(2);

    private static Tensor Fused(Tensor x, Tensor w, Tensor? b, int stride, int padding) =>
        Tensor.Conv2dReluMaxPool2(x, w, b, (stride, stride), (padding, padding), (1, 1));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesAndGradients_EqualTheSeparateOps(int n, int c, int h, int w, int oc, int k, int stride, int padding)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (bool withBias in new[] { true, false })
            {
                var rng = new Rng(3);
                var x = Tensor.Randn(new Shape(n, c, h, w), rng, dtype: dtype).RequireGrad();
                var wt = Tensor.Randn(new Shape(oc, c, k, k), rng, std: 0.5, dtype: dtype).RequireGrad();
                var b = withBias ? Tensor.Randn(new Shape(oc), rng, dtype: dtype).RequireGrad() : null;
                var expected = Composite(x, wt, b, stride, padding);
                var actual = Fused(x, wt, b, stride, padding);
                Assert.Equal(expected.Shape, actual.Shape);
                double tol = dtype == DType.Float64 ? 1e-12 : 1e-4;
                AssertClose(expected, actual, tol);
                var gz = Tensor.Randn(expected.Shape, rng, dtype: dtype);
                Tensor[] wrt = b is null ? [x, wt] : [x, wt, b];
                var ge = Autodiff.Grad([expected], wrt, [gz]);
                var ga = Autodiff.Grad([actual], wrt, [gz]);
                for (int i = 0; i < wrt.Length; i++) AssertClose(ge[i]!, ga[i]!, tol);
            }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradCheck_FirstAndSecondOrder(int n, int c, int h, int w, int oc, int k, int stride, int padding)
    {
        var rng = new Rng(5);
        var x = Tensor.Randn(new Shape(Math.Min(n, 2), c, h, w), rng, dtype: DType.Float64);
        var wt = Tensor.Randn(new Shape(oc, c, k, k), rng, std: 0.5, dtype: DType.Float64);
        var b = Tensor.Randn(new Shape(oc), rng, dtype: DType.Float64);
        Tensor F(Tensor[] a) => Fused(a[0], a[1], a[2], stride, padding);
        var first = GradCheck.Check(F, [x, wt, b]);
        Assert.True(first.Passed, first.ToString());
        // piecewise linear in x for fixed w, bilinear in (x, w): the squared output has non-zero second derivatives
        var second = GradCheck.CheckSecondOrder(a => F(a).Square(), [x, wt, b]);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void Winograd_OverSeveralChunksOfImages_EqualsTheSeparateOps()
    {
        // 28×28 outputs with 32 channels in double: one image per 2 MB chunk of transformed products, five
        // chunks. (In float, rounding differences of ~1e-6 flip the maximum of a few near-tied windows among
        // the 31,000 here, which moves their gradient; the small float cases above have no such ties.)
        var rng = new Rng(4);
        var x = Tensor.Randn(new Shape(5, 16, 28, 28), rng, dtype: DType.Float64).RequireGrad();
        var wt = Tensor.Randn(new Shape(32, 16, 5, 5), rng, std: 0.1, dtype: DType.Float64).RequireGrad();
        var b = Tensor.Randn(new Shape(32), rng, dtype: DType.Float64).RequireGrad();
        Assert.True(Descent.Tensors.Kernels.WinogradConvPool.Preferred(new(5, 16, 28, 28, 32, 5, 5, 1, 1, 2, 2, 1, 1)));
        var expected = Composite(x, wt, b, 1, 2);
        var actual = Fused(x, wt, b, 1, 2);
        AssertClose(expected, actual, 1e-11);
        var gz = Tensor.Randn(expected.Shape, rng, dtype: DType.Float64);
        var ge = Autodiff.Grad([expected], [x, wt, b], [gz]);
        var ga = Autodiff.Grad([actual], [x, wt, b], [gz]);
        for (int i = 0; i < 3; i++) AssertClose(ge[i]!, ga[i]!, 1e-10);
    }

    [Fact]
    public void TiesGoToTheFirstMaximum_NonPositiveWindowsPassNoGradient_AndNaNPropagates()
    {
        // a 1×1 kernel of weight 1: the convolution is the identity, so the windows are the input's
        var x = Tensor.From(new double[]
        {
            2, 2, -1, -3, double.NaN, 1, 1, 1,
            2, 2, -2, -1, 1, 1, 1, 1,
        }, 1, 1, 2, 8).RequireGrad();
        var w = Tensor.From(new double[] { 1 }, 1, 1, 1, 1).RequireGrad();
        var z = Fused(x, w, null, 1, 0);
        var zs = z.ToDoubleArray();
        Assert.Equal(new[] { 2.0, 0.0 }, zs[..2]);
        Assert.True(double.IsNaN(zs[2]));
        Assert.Equal(1.0, zs[3]);
        var g = Autodiff.Grad([z], [x], [Tensor.From(new double[] { 10, 20, 30, 40 }, 1, 1, 1, 4)])[0]!.ToDoubleArray();
        // first of the four 2s; nothing for the all-negative window; nothing for the NaN window (NaN > 0 is
        // false, as for ReLU's gradient); the first of the four 1s
        Assert.Equal(new double[] { 10, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, g);
    }

    [Fact]
    public void Sequential_FusesConvReluPool_WithTheSameOutputAndHessianVectorProduct()
    {
        var rng = new Rng(8);
        var conv = new Conv2d(2, 3, 3, padding: 1, rng: rng, dtype: DType.Float64);
        var net = new Sequential(conv, new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3 * 3 * 3, 2, rng: rng, dtype: DType.Float64));
        var x = Tensor.Randn(new Shape(2, 2, 6, 6), rng, dtype: DType.Float64);
        Tensor Manual() => ((Linear)net[4]).Forward(Composite(x, conv.Weight, conv.Bias, 1, 1).Flatten(1));
        AssertClose(Manual(), net.Forward(x), 1e-12);

        var ps = net.Parameters().ToArray();
        var v = ps.Select(p => Tensor.Randn(p.Shape, rng, dtype: DType.Float64)).ToArray();
        var hvFused = Derivatives.Hvp(net.Forward(x).Square().Sum(), ps, v);
        var hvManual = Derivatives.Hvp(Manual().Square().Sum(), ps, v);
        for (int i = 0; i < ps.Length; i++) AssertClose(hvManual[i], hvFused[i], 1e-10);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"element {i}: expected {e[i]}, got {a[i]}");
    }
}

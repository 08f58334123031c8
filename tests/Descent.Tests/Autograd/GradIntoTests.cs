using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Autograd;

/// <summary><see cref="Autodiff.GradInto"/>: the gradients written into caller buffers equal those of
/// <see cref="Autodiff.Grad(Tensor, IReadOnlyList{Tensor}, bool)"/> whether a rule writes into the buffer itself
/// (a weight used once by a matrix product, in every transpose layout and with a batch folded into rows) or the
/// engine copies (a weight used twice, a penalty term), and buffers of inputs not reached are left alone.</summary>
public class GradIntoTests
{
    private static Tensor R(Rng rng, DType dtype, params int[] shape) => Tensor.Randn(new Shape(shape), rng, dtype: dtype).RequireGrad();

    private static void SameAsGrad(Tensor loss, Tensor[] inputs, bool[] expectReached)
    {
        var expected = Autodiff.Grad(loss, inputs);
        var buffers = inputs.Select(x => Tensor.Full(x.Shape, 7.0, x.DType)).ToArray();
        var reached = Autodiff.GradInto(loss, inputs, buffers);
        Assert.Equal(expectReached, reached);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!reached[i])
            {
                Assert.All(buffers[i].ToDoubleArray(), v => Assert.Equal(7.0, v));   // untouched
                continue;
            }
            var want = expected[i]!.ToDoubleArray();
            var got = buffers[i].ToDoubleArray();
            Assert.Equal(want.Length, got.Length);
            for (int j = 0; j < want.Length; j++) Assert.Equal(want[j], got[j], 1e-12 * (1 + Math.Abs(want[j])));
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void AWeightUsedOnceByAMatrixProductMatchesGrad(bool transA, bool transB)
    {
        var rng = new Rng(3);
        var a = R(rng, DType.Float64, transA ? [5, 4] : [4, 5]);
        var w = R(rng, DType.Float64, transB ? [3, 5] : [5, 3]);
        var bias = R(rng, DType.Float64, 3);
        var loss = (Tensor.MatMul(a, w, transA, transB) + bias).Tanh().Square().Sum();
        SameAsGrad(loss, [w, bias, a], [true, true, true]);
    }

    [Fact]
    public void ABatchFoldedIntoRowsMatchesGrad()
    {
        var rng = new Rng(4);
        var x = R(rng, DType.Float32, 2, 3, 5);
        var w = R(rng, DType.Float32, 4, 5);
        var loss = Tensor.MatMul(x, w, transB: true).Exp().Sum();
        var expected = Autodiff.Grad(loss, [w])[0]!.ToDoubleArray();
        var buffer = Tensor.Zeros(w.Shape);
        Assert.Equal([true], Autodiff.GradInto(loss, [w], [buffer]));
        var got = buffer.ToDoubleArray();
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], got[j], 1e-4 * (1 + Math.Abs(expected[j])));
    }

    [Fact]
    public void AWeightUsedTwiceOrPenalizedGetsItsWholeGradient()
    {
        var rng = new Rng(5);
        var x = R(rng, DType.Float64, 4, 3);
        var w = R(rng, DType.Float64, 3, 3);
        var shared = Tensor.MatMul(Tensor.MatMul(x, w).Relu(), w).Sum();
        SameAsGrad(shared, [w], [true]);
        var penalized = Tensor.MatMul(x, w).Sigmoid().Sum() + 0.5 * w.Square().Sum();
        SameAsGrad(penalized, [w], [true]);
    }

    [Fact]
    public void InputsNotReachedAreReportedAndLeftAlone()
    {
        var rng = new Rng(6);
        var x = R(rng, DType.Float64, 2, 3);
        var w = R(rng, DType.Float64, 3, 2);
        var unused = R(rng, DType.Float64, 4);
        SameAsGrad(Tensor.MatMul(x, w).Sum(), [unused, w], [false, true]);
    }

    [Fact]
    public void AMismatchedDestinationIsRefused()
    {
        var w = Tensor.Ones(new Shape(2, 2), DType.Float64).RequireGrad();
        var loss = w.Sum();
        Assert.Throws<ShapeException>(() => Autodiff.GradInto(loss, [w], [Tensor.Zeros(new Shape(4), DType.Float64)]));
        Assert.Throws<ShapeException>(() => Autodiff.GradInto(loss, [w], [Tensor.Zeros(new Shape(2, 2))]));
        Assert.Throws<ArgumentException>(() => Autodiff.GradInto(loss, [w], []));
    }

    [Fact]
    public void BackwardAfterZeroingWritesInPlaceAndStillAccumulatesOtherwise()
    {
        var rng = new Rng(8);
        var x = R(rng, DType.Float64, 6, 5);
        var w = R(rng, DType.Float64, 4, 5);
        var b = R(rng, DType.Float64, 4);
        Tensor Loss() => (Tensor.MatMul(x, w, transB: true) + b).Tanh().Sum();
        var expected = Autodiff.Grad(Loss(), [w, b]).Select(g => g!.ToDoubleArray()).ToArray();
        w.Grad = Tensor.ZerosUnscoped(w.Shape, DType.Float64);   // a zeroed buffer (what ZeroGrad leaves)
        b.Grad = Tensor.ZerosUnscoped(b.Shape, DType.Float64);
        var wBuffer = w.Grad;
        Loss().Backward();
        Assert.Same(wBuffer, w.Grad);
        Assert.Equal(expected[0], w.Grad!.ToDoubleArray());
        Assert.Equal(expected[1], b.Grad!.ToDoubleArray());
        Loss().Backward();   // not zero any more: accumulates
        var twice = w.Grad!.ToDoubleArray();
        for (int j = 0; j < twice.Length; j++) Assert.Equal(2 * expected[0][j], twice[j], 1e-12);
    }
}

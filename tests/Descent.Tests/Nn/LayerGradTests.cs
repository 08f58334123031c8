using Descent.Nn;
using Descent.Tensors;
using static Descent.Tests.Nn.LayerGradCheck;

namespace Descent.Tests.Nn;

/// <summary>Every layer's first and second derivatives, with respect to input and parameters.</summary>
public class LayerGradTests
{
    private const DType F64 = DType.Float64;

    [Fact]
    public void Linear() => Verify(new Linear(3, 4, rng: new Rng(1), dtype: F64), Randn(2, 2, 3));

    [Fact]
    public void LinearWithoutBiasOnBatchedSequences() =>
        Verify(new Linear(3, 2, bias: false, rng: new Rng(1), dtype: F64), Randn(2, 2, 2, 3));

    public static TheoryData<string> ActivationNames => new() { "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "gelu", "linear" };

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Activation(string name)
    {
        // Keep inputs away from the kinks of ReLU-like functions, where differences are not derivatives.
        var x = Randn(3, 3, 4);
        var d = x.Doubles;
        for (int i = 0; i < d.Length; i++) if (Math.Abs(d[i]) < 0.05) d[i] += 0.1;
        Verify(Activations.Create(name), x);
    }

    [Fact]
    public void FlattenAndSequential() =>
        Verify(new Sequential(new Flatten(), new Linear(6, 3, rng: new Rng(4), dtype: F64), new Tanh(), new Linear(3, 2, rng: new Rng(5), dtype: F64)),
            Randn(6, 2, 2, 3));

    [Fact]
    public void ResidualWithAndWithoutSkip()
    {
        foreach (var skip in new[] { true, false })
            Verify(new Residual(new Sequential(new Linear(3, 3, rng: new Rng(7), dtype: F64), new Tanh()), skip), Randn(8, 2, 3));
    }

    [Fact]
    public void BatchNorm1dTrainingAndEval()
    {
        var bn = new BatchNorm1d(3, dtype: F64);
        Verify(bn, Randn(9, 4, 3));
        bn.Eval();
        Verify(bn, Randn(10, 4, 3));
    }

    [Fact]
    public void BatchNorm1dOnSequences() => Verify(new BatchNorm1d(2, dtype: F64), Randn(11, 3, 2, 2));

    [Fact]
    public void BatchNorm2d() => Verify(new BatchNorm2d(2, dtype: F64), Randn(12, 2, 2, 2, 2));

    [Fact]
    public void MeanOnlyBatchNorm() => Verify(new BatchNorm2d(2, meanOnly: true, dtype: F64), Randn(13, 2, 2, 2, 2));

    [Fact]
    public void WeightNormalizedLinear() => Verify(new WeightNorm(new Linear(3, 2, rng: new Rng(14), dtype: F64)), Randn(15, 2, 3));

    [Fact]
    public void Lstm() => Verify(new Lstm(2, 3, rng: new Rng(16), dtype: F64), Randn(17, 2, 3, 2));

    [Fact]
    public void LstmLastStateOnly() => Verify(new Lstm(2, 2, returnSequences: false, rng: new Rng(18), dtype: F64), Randn(19, 2, 2, 2));

    [Fact]
    public void Conv2dWithStridePaddingDilation()
    {
        Verify(new Conv2d(2, 3, 3, stride: 1, padding: 1, rng: new Rng(21), dtype: F64), Randn(22, 2, 2, 4, 4));
        Verify(new Conv2d(1, 2, (2, 3), (2, 1), (0, 1), (1, 2), bias: false, rng: new Rng(23), dtype: F64), Randn(24, 1, 1, 5, 5));
    }

    [Fact]
    public void Pooling()
    {
        // Distinct values, so max pooling has no ties within a window.
        var x = Tensor.From(Enumerable.Range(0, 2 * 2 * 4 * 4).Select(i => Math.Sin(1.7 * i + 0.3) * (1 + 0.01 * i)).ToArray(), 2, 2, 4, 4);
        Verify(new MaxPool2d(2), x);
        Verify(new MaxPool2d(3, stride: 1, padding: 1), x);
        Verify(new AvgPool2d(2), x);
        Verify(new AvgPool2d(3, stride: 2, padding: 1), x);
    }

    [Fact]
    public void SmallConvNet() =>
        Verify(new Sequential(new Conv2d(1, 2, 3, padding: 1, rng: new Rng(25), dtype: F64), new BatchNorm2d(2, dtype: F64), new Tanh(),
            new AvgPool2d(2), new Flatten(), new Linear(8, 3, rng: new Rng(26), dtype: F64)), Randn(27, 2, 1, 4, 4));

    [Fact]
    public void DropoutWithAFixedMask()
    {
        // A fresh layer with the same seed per evaluation: the mask is a constant of the function.
        var x = Randn(20, 3, 4);
        var first = Descent.Autograd.GradCheck.Check(xs => new Dropout(0.3, new Rng(5)).Forward(xs[0]), [x]);
        Assert.True(first.Passed, first.ToString());
        var second = Descent.Autograd.GradCheck.CheckSecondOrder(xs => new Dropout(0.3, new Rng(5)).Forward(xs[0]).Square(), [x]);
        Assert.True(second.Passed, second.ToString());
    }
}

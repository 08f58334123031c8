using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

/// <summary>With zero last-layer weights and the output-bias scheme, the network starts as the best constant
/// predictor: its loss at step 0 is the loss of the marginal, and the bias gradient is zero.</summary>
public class OutputBiasTests
{
    private static Sequential Net(int inputs, int outputs, Tensor targets, OutputLoss loss, int classes = 0) =>
        Build(inputs, outputs, OutputBias.Scheme(loss, targets, classes));

    private static Sequential Build(int inputs, int outputs, InitScheme outputBias)
    {
        var net = new Sequential(new Dense(inputs, 16, DType.Float64), new Tanh(), new Dense(16, outputs, DType.Float64));
        new InitPlan()
            .Add("kind:weight=glorot_uniform")
            .Add("kind:bias=constant:0.01")
            .Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Weight), InitScheme.Zeros)
            .Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Bias), outputBias)
            .Apply(net, seed: 4);
        return net;
    }

    private static Tensor Inputs(int n) => Tensor.Randn(new Shape(n, 5), new Rng(1), dtype: DType.Float64);

    private static double BiasGradNorm(Sequential net) => ((Dense)net[2]).Bias.Grad!.ToDoubleArray().Max(Math.Abs);

    [Fact]
    public void SoftmaxStartsAtTheEntropyOfTheClassFrequencies()
    {
        int[] counts = [50, 30, 15, 5, 0];
        var labels = counts.SelectMany((c, k) => Enumerable.Repeat(k, c)).ToArray();
        int n = labels.Length;
        var y = Tensor.From(labels.Select(l => (double)l).ToArray(), n);
        var net = Net(5, 5, y, OutputLoss.SoftmaxCrossEntropy, classes: 5);

        var logp = net.Forward(Inputs(n)).LogSoftmax(1);
        var loss = -(logp * Tensor.OneHot(labels, 5, DType.Float64)).Sum() / n;
        loss.Backward();
        double entropy = -counts.Where(c => c > 0).Sum(c => (double)c / n * Math.Log((double)c / n));
        // The absent class gets probability ½/N instead of 0, which costs a little: (½/N)/(1+½/N) ≈ 0.005 nats here.
        Assert.InRange(loss.Item() - entropy, 0, 0.006);
        Assert.True(BiasGradNorm(net) < 0.006);

        // With every class present the match is exact, softmax(b) = the priors, and the bias is stationary.
        var present = labels.Concat([4, 4, 4, 4, 4]).ToArray();
        var b = OutputBias.LogPriors(present, 5);
        var sm = b.Softmax(0).ToDoubleArray();
        for (int k = 0; k < 5; k++) Assert.Equal((k == 4 ? 5.0 : counts[k]) / present.Length, sm[k], 12);
    }

    [Fact]
    public void SquaredErrorStartsAtTheVarianceOfTheTargets()
    {
        var rng = new Rng(3);
        var y = Tensor.Randn(new Shape(200, 2), rng, 4, 2, DType.Float64);
        var net = Net(5, 2, y, OutputLoss.SquaredError);
        var loss = (net.Forward(Inputs(200)) - y).Square().Mean();
        loss.Backward();
        var v = y.ToDoubleArray();
        double varTargets = (Stats.Variance(v.Where((_, i) => i % 2 == 0).ToArray()) + Stats.Variance(v.Where((_, i) => i % 2 == 1).ToArray())) / 2;
        Assert.Equal(varTargets, loss.Item(), 10);
        Assert.True(BiasGradNorm(net) < 1e-12);
    }

    [Fact]
    public void BinaryCrossEntropyStartsAtTheBinaryEntropyOfThePositiveRate()
    {
        int n = 160, positives = 24;
        var y = Tensor.From(Enumerable.Range(0, n).Select(i => i < positives ? 1.0 : 0.0).ToArray(), n, 1);
        var net = Net(5, 1, y, OutputLoss.BinaryCrossEntropy);
        var z = net.Forward(Inputs(n));
        var loss = (z.Softplus() - y * z).Mean(); // BCE on logits: log(1 + eᶻ) − y·z
        loss.Backward();
        double p = (double)positives / n;
        Assert.Equal(-p * Math.Log(p) - (1 - p) * Math.Log(1 - p), loss.Item(), 10);
        Assert.True(BiasGradNorm(net) < 1e-12);
    }

    [Fact]
    public void BadTargetsAreReported()
    {
        Assert.Throws<DataFormatException>(() => OutputBias.LogPriors([0, 3], 3));
        Assert.Throws<DataFormatException>(() => OutputBias.LogitPositiveRate(Tensor.From(new[] { 0.0, 2.0 }, 2)));
        Assert.Throws<ShapeException>(() => OutputBias.MeanTarget(Tensor.Zeros(new Shape(2, 2, 2))));
        var e = Assert.Throws<ShapeException>(() => Build(5, 3, InitScheme.Values(Tensor.Zeros(new Shape(2)), "output_bias")));
        Assert.Contains("output_bias", e.Message);
    }
}

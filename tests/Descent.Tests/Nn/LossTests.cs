using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class LossTests
{
    private static Tensor M(double[,] v) => Tensor.From(v);

    [Fact]
    public void CrossEntropyMatchesPyTorchsValue()
    {
        // −log softmax([1, 2, 3])₂ = log(e + e² + e³) − 3.
        var loss = new CrossEntropy().Compute(M(new double[,] { { 1, 2, 3 } }), new[] { 2 });
        Assert.Equal(0.40760596, loss.Item(), 8);
        Assert.Equal(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3, loss.Item(), 12);
    }

    [Fact]
    public void CrossEntropyAveragesOverTheBatchAndIsStable()
    {
        var z = M(new double[,] { { 1, 2, 3 }, { 1000, 0, -1000 } });
        var loss = new CrossEntropy().Compute(z, new[] { 2, 1 }).Item();
        double expected = ((Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3) + 1000) / 2;
        Assert.Equal(expected, loss, 9);
    }

    [Fact]
    public void CrossEntropySoftTargetsEqualHardOnesWhenOneHot()
    {
        var z = Tensor.Randn(new Shape(4, 5), new Rng(1), dtype: DType.Float64);
        int[] y = [0, 4, 2, 2];
        var hard = new CrossEntropy().Compute(z, y).Item();
        var soft = new CrossEntropy().Compute(z, Tensor.OneHot(y, 5, DType.Float64)).Item();
        Assert.Equal(hard, soft, 12);
        // A uniform target gives the mean negative log-probability over classes.
        var uniform = Tensor.Full(new Shape(4, 5), 0.2, DType.Float64);
        var logp = z.LogSoftmax(1);
        Assert.Equal(-0.2 * logp.Sum().Item() / 4, new CrossEntropy().Compute(z, uniform).Item(), 12);
    }

    [Fact]
    public void NegativeLogLikelihoodPicksTheTargetLogProbability()
    {
        var logp = M(new double[,] { { -0.1, -2.0 }, { -1.5, -0.3 } });
        Assert.Equal((2.0 + 0.3) / 2, new NegativeLogLikelihood().Compute(logp, new[] { 1, 1 }).Item(), 12);
        var z = Tensor.Randn(new Shape(3, 4), new Rng(2), dtype: DType.Float64);
        int[] y = [3, 0, 1];
        Assert.Equal(new CrossEntropy().Compute(z, y).Item(), new NegativeLogLikelihood().Compute(z.LogSoftmax(1), y).Item(), 12);
    }

    [Fact]
    public void MeanSquaredErrorIsTheMeanOverAllElements()
    {
        var p = M(new double[,] { { 1, 2 }, { 3, 4 } });
        var t = M(new double[,] { { 0, 2 }, { 5, 1 } });
        Assert.Equal((1 + 0 + 4 + 9) / 4.0, new MeanSquaredError().Compute(p, t).Item(), 12);
        // [N] targets for [N, 1] predictions; class targets compare one-hot.
        Assert.Equal(((1 - 2) * (1 - 2) + (3 - 1) * (3 - 1)) / 2.0,
            new MeanSquaredError().Compute(Tensor.From([1.0, 3.0], 2, 1), Tensor.From([2.0, 1.0])).Item(), 12);
        Assert.Equal(((1 - 0) * (1 - 0) + (2 - 1) * (2 - 1) + (3 - 1) * (3 - 1) + (4 - 0) * (4 - 0)) / 4.0,
            new MeanSquaredError().Compute(p, new[] { 1, 0 }).Item(), 12);
    }

    [Fact]
    public void BinaryCrossEntropyFromProbabilitiesAndLogits()
    {
        var prob = Tensor.From([0.8, 0.3, 0.5], 3);
        var t = Tensor.From([1.0, 0.0, 1.0], 3);
        double expected = -(Math.Log(0.8) + Math.Log(0.7) + Math.Log(0.5)) / 3;
        Assert.Equal(expected, new BinaryCrossEntropy().Compute(prob, t).Item(), 12);
        Assert.Equal(expected, new BinaryCrossEntropy().Compute(prob, new[] { 1, 0, 1 }).Item(), 12);

        var z = Tensor.From([2.0, -1.0, 0.0], 3);
        var viaProb = new BinaryCrossEntropy().Compute(z.Sigmoid(), t).Item();
        var viaLogits = new BinaryCrossEntropyWithLogits().Compute(z, t).Item();
        Assert.Equal((Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-1)) + Math.Log(2)) / 3, viaLogits, 12);
        Assert.Equal(viaLogits, viaProb, 10);
        // The logit form stays exact where σ(z) rounds to 1: −log(1 − σ(40)) = 40 + log(1 + e⁻⁴⁰).
        var far = new BinaryCrossEntropyWithLogits().Compute(Tensor.From([40.0, -40.0], 2), Tensor.From([0.0, 1.0], 2)).Item();
        Assert.Equal(40 + Math.Log(1 + Math.Exp(-40)), far, 12);
        // Clamping keeps a certain-but-wrong probability finite.
        Assert.True(double.IsFinite(new BinaryCrossEntropy().Compute(Tensor.From([0.0, 1.0], 2), Tensor.From([1.0, 0.0], 2)).Item()));
    }

    [Fact]
    public void HingeMatchesPyTorchsMultiMarginExample()
    {
        // torch.nn.MultiMarginLoss docs: x = [0.1, 0.2, 0.4, 0.8], y = 3 → 0.25·((1−0.7) + (1−0.6) + (1−0.4)) = 0.325.
        var x = M(new double[,] { { 0.1, 0.2, 0.4, 0.8 } });
        Assert.Equal(0.325, new Hinge().Compute(x, new[] { 3 }).Item(), 12);
        // Squared hinge and a satisfied margin.
        Assert.Equal(0.25 * (0.09 + 0.16 + 0.36), new Hinge(power: 2).Compute(x, new[] { 3 }).Item(), 12);
        Assert.Equal(0, new Hinge().Compute(M(new double[,] { { 5, 0, 1 } }), new[] { 0 }).Item(), 12);
    }

    public static TheoryData<string> Names => new() { "mse", "cross_entropy", "bce", "bce_logits", "nll", "hinge" };

    [Theory]
    [MemberData(nameof(Names))]
    public void FactoryAndGradients(string name)
    {
        var loss = Loss.Create(name);
        Assert.Equal(name, loss.Name);
        var z = Tensor.Randn(new Shape(3, 4), new Rng(5), dtype: DType.Float64);
        Targets targets = name switch
        {
            "bce" or "bce_logits" or "mse" => Tensor.Rand(new Shape(3, 4), new Rng(6), dtype: DType.Float64),
            _ => new[] { 1, 3, 0 },
        };
        Func<Tensor[], Tensor> f = name switch
        {
            "bce" => xs => loss.Compute(xs[0].Sigmoid(), targets),
            "nll" => xs => loss.Compute(xs[0].LogSoftmax(1), targets),
            _ => xs => loss.Compute(xs[0], targets),
        };
        var first = GradCheck.Check(f, [z]);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(f, [z]);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void UnknownLossNameListsTheValidOnes()
    {
        var e = Assert.Throws<ConfigurationException>(() => Loss.Create("crossentropy"));
        Assert.Contains("crossentropy", e.Message);
        foreach (var n in Loss.ValidNames) Assert.Contains(n, e.Message);
        Assert.IsType<BinaryCrossEntropyWithLogits>(Loss.Create("BCE-Logits"));
    }

    [Fact]
    public void MismatchedTargetsAreShapeErrors()
    {
        var z = Tensor.Zeros(new Shape(3, 4));
        Assert.Throws<ShapeException>(() => new CrossEntropy().Compute(z, new[] { 0, 1 }));
        Assert.Throws<ShapeException>(() => new CrossEntropy().Compute(z, new[] { 0, 1, 4 }));
        Assert.Throws<ShapeException>(() => new MeanSquaredError().Compute(z, Tensor.Zeros(new Shape(3, 3))));
        Assert.Throws<ConfigurationException>(() => new NegativeLogLikelihood().Compute(z, z));
    }

    [Fact]
    public void AccuracyCountsArgMaxHits()
    {
        var logits = M(new double[,] { { 0.1, 0.9 }, { 0.8, 0.2 }, { 0.3, 0.7 }, { 0.6, 0.4 } });
        Assert.Equal(0.75, Metrics.Accuracy(logits, [1, 0, 0, 0]));
        Assert.Equal(3, Metrics.Correct(logits, [1, 0, 0, 0]));
    }
}

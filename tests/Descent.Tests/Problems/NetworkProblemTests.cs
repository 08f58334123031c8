using Descent.Data;
using Descent.Nn;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Tests.Problems;

public class NetworkProblemTests
{
    [Theory]
    [InlineData(0.3, -0.7)]
    [InlineData(1.2, 0.4)]
    public void TwoLayerObjectiveEqualsExampleE(double w, double v)
    {
        foreach (var tanh in new[] { false, true })
        {
            var p = new TwoLayerScalar(tanh);
            var data = p.LoadData(new ProblemContext()).Train;
            var model = p.Build(w, v);
            var obj = new Objective(model, p.Loss, p.Penalties.ToArray());
            var batch = data.Batch([0]);
            obj.SetBatch(batch.Inputs, batch.Targets!);
            Assert.Equal(TimeSpan.Zero, obj.LastForwardTime);
            double f = obj.Evaluate();
            Assert.Equal(p.Energy(w, v), f, 12);
            Assert.True(obj.LastForwardTime > TimeSpan.Zero && obj.LastBackwardTime > TimeSpan.Zero);   // what the bench reports
            // ∂E/∂v = 2(v·h − 1)·h + 2λv, with h = W or tanh W
            double h = tanh ? Math.Tanh(w) : w;
            Assert.Equal(2 * (v * h - 1) * h + 2 * TwoLayerScalar.Lambda * v, obj.Parameters.Grads.ToDoubleArray()[1], 10);
        }
    }

    [Fact]
    public void TwoLayerLinearOriginIsASaddle()
    {
        var p = new TwoLayerScalar(tanh: false);
        var data = p.LoadData(new ProblemContext()).Train.Batch([0]);
        var obj = new Objective(p.Build(0, 0), p.Loss, p.Penalties.ToArray());
        obj.SetBatch(data.Inputs, data.Targets!);
        obj.Evaluate();
        Assert.All(obj.Parameters.Grads.ToDoubleArray(), g => Assert.Equal(0, g, 14));
        var h = Descent.Autograd.Derivatives.Hessian(obj.Value, obj.Parameters.Values.Clone());
        // H = [[2λ, −2], [−2, 2λ]]: eigenvalues 2λ ± 2, one negative.
        Assert.Equal(0.2, h[0, 0], 12);
        Assert.Equal(-2, h[0, 1], 12);
    }

    [Fact]
    public void QuadraticDeepHasTheDeepObsSpectrum()
    {
        var q = QuadraticDeep.HessianMatrix(0);
        int n = QuadraticDeep.Dimension;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) Assert.Equal(q[i, j], q[j, i], 10);
        // trace = Σλ: 90 draws from U(0,1) and 10 from U(30,60) → between 300 and 690.
        double trace = Enumerable.Range(0, n).Sum(i => q[i, i]);
        Assert.InRange(trace, 300, 690);
        var p = new QuadraticDeep();
        var model = p.BuildModel(0);
        Assert.Equal(n, model.ParameterCount);
        var x = Tensor.Zeros(new Shape(3, n));
        // at θ = 1, x = 0: loss = ½ 1ᵀQ1
        double expected = 0.5 * Enumerable.Range(0, n).Sum(i => Enumerable.Range(0, n).Sum(j => q[i, j]));
        Assert.Equal(expected, p.Loss.Compute(model.Forward(x), Tensor.Zeros(new Shape(3, 1))).Item(), 2);
    }

    [Fact]
    public void AddingProblemTargetsAreTheSumOfTheMarkedValues()
    {
        var p = new LstmAdding(length: 10, hidden: 4);
        var d = p.Generate(50, new Rng(3), "t");
        for (int n = 0; n < 50; n++)
        {
            double s = 0; int marks = 0;
            for (int t = 0; t < 10; t++)
                if (d.Features[n, t, 1] == 1) { s += d.Features[n, t, 0]; marks++; }
            Assert.Equal(2, marks);
            Assert.Equal(s, d.Targets![n, 0], 5);
        }
        var y = p.BuildModel(1).Forward(d.Batch([0, 1, 2]).Inputs);
        Assert.Equal(new Shape(3, 1), y.Shape);
    }

    [Theory]
    [InlineData("fmnist_logreg", 7850)]
    [InlineData("fmnist_mlp", 784 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 100 + 100 + 100 * 10 + 10)]
    [InlineData("fmnist_2c2d", 32 * 25 + 32 + 64 * 32 * 25 + 64 + 3136 * 1024 + 1024 + 1024 * 10 + 10)]
    [InlineData("deep_plain", 784 * 64 + 64 + 16 * (64 * 64 + 64) + 64 * 10 + 10)]
    [InlineData("deep_skip_bn", 784 * 64 + 64 + 16 * (64 * 64 + 64 + 2 * 64) + 64 * 10 + 10)]
    public void FashionMnistModelsHaveTheDocumentedSizes(string name, int parameters)
    {
        var p = ProblemCatalog.Create(name);
        var m = p.BuildModel(0);
        Assert.Equal(parameters, m.ParameterCount);
        var x = name == "fmnist_2c2d" ? Tensor.Zeros(new Shape(2, 1, 28, 28)) : Tensor.Zeros(new Shape(2, 784));
        Assert.Equal(new Shape(2, 10), m.Forward(x).Shape);
    }

    [Fact]
    public void SkipConnectionsChangeTheFunctionNotTheParameterCount()
    {
        var plain = ProblemCatalog.Create("deep_plain").BuildModel(5);
        var skip = ProblemCatalog.Create("deep-skip").BuildModel(5);
        Assert.Equal(plain.ParameterCount, skip.ParameterCount);
        var x = Tensor.Randn(new Shape(2, 784), new Rng(1));
        Assert.NotEqual(plain.Forward(x).ToArray(), skip.Forward(x).ToArray());
    }

    [Fact]
    public void UnknownProblemListsTheKnownOnes()
    {
        var ex = Assert.Throws<ConfigurationException>(() => ProblemCatalog.Create("mnist_resnet"));
        Assert.Contains("fmnist_mlp", ex.Message);
    }

    [Fact]
    public void FashionMnistProblemLoadsThreeDisjointSplits()
    {
        var s = new FashionMnistLogReg().LoadData(new ProblemContext());
        Assert.True(s.Train.Count > s.Validation.Count);
        Assert.Equal(784, s.Train.FeatureCount);
        Assert.False(string.IsNullOrEmpty(s.Source));
    }
}

using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

public class LsuvTests
{
    /// <summary>The output variance of every layer that has a weight, measured afresh after LSUV finished.</summary>
    private static List<double> LayerVariances(Sequential model, Tensor batch)
    {
        var result = new List<double>();
        using var _ = Autodiff.NoGrad();
        var x = batch;
        foreach (var m in model.Layers)
        {
            x = m.Forward(x);
            if (m is Dense or Conv) result.Add(Stats.Variance(x));
        }
        return result;
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.01)]
    public void EveryLayerOutputsUnitVarianceOnTheBatch(double tolerance)
    {
        var model = new Sequential(
            new Dense(20, 64), new Tanh(),
            new Dense(64, 64), new ReLU(),
            new Dense(64, 32), new Tanh(),
            new Dense(32, 10));
        var batch = Tensor.Randn(new Shape(256, 20), new Rng(8), 0, 3); // far from unit variance
        Assert.True(Math.Abs(LayerVariances(model, batch)[0] - 1) > 0.5, "the test starts away from unit variance");

        var report = Lsuv.Apply(model, batch, new LsuvOptions(Tolerance: tolerance, MaxIterations: 20, Seed: 3));

        Assert.Equal(["0", "2", "4", "6"], report.Select(r => r.Name).ToArray());
        Assert.All(report, r => Assert.True(r.Converged, $"layer {r.Name}: variance {r.Variance} after {r.Iterations} iterations"));
        var measured = LayerVariances(model, batch);
        Assert.Equal(4, measured.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(measured[i] - 1) < tolerance, $"layer {i} output variance {measured[i]}");
            Assert.Equal(report[i].Variance, measured[i], 6);
        }
    }

    [Fact]
    public void StartsFromOrthogonalDirectionsAndOnlyRescalesThem()
    {
        var layer = new Dense(30, 20);
        var model = new Sequential(layer, new Tanh());
        var report = Lsuv.Apply(model, Tensor.Randn(new Shape(128, 30), new Rng(2), 0, 3), new LsuvOptions(Seed: 9));
        // After LSUV the rows are still orthogonal and share one norm: W = s·Q with QQᵀ = I.
        var w = layer.Weight.ToDoubleArray();
        double Dot(int i, int j) => Enumerable.Range(0, 30).Sum(k => w[i * 30 + k] * w[j * 30 + k]);
        double s2 = Dot(0, 0);
        Assert.True(report[0].Iterations >= 1);
        for (int i = 0; i < 20; i++)
            for (int j = 0; j < 20; j++)
                Assert.True(Math.Abs(Dot(i, j) - (i == j ? s2 : 0)) < 1e-5 * s2, $"W·Wᵀ[{i},{j}] = {Dot(i, j)}");
    }

    [Fact]
    public void WorksThroughConvolutionsAndNestedSequentials()
    {
        var model = new Sequential(
            new Sequential(new Conv(3, 8, 3), new ReLU()),
            new Conv(8, 8, 3), new Tanh(),
            new Flatten(), new Dense(8 * 6 * 6, 5));
        var batch = Tensor.Randn(new Shape(16, 3, 6, 6), new Rng(4), 0, 0.2);
        var report = Lsuv.Apply(model, batch);
        Assert.Equal(["0.0", "1", "4"], report.Select(r => r.Name).ToArray());
        Assert.All(report, r => Assert.True(r.Converged && Math.Abs(r.Variance - 1) < 0.1, $"{r.Name}: {r.Variance}"));
    }

    [Fact]
    public void BadSettingsAreConfigurationErrors()
    {
        var model = new Sequential(new Dense(2, 2));
        Assert.Throws<ConfigurationException>(() => Lsuv.Apply(model, Tensor.Ones(new Shape(4, 2)), new LsuvOptions(Tolerance: 0)));
        Assert.Throws<ConfigurationException>(() => Lsuv.Apply(model, Tensor.Ones(new Shape(4, 2)), new LsuvOptions(MaxIterations: 0)));
    }
}

using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class DropoutTests
{
    [Fact]
    public void IdentityInEvaluation()
    {
        var d = new Dropout(0.5, new Rng(1));
        d.Eval();
        var x = Tensor.Randn(new Shape(10, 10), new Rng(2));
        Assert.Equal(x.ToArray(), d.Forward(x).ToArray());
    }

    [Fact]
    public void ZeroesAboutPAndKeepsTheMeanInTraining()
    {
        const double p = 0.3;
        var d = new Dropout(p, new Rng(3));
        var x = Tensor.Full(new Shape(200, 100), 2.0, DType.Float64);
        var y = d.Forward(x).ToDoubleArray();
        double zeros = y.Count(v => v == 0) / (double)y.Length;
        Assert.Equal(p, zeros, 0.02);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 2 / (1 - p)) < 1e-12));
        Assert.Equal(2.0, y.Average(), 0.05);
    }

    [Fact]
    public void MasksAreReproducibleFromTheSeedAndChangeBetweenCalls()
    {
        var x = Tensor.Ones(new Shape(50));
        var a = new Dropout(0.5, new Rng(4));
        var b = new Dropout(0.5, new Rng(4));
        var a1 = a.Forward(x).ToArray();
        Assert.Equal(a1, b.Forward(x).ToArray());
        Assert.NotEqual(a1, a.Forward(x).ToArray());
    }

    [Fact]
    public void RejectsInvalidProbability()
    {
        var e = Assert.Throws<ConfigurationException>(() => new Dropout(1.0));
        Assert.Contains("[0, 1)", e.Message);
    }
}

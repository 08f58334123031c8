using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class WeightNormTests
{
    [Fact]
    public void ReplacesTheWeightByGAndVAndStartsWithTheSameFunction()
    {
        var lin = new Linear(3, 2, rng: new Rng(1), dtype: DType.Float64);
        var x = Tensor.Randn(new Shape(4, 3), new Rng(2), dtype: DType.Float64);
        var before = lin.Forward(x).ToDoubleArray();
        var wn = new WeightNorm(lin);
        var names = wn.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(["weight_g", "weight_v", "module.bias"], names);
        Assert.Equal(ParameterKind.NormScale, wn.G.Kind);
        Assert.Equal(ParameterKind.Weight, wn.V.Kind);
        Assert.Equal(new Shape(2, 1), wn.G.Shape);
        Assert.Equal(2 + 6 + 2, wn.ParameterCount);
        var after = wn.Forward(x).ToDoubleArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i], 12);
    }

    [Fact]
    public void EachOutputUnitHasLengthG()
    {
        var conv = new Conv2d(2, 3, 2, rng: new Rng(3), dtype: DType.Float64);
        var wn = new WeightNorm(conv);
        using (Descent.Autograd.Autodiff.NoGrad())
        {
            wn.G.Fill(0.5);
            wn.V.MulInPlace(7);
        }
        var w = wn.Weight();
        for (int o = 0; o < 3; o++)
        {
            double sq = 0;
            for (int c = 0; c < 2; c++)
                for (int i = 0; i < 2; i++)
                    for (int j = 0; j < 2; j++) sq += w[o, c, i, j] * w[o, c, i, j];
            Assert.Equal(0.5, Math.Sqrt(sq), 12);
        }
        Assert.Equal(new Shape(1, 3, 2, 2), wn.Forward(Tensor.Zeros(new Shape(1, 2, 3, 3), DType.Float64)).Shape);
    }

    [Fact]
    public void TrainsThroughTheFlatBuffer()
    {
        var wn = new WeightNorm(new Linear(3, 2, rng: new Rng(4)));
        var flat = wn.Flat;
        Assert.Equal(10, flat.Count);
        wn.Forward(Tensor.Randn(new Shape(5, 3), new Rng(5))).Square().Sum().Backward();
        Assert.All(flat.Slots, s => Assert.Contains(s.Parameter.Grad!.ToArray(), v => v != 0));
    }

    [Fact]
    public void UnknownWeightNameIsAConfigurationError()
    {
        var e = Assert.Throws<ConfigurationException>(() => new WeightNorm(new Linear(2, 2), "kernel"));
        Assert.Contains("weight", e.Message);
    }
}

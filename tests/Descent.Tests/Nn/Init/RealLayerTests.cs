using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

/// <summary>Plans and LSUV on the library's layers (Linear, Conv2d, Lstm, BatchNorm).</summary>
public class RealLayerTests
{
    [Fact]
    public void PlansReachEveryLayerKind()
    {
        var lstm = new Lstm(6, 5, returnSequences: false);
        var conv = new Conv2d(3, 4, 3, padding: 1);
        var bn = new BatchNorm2d(4);
        var head = new Linear(5, 3);
        var model = new Sequential(conv, bn, new ReLU(), lstm, head);
        var plan = InitPlan.Standard(InitScheme.Parse("he_normal"), hiddenBias: 0.01)
            .Add("type:lstm&kind:weight=orthogonal")
            .Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Bias),
                 OutputBias.Scheme(OutputLoss.SoftmaxCrossEntropy, Tensor.From(new[] { 0.0, 0, 1, 2 }, 4), classes: 3));
        var done = plan.Apply(model, seed: 3).ToDictionary(a => a.Name, a => a.Scheme.Text);

        Assert.Equal("he_normal:fan_in,relu", done["0.weight"]);
        Assert.Equal("orthogonal", done["3.weight_ih"]);
        Assert.Equal("orthogonal", done["3.weight_hh"]);
        Assert.Equal("constant:1", done["3.forget_bias"]);
        Assert.Equal("constant:0.01", done["3.bias"]);
        Assert.Equal("output_bias:log_priors[3]", done["4.bias"]);
        Assert.DoesNotContain("1.weight", done.Keys); // BatchNorm's γ and β keep their defaults
        Assert.All(lstm.ForgetBias.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.Scale!.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal([Math.Log(0.5), Math.Log(0.25), Math.Log(0.25)], head.Bias!.ToDoubleArray(), new ToleranceComparer(1e-6));
        // He on the conv kernel [4, 3, 3, 3]: fan_in = 27.
        Assert.InRange(Stats.Variance(conv.Weight), 2.0 / 27 * 0.5, 2.0 / 27 * 1.6);
    }

    [Fact]
    public void LsuvOnLinearAndConvolutionLayers()
    {
        var model = new Sequential(
            new Conv2d(1, 6, 3, padding: 1), new ReLU(),
            new Flatten(), new Linear(6 * 8 * 8, 32), new Tanh(),
            new Linear(32, 4));
        InitPlan.Parse("kind:bias=zeros").Apply(model, seed: 1);
        var batch = Tensor.Randn(new Shape(64, 1, 8, 8), new Rng(6), 0, 5);
        var report = Lsuv.Apply(model, batch, new LsuvOptions(Tolerance: 0.05, Seed: 2));
        Assert.Equal(["0", "3", "5"], report.Select(r => r.Name).ToArray());
        Assert.All(report, r => Assert.True(r.Converged, $"{r.Name}: {r.Variance}"));
        using var _ = Autodiff.NoGrad();
        var h = model[0].Forward(batch);
        Assert.InRange(Stats.Variance(h), 0.95, 1.05);
        h = model[3].Forward(model[2].Forward(model[1].Forward(h)));
        Assert.InRange(Stats.Variance(h), 0.95, 1.05);
        Assert.InRange(Stats.Variance(model.Forward(batch)), 0.95, 1.05);
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;

        public int GetHashCode(double x) => 0;
    }
}

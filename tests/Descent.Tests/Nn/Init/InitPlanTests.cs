using Descent.Nn;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

public class InitPlanTests
{
    private static Sequential Model() => new(
        new Dense(6, 8), new ReLU(),
        new Sequential(new GatedCell(8, 4)),
        new Dense(16, 3));

    private static Dictionary<string, string> Schemes(InitPlan plan, Module model) =>
        plan.Resolve(model).ToDictionary(a => a.Name, a => a.Scheme.Text);

    [Fact]
    public void SitesKnowTheirOwnerAndLayerPosition()
    {
        var sites = ParameterSite.Of(Model());
        Assert.Equal(["0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.0.forget_bias", "3.weight", "3.bias"], sites.Select(s => s.Name).ToArray());
        Assert.Equal([0, 0, 1, 1, 1, 2, 2], sites.Select(s => s.Layer).ToArray());
        Assert.All(sites, s => Assert.Equal(3, s.LayerCount));
        Assert.IsType<GatedCell>(sites[4].Owner);
    }

    [Fact]
    public void TheLastMatchingRuleWinsAndUnmatchedParametersAreLeftAlone()
    {
        var model = Model();
        var plan = InitPlan.Parse(
            "kind:weight=glorot_uniform; kind:bias=constant:0.01; type:gatedcell&kind:weight=orthogonal;" +
            "name:*forget_bias=constant:1; layer:last&kind:bias=zeros; layer:first&kind:weight=he_normal");
        var s = Schemes(plan, model);
        Assert.Equal("he_normal:fan_in,relu", s["0.weight"]);
        Assert.Equal("constant:0.01", s["0.bias"]);
        Assert.Equal("orthogonal", s["2.0.weight"]);
        Assert.Equal("constant:0.01", s["2.0.bias"]);
        Assert.Equal("constant:1", s["2.0.forget_bias"]);
        Assert.Equal("glorot_uniform", s["3.weight"]);
        Assert.Equal("zeros", s["3.bias"]);

        var cell = (GatedCell)((Sequential)model[2])[0];
        var last = (Dense)model[3];
        using (Descent.Autograd.Autodiff.NoGrad()) last.Bias.Fill(5);
        plan.Apply(model, seed: 1);
        Assert.All(cell.ForgetBias.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(cell.Bias.ToArray(), v => Assert.Equal(0.01f, v));
        Assert.All(last.Bias.ToArray(), v => Assert.Equal(0f, v));

        var partial = new InitPlan().Add("name:3.weight=ones");
        using (Descent.Autograd.Autodiff.NoGrad()) last.Bias.Fill(5);
        partial.Apply(model, seed: 1);
        Assert.Single(partial.Resolve(model));
        Assert.All(last.Bias.ToArray(), v => Assert.Equal(5f, v));
        Assert.All(last.Weight.ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void EachParameterHasItsOwnStream()
    {
        var a = Model();
        var b = Model();
        InitPlan.Standard(InitScheme.GlorotUniform()).Apply(a, seed: 7);
        // Changing another parameter's rule does not change this one's values.
        InitPlan.Standard(InitScheme.GlorotUniform()).Add("layer:first&kind:weight=normal:3").Apply(b, seed: 7);
        Assert.Equal(((Dense)a[3]).Weight.ToArray(), ((Dense)b[3]).Weight.ToArray());
        Assert.NotEqual(((Dense)a[0]).Weight.ToArray(), ((Dense)b[0]).Weight.ToArray());
        // Another seed, other values.
        var c = Model();
        InitPlan.Standard(InitScheme.GlorotUniform()).Apply(c, seed: 8);
        Assert.NotEqual(((Dense)a[3]).Weight.ToArray(), ((Dense)c[3]).Weight.ToArray());
    }

    [Fact]
    public void StandardPlanSetsBiasesAndTheForgetGate()
    {
        var model = Model();
        var s = Schemes(InitPlan.Standard(InitScheme.HeNormal(), hiddenBias: 0.01), model);
        Assert.Equal("constant:0.01", s["0.bias"]);
        Assert.Equal("constant:1", s["2.0.forget_bias"]);
        Assert.Equal("zeros", s["3.bias"]);
        Assert.Equal("he_normal:fan_in,relu", s["2.0.weight"]);
    }

    [Fact]
    public void MatrixSchemesOnVectorsAndBadSelectorsAreClearErrors()
    {
        var e = Assert.Throws<ShapeException>(() => InitPlan.Parse("*=glorot_uniform").Resolve(Model()));
        Assert.Contains("0.bias", e.Message);
        Assert.Contains("kind:weight", e.Message);
        Assert.Throws<ConfigurationException>(() => InitPlan.Parse("kind:bananas=zeros"));
        Assert.Throws<ConfigurationException>(() => InitPlan.Parse("weight=zeros"));
        Assert.Throws<ConfigurationException>(() => InitPlan.Parse("kind:weight"));
        Assert.Throws<ConfigurationException>(() => InitPlan.Parse("layer:middle=zeros"));
    }

    [Fact]
    public void SelectorsCombine()
    {
        var sites = ParameterSite.Of(Model());
        var sel = ParameterSelector.Kind(ParameterKind.Bias) & !ParameterSelector.Name("*forget_bias");
        Assert.Equal(["0.bias", "2.0.bias", "3.bias"], sites.Where(sel.Matches).Select(s => s.Name).ToArray());
        var either = ParameterSelector.FirstLayer | ParameterSelector.Layer(-1);
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias"], sites.Where(either.Matches).Select(s => s.Name).ToArray());
        Assert.Equal(["2.0.weight"], sites.Where((ParameterSelector.Owner<GatedCell>() & ParameterSelector.Kind(ParameterKind.Weight)).Matches).Select(s => s.Name).ToArray());
    }
}

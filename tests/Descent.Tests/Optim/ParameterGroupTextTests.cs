using Descent.Nn;
using Descent.Optim;
using Descent.Tensors;

namespace Descent.Tests.Optim;

public class ParameterGroupTextTests
{
    private sealed class Net : Module
    {
        public Net()
        {
            AddParameter("w", Tensor.Ones(new Shape(2, 3)), ParameterKind.Weight);
            AddParameter("b", Tensor.Ones(new Shape(3)), ParameterKind.Bias);
            AddParameter("g", Tensor.Ones(new Shape(3)), ParameterKind.NormScale);
        }

        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void RulesReadBothSelectorSpellingsAndWriteOneCanonicalText()
    {
        var groups = ParameterGroups.Parse("nodecay@kind=bias/normscale:weight_decay=0; kind:weight : lr=0.5, momentum=0.9");
        Assert.Equal(["nodecay", "group2"], groups.Rules.Select(r => r.Name).ToArray());
        Assert.Equal("nodecay@kind:bias/norm_scale:weight_decay=0;group2@kind:weight:lr=0.5,momentum=0.9", groups.Text);
        var again = ParameterGroups.Parse(groups.Text);
        Assert.Equal(groups.Text, again.Text);
        var resolved = again.Resolve(new Net().Flat, OptimizerFactory.Create("sgd").Settings);
        Assert.Equal(["b", "g"], resolved[1].Slots.Select(s => s.Name).ToArray());
        Assert.Equal(["w"], resolved[2].Slots.Select(s => s.Name).ToArray());
        Assert.Empty(resolved[0].Slots);
        Assert.Equal(0.9, resolved[2].Settings.Real("momentum"));
    }

    [Fact]
    public void LayerAndCombinedSelectorsWorkInGroups()
    {
        var groups = ParameterGroups.Parse("head@layer:last&!kind:weight|name:w:lr=0.01");
        Assert.Equal("head@layer:last&!kind:weight|name:w:lr=0.01", groups.Text);
        var resolved = groups.Resolve(new Net().Flat, OptimizerFactory.Create("sgd").Settings);
        Assert.Equal(["w", "b", "g"], resolved[1].Slots.Select(s => s.Name).ToArray()); // one layer: everything is in the last
    }

    [Theory]
    [InlineData("kind:bias", "needs overrides after a colon")]
    [InlineData("nodecay@kind:bias weight_decay=0", "expected ':' and the settings after the selector 'kind:bias', found 'weight_decay=0'")]
    [InlineData("nodecay@kind:bias:weight_decay", "'weight_decay' must be key=value")]
    [InlineData("nodecay@kind:bias:lr=1,lr=2", "sets 'lr' twice")]
    [InlineData("default@kind:bias:lr=1", "'default' is already used")]
    [InlineData("a@kind:bias:lr=1;a@kind:weight:lr=2", "'a' is already used")]
    [InlineData("no decay@kind:bias:lr=1", "must be a word")]
    [InlineData("x@kind:biases:lr=1", "Unknown parameter kind 'biases' in 'kind:biases'")]
    [InlineData("x@colour:red:lr=1", "Unknown selector key 'colour'")]
    public void MalformedRulesAreOneLineConfigurationErrors(string text, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => ParameterGroups.Parse(text));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

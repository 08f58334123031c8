using Descent.Nn;
using Descent.Optim;
using Descent.Tensors;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

public class ParameterGroupTests
{
    private sealed class Norm : Module
    {
        public Norm() => AddParameter("gamma", Tensor.Ones(new Shape(3)), ParameterKind.NormScale);

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class Head : Module
    {
        public Head() => AddParameter("w", Tensor.Ones(new Shape(3, 1)), ParameterKind.Weight);

        public override Tensor Forward(Tensor input) => input;
    }

    /// <summary>Layout: w [0, 6), b [6, 9), norm.gamma [9, 12), out.w [12, 15).</summary>
    private sealed class Net : Module
    {
        public Net()
        {
            AddParameter("w", Tensor.Ones(new Shape(2, 3)), ParameterKind.Weight);
            AddParameter("b", Tensor.Ones(new Shape(3)), ParameterKind.Bias);
            AddModule("norm", new Norm());
            AddModule("out", new Head());
        }

        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void NoDecayGroupCollectsBiasesAndNormsAndMergesAdjacentRanges()
    {
        var net = new Net();
        var opt = OptimizerFactory.Create("adamw", S("weight_decay=0.1", "lr=0.5"), net.Flat, ParameterGroups.NoDecayOnBiasesAndNorms());
        var groups = opt.Groups;
        Assert.Equal(["default", "no_decay"], groups.Select(g => g.Name).ToArray());
        Assert.Equal(new[] { (0, 6), (12, 3) }, groups[0].Ranges.ToArray());
        Assert.Equal(new[] { (6, 6) }, groups[1].Ranges.ToArray());
        Assert.Equal(["b", "norm.gamma"], groups[1].Slots.Select(s => s.Name).ToArray());
        Assert.Equal(0.0, groups[1].Settings.Real("weight_decay"));

        // With a zero gradient AdamW only decays: θ ← θ(1 − lr·wd) in the default group, unchanged in no_decay.
        net.Flat.Grads.Zero();
        opt.Step();
        var x = net.Flat.Values.ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal(i is >= 6 and < 12 ? 1f : 1f - 0.05f, x[i]);
    }

    [Fact]
    public void TheTableShowsEveryParameterWithItsGroupAndRates()
    {
        var net = new Net();
        var opt = OptimizerFactory.Create("adamw", S("lr=0.001"), net.Flat, ParameterGroups.NoDecayOnBiasesAndNorms());
        var lines = opt.DescribeGroups().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Matches(@"^parameter\s+shape\s+group\s+lr\s+weight_decay$", lines[0]);
        Assert.Matches(@"^w\s+\[2, 3\]\s+default\s+0\.001\s+0\.01$", lines[2]);
        Assert.Matches(@"^norm\.gamma\s+\[3\]\s+no_decay\s+0\.001\s+0$", lines[4]);
    }

    [Fact]
    public void SelectorsByNameRankKindAndOwnerAndTheFirstRuleWins()
    {
        var net = new Net();
        var slots = net.Flat.Sites.ToDictionary(s => s.Name);
        Assert.True(ParameterSelector.Name("norm.*").Matches(slots["norm.gamma"]));
        Assert.False(ParameterSelector.Name("norm.*").Matches(slots["out.w"]));
        Assert.True(ParameterSelector.Rank(1).Matches(slots["b"]));
        Assert.True(ParameterSelector.Owner<Norm>().Matches(slots["norm.gamma"]));
        Assert.True(ParameterSelector.Parse("owner=norm").Matches(slots["norm.gamma"]));
        Assert.True(ParameterSelector.Parse("kind=bias/normscale").Matches(slots["norm.gamma"]));
        var groups = ParameterGroups.Parse("first@rank=1:lr=0.1;second@kind=bias|name=out.*:lr=0.2")
            .Resolve(net.Flat, OptimizerFactory.Create("sgd").Settings);
        Assert.Equal(["w"], groups[0].Slots.Select(s => s.Name).ToArray());
        Assert.Equal(["b", "norm.gamma"], groups[1].Slots.Select(s => s.Name).ToArray());
        Assert.Equal(["out.w"], groups[2].Slots.Select(s => s.Name).ToArray());
    }

    [Fact]
    public void GroupsGetTheirOwnLearningRateAndSetFollowsOverrides()
    {
        var net = new Net();
        var opt = OptimizerFactory.Create("sgd", S("lr=0.1"), net.Flat, ParameterGroups.Parse("head@name=out.w:lr=0.5"));
        net.Flat.Grads.Fill(1);
        opt.Step();
        var x = net.Flat.Values.ToArray();
        Assert.Equal(0.9f, x[0]);
        Assert.Equal(0.5f, x[14]);
        opt.Set("lr", "0.2");            // the default group; head keeps its override
        opt.Set("momentum", "0", "head"); // a per-group value that needs no new state
        Assert.Equal(0.2, opt.Groups[0].Settings.Real("lr"));
        Assert.Equal(0.5, opt.Groups[1].Settings.Real("lr"));
        opt.Set("lr", "0.3", "head");
        Assert.Equal(0.3, opt.Groups[1].Settings.Real("lr"));
        Assert.Contains("cannot be set for group", Assert.Throws<ConfigurationException>(() => opt.Set("clip_norm", "1", "head")).Message);
    }

    [Fact]
    public void InvalidGroupsAreConfigurationErrors()
    {
        var net = new Net();
        Assert.Contains("cannot differ between parameter groups",
            Assert.Throws<ConfigurationException>(() => OptimizerFactory.Create("adam", S(), net.Flat, ParameterGroups.Parse("rank=1:clip_norm=1"))).Message);
        Assert.Contains("adam: lr must be", Assert.Throws<ConfigurationException>(() =>
            OptimizerFactory.Create("adam", S(), new Net().Flat, ParameterGroups.Parse("rank=1:lr=-2"))).Message);
        Assert.Contains("Unknown parameter kind 'biases'", Assert.Throws<ConfigurationException>(() => ParameterSelector.Parse("kind=biases")).Message);
        Assert.Contains("needs overrides after a colon", Assert.Throws<ConfigurationException>(() => ParameterGroups.Parse("rank=1")).Message);
    }
}

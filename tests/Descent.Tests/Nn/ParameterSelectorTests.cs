using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class ParameterSelectorTests
{
    private sealed class Scale : Module
    {
        public Scale(int n)
        {
            AddParameter("gamma", Tensor.Ones(new Shape(n)), ParameterKind.NormScale);
            AddParameter("beta", Tensor.Zeros(new Shape(n)), ParameterKind.NormShift);
        }

        public override Tensor Forward(Tensor input) => input;
    }

    private class Affine : Module
    {
        public Affine(int i, int o)
        {
            AddParameter("weight", Tensor.Ones(new Shape(o, i)), ParameterKind.Weight);
            AddParameter("bias", Tensor.Zeros(new Shape(o)), ParameterKind.Bias);
        }

        public override Tensor Forward(Tensor input) => input;
    }

    private sealed class Head : Affine
    {
        public Head() : base(4, 2) => AddParameter("temperature", Tensor.Ones(new Shape(1, 1, 1)), ParameterKind.Other);
    }

    /// <summary>Layers: 0 (Affine), 2 (Affine), 3 (Head); the Scale owns no weight and is not a layer.</summary>
    private static Sequential Model() => new(new Affine(3, 4), new Scale(4), new Affine(4, 4), new Head());

    private static readonly string[] AllNames =
        ["0.weight", "0.bias", "1.gamma", "1.beta", "2.weight", "2.bias", "3.weight", "3.bias", "3.temperature"];

    private static string[] Chosen(string selector) => Chosen(ParameterSelector.Parse(selector));

    private static string[] Chosen(ParameterSelector selector) => selector.Select(Model()).Select(s => s.Name).ToArray();

    [Theory]
    [InlineData("all", "0.weight 0.bias 1.gamma 1.beta 2.weight 2.bias 3.weight 3.bias 3.temperature")]
    [InlineData("*", "0.weight 0.bias 1.gamma 1.beta 2.weight 2.bias 3.weight 3.bias 3.temperature")]
    [InlineData("none", "")]
    [InlineData("kind:weight", "0.weight 2.weight 3.weight")]
    [InlineData("kind:bias/norm_scale", "0.bias 1.gamma 2.bias 3.bias")]
    [InlineData("kind:NormShift/other", "1.beta 3.temperature")]
    [InlineData("name:*.bias", "0.bias 2.bias 3.bias")]
    [InlineData("name:?.weight", "0.weight 2.weight 3.weight")]
    [InlineData("name:1.*", "1.gamma 1.beta")]
    [InlineData("rank:1", "0.bias 1.gamma 1.beta 2.bias 3.bias")]
    [InlineData("rank:3", "3.temperature")]
    [InlineData("owner:affine", "0.weight 0.bias 2.weight 2.bias 3.weight 3.bias 3.temperature")] // Head is an Affine
    [InlineData("owner:HEAD", "3.weight 3.bias 3.temperature")]
    [InlineData("layer:first", "0.weight 0.bias")]
    [InlineData("layer:last", "3.weight 3.bias 3.temperature")]
    [InlineData("layer:1", "2.weight 2.bias")]
    [InlineData("layer:-2", "2.weight 2.bias")]
    [InlineData("layer:7", "")]
    public void EachTermChoosesItsParameters(string selector, string expected) =>
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), Chosen(selector));

    [Fact]
    public void SitesKnowTheLayersAndTheFlatBufferHasTheSameSites()
    {
        var model = Model();
        var sites = ParameterSite.Of(model);
        Assert.Equal(AllNames, sites.Select(s => s.Name).ToArray());
        Assert.Equal([0, 0, -1, -1, 1, 1, 2, 2, 2], sites.Select(s => s.Layer).ToArray());
        Assert.All(sites, s => Assert.Equal(3, s.LayerCount));
        Assert.Equal(model.Flat.Slots.Select(s => s.Name), model.Flat.Sites.Select(s => s.Name));
        Assert.All(model.Flat.Sites.Zip(model.Flat.Slots), p => Assert.Same(p.Second.Parameter, p.First.Parameter));
        Assert.All(model.Flat.Sites.Zip(sites), p => Assert.Equal(p.Second.Layer, p.First.Layer));
    }

    [Fact]
    public void CombinatorsFollowNotThenAndThenOr()
    {
        Assert.Equal(["3.bias"], Chosen("layer:last&kind:bias"));
        Assert.Equal(["0.weight", "2.weight", "3.weight", "3.temperature"], Chosen("!rank:1&!kind:norm_scale"));
        Assert.Equal(["0.bias", "1.gamma", "1.beta", "2.bias", "3.bias", "3.temperature"], Chosen("rank:1 | kind:other"));
        // & binds tighter than |: (layer:first & kind:bias) | kind:other
        Assert.Equal(["0.bias", "3.temperature"], Chosen("layer:first&kind:bias|kind:other"));
        Assert.Equal(["0.bias", "3.bias"], Chosen("(layer:first|layer:last)&kind:bias"));
        Assert.Equal(["1.gamma", "1.beta", "2.weight", "2.bias"], Chosen("!(layer:first|layer:last)"));
        Assert.Equal(Chosen("kind:bias"), Chosen("!!kind:bias"));
        // The same with the operators in code.
        var code = (ParameterSelector.FirstLayer | ParameterSelector.LastLayer) & ParameterSelector.Kind(ParameterKind.Bias);
        Assert.Equal(["0.bias", "3.bias"], Chosen(code));
        Assert.Equal(["0.bias", "1.gamma", "1.beta", "2.bias", "3.bias"], Chosen(ParameterSelector.Rank(1) & !ParameterSelector.None));
        Assert.Equal(["3.temperature"], Chosen(ParameterSelector.Owner<Head>() & ParameterSelector.Where("big", s => s.Parameter.Rank > 2)));
    }

    [Theory]
    [InlineData("kind=bias/normscale|rank=1", "kind:bias/norm_scale|rank:1")]
    [InlineData("type:head & name=3.*", "owner:head&name:3.*")]
    [InlineData("(kind:bias|kind:weight)&!layer:first", "(kind:bias|kind:weight)&!layer:first")]
    [InlineData("!(kind:bias&layer:last)", "!(kind:bias&layer:last)")]
    [InlineData("  *  ", "all")]
    [InlineData("Kind:Norm-Shift", "kind:norm_shift")]
    public void BothSpellingsParseAndTheTextIsCanonicalAndReadsBack(string text, string canonical)
    {
        var s = ParameterSelector.Parse(text);
        Assert.Equal(canonical, s.Text);
        Assert.Equal(canonical, s.ToString());
        Assert.Equal(Chosen(s), Chosen(ParameterSelector.Parse(s.Text)));
    }

    [Fact]
    public void ThePrefixEndsBeforeAContainersSeparator()
    {
        var s = ParameterSelector.ParsePrefix("kind:bias|rank:1:weight_decay=0", out int end);
        Assert.Equal("kind:bias|rank:1", s.Text);
        Assert.Equal(16, end);
        s = ParameterSelector.ParsePrefix("name:*forget_bias=constant:1", out end);
        Assert.Equal("name:*forget_bias", s.Text);
        Assert.Equal('=', "name:*forget_bias=constant:1"[end]);
        s = ParameterSelector.ParsePrefix("kind=weight=he_normal", out end);
        Assert.Equal(("kind:weight", 11), (s.Text, end));
    }

    [Theory]
    [InlineData("kind:biases", "Unknown parameter kind 'biases' in 'kind:biases'", "weight, bias, norm_scale, norm_shift, other")]
    [InlineData("kind:bias/bananas", "Unknown parameter kind 'bananas' in 'kind:bias/bananas'", "norm_shift")]
    [InlineData("colour:red", "Unknown selector key 'colour' in 'colour:red'", "valid terms: all, none, kind:")]
    [InlineData("weight", "'weight' is not a term (did you mean kind:weight?)", "name:GLOB")]
    [InlineData("0.weight", "'0.weight' is not a term (did you mean name:0.weight?)", "layer:first|last|N")]
    [InlineData("rank:one", "Invalid rank 'one' in 'rank:one'", "integer")]
    [InlineData("layer:middle", "Invalid layer 'middle' in 'layer:middle'", "first, last or an index")]
    [InlineData("kind:", "'kind:' has no value", "weight, bias, norm_scale")]
    [InlineData("", "Invalid parameter selector '': it is empty", "valid terms")]
    [InlineData("kind:bias&", "a term is missing after 'kind:bias&'", "valid terms")]
    [InlineData("(kind:bias", "a '(' is not closed", "valid terms")]
    [InlineData("kind:bias rank:1", "unexpected 'rank:1' after 'kind:bias'", "valid terms")]
    [InlineData("kind:bias)", "unexpected ')' after 'kind:bias'", "valid terms")]
    public void ErrorsNameTheBadTermAndListTheValidOnes(string text, string names, string lists)
    {
        var e = Assert.Throws<ConfigurationException>(() => ParameterSelector.Parse(text));
        Assert.Contains(names, e.Message);
        Assert.Contains(lists, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

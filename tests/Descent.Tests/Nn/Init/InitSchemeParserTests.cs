using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

public class InitSchemeParserTests
{
    [Theory]
    [InlineData("zeros", "zeros")]
    [InlineData("Ones", "ones")]
    [InlineData("constant:0.1", "constant:0.1")]
    [InlineData("normal:0.01", "normal:0.01")]
    [InlineData("normal", "normal:1")]
    [InlineData("uniform:0.05", "uniform:0.05")]
    [InlineData("uniform:-1,2", "uniform:-1,2")]
    [InlineData("truncated-normal:0.02", "truncated_normal:0.02")]
    [InlineData("lecun_normal", "lecun_normal")]
    [InlineData("xavier_uniform", "glorot_uniform")]
    [InlineData("glorot_normal:relu", "glorot_normal:1.4142135623730951")]
    [InlineData("he_normal", "he_normal:fan_in,relu")]
    [InlineData("kaiming_uniform:fan_out,leaky_relu,0.2", "he_uniform:fan_out,leaky_relu,0.2")]
    [InlineData("orthogonal:2", "orthogonal:2")]
    [InlineData("dirac", "identity")]
    public void ParsesToTheCanonicalTextWhichParsesBack(string text, string canonical)
    {
        var s = InitScheme.Parse(text);
        Assert.Equal(canonical, s.Text);
        Assert.Equal(canonical, InitScheme.Parse(s.Text).Text);
    }

    [Fact]
    public void TheActivationIsTheDefaultGain()
    {
        Assert.Equal("glorot_uniform:" + (5.0 / 3).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            InitScheme.Parse("glorot_uniform", activation: "tanh").Text);
        Assert.Equal("he_normal:fan_in,tanh", InitScheme.Parse("he_normal", activation: "tanh").Text);
        Assert.Equal("orthogonal:0.75", InitScheme.Parse("orthogonal", activation: "selu").Text);
        Assert.Equal("orthogonal:3", InitScheme.Parse("orthogonal:3", activation: "selu").Text); // explicit wins
        Assert.Equal("lecun_normal", InitScheme.Parse("lecun_normal", activation: "selu").Text);
    }

    [Fact]
    public void UnknownNamesListTheValidSchemes()
    {
        var e = Assert.Throws<ConfigurationException>(() => InitScheme.Parse("glorot"));
        Assert.Contains("'glorot'", e.Message);
        foreach (var name in new[] { "glorot_uniform", "he_normal", "orthogonal", "lecun_normal", "constant:V" })
            Assert.Contains(name, e.Message);
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("constant:abc")]
    [InlineData("uniform")]
    [InlineData("normal:1,2,3")]
    [InlineData("zeros:1")]
    [InlineData("he_normal:swish")]
    [InlineData("he_normal:fan_in,fan_out")]
    [InlineData("orthogonal:2,3")]
    [InlineData("normal:")]
    [InlineData("normal:-1")]
    public void MalformedArgumentsAreConfigurationErrors(string text)
    {
        Assert.Throws<ConfigurationException>(() => InitScheme.Parse(text));
    }

    [Fact]
    public void AnUnknownActivationIsAnError()
    {
        var e = Assert.Throws<ConfigurationException>(() => InitScheme.Parse("glorot_uniform", activation: "swish"));
        Assert.Contains("tanh", e.Message);
    }

    [Fact]
    public void SchemesThatNeedFansRefuseVectors()
    {
        Assert.True(InitScheme.Parse("he_normal").NeedsMatrix);
        Assert.False(InitScheme.Parse("normal:0.1").NeedsMatrix);
        Assert.Throws<ShapeException>(() => InitScheme.Parse("orthogonal").Apply(Tensor.Zeros(new Shape(4)), new Rng(1)));
    }
}

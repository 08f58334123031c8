using System.Globalization;
using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>
/// A named way to initialize one tensor: the value that rules in an <see cref="InitPlan"/> assign and that
/// the CLI parses from text (<see cref="Parse"/>). <see cref="Text"/> is the canonical spelling, which
/// parses back to the same scheme (except for <see cref="Values"/>, which holds data).
/// </summary>
public sealed class InitScheme
{
    private readonly Action<Tensor, Rng> apply;

    private InitScheme(string text, bool needsMatrix, Action<Tensor, Rng> apply)
    {
        Text = text;
        NeedsMatrix = needsMatrix;
        this.apply = apply;
    }

    /// <summary>The canonical text, e.g. <c>he_normal:fan_in,relu</c> or <c>constant:0.1</c>.</summary>
    public string Text { get; }

    /// <summary>True if the scheme needs a weight of at least 2 dimensions (it uses the fans or a matrix view).</summary>
    public bool NeedsMatrix { get; }

    /// <summary>Overwrites <paramref name="tensor"/> in place, drawing from <paramref name="rng"/>.</summary>
    public void Apply(Tensor tensor, Rng rng) => apply(tensor, rng);

    /// <inheritdoc />
    public override string ToString() => Text;

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>All zeros.</summary>
    public static InitScheme Zeros { get; } = new("zeros", false, (t, _) => Initializers.Zeros(t));

    /// <summary>All ones.</summary>
    public static InitScheme Ones { get; } = new("ones", false, (t, _) => Initializers.Ones(t));

    /// <summary>Every element equal to <paramref name="value"/> (e.g. 0.01 for biases before a ReLU, 1 for an
    /// LSTM's forget-gate bias).</summary>
    public static InitScheme Constant(double value) =>
        new($"constant:{F(value)}", false, (t, _) => Initializers.Constant(t, value));

    /// <summary><c>N(mean, std²)</c>.</summary>
    public static InitScheme Normal(double std = 1, double mean = 0)
    {
        Initializers.CheckScale(std, "std", "normal");
        return new(mean == 0 ? $"normal:{F(std)}" : $"normal:{F(mean)},{F(std)}", false,
            (t, r) => Initializers.Normal(t, r, mean, std));
    }

    /// <summary><c>U(low, high)</c>.</summary>
    public static InitScheme Uniform(double low, double high)
    {
        if (!(low <= high)) throw new ConfigurationException($"uniform needs low <= high; got [{low}, {high}].");
        return new(low == -high ? $"uniform:{F(high)}" : $"uniform:{F(low)},{F(high)}", false,
            (t, r) => Initializers.Uniform(t, r, low, high));
    }

    /// <summary><c>N(mean, std²)</c> truncated at ±2 std (see <see cref="Initializers.TruncatedNormal"/>).</summary>
    public static InitScheme TruncatedNormal(double std = 1, double mean = 0)
    {
        Initializers.CheckScale(std, "std", "truncated_normal");
        return new(mean == 0 ? $"truncated_normal:{F(std)}" : $"truncated_normal:{F(mean)},{F(std)}", false,
            (t, r) => Initializers.TruncatedNormal(t, r, mean, std));
    }

    /// <summary>LeCun normal, variance <c>1/fan_in</c>.</summary>
    public static InitScheme LecunNormal { get; } = new("lecun_normal", true, (t, r) => Initializers.LecunNormal(t, r));

    /// <summary>LeCun uniform, variance <c>1/fan_in</c>.</summary>
    public static InitScheme LecunUniform { get; } = new("lecun_uniform", true, (t, r) => Initializers.LecunUniform(t, r));

    /// <summary>Glorot/Xavier normal with a gain.</summary>
    public static InitScheme GlorotNormal(double gain = 1) =>
        new(gain == 1 ? "glorot_normal" : $"glorot_normal:{F(gain)}", true, (t, r) => Initializers.GlorotNormal(t, r, gain));

    /// <summary>Glorot/Xavier uniform with a gain.</summary>
    public static InitScheme GlorotUniform(double gain = 1) =>
        new(gain == 1 ? "glorot_uniform" : $"glorot_uniform:{F(gain)}", true, (t, r) => Initializers.GlorotUniform(t, r, gain));

    /// <summary>He/Kaiming normal (defaults: fan_in, ReLU gain √2).</summary>
    public static InitScheme HeNormal(FanMode mode = FanMode.FanIn, string nonlinearity = "relu", double a = 0) =>
        He("he_normal", mode, nonlinearity, a, Initializers.HeNormal);

    /// <summary>He/Kaiming uniform (defaults: fan_in, ReLU gain √2).</summary>
    public static InitScheme HeUniform(FanMode mode = FanMode.FanIn, string nonlinearity = "relu", double a = 0) =>
        He("he_uniform", mode, nonlinearity, a, Initializers.HeUniform);

    private static InitScheme He(string name, FanMode mode, string nonlinearity, double a,
        Func<Tensor, Rng, FanMode, string, double, Tensor> f)
    {
        string nl = Initializers.NormalizeName(nonlinearity);
        Initializers.Gain(nl, a); // validates the name now, not at Apply
        string text = $"{name}:{(mode == FanMode.FanIn ? "fan_in" : "fan_out")},{nl}" + (nl == "leaky_relu" ? $",{F(a)}" : "");
        return new(text, true, (t, r) => f(t, r, mode, nl, a));
    }

    /// <summary>Orthogonal (Saxe et al. 2014) with a gain.</summary>
    public static InitScheme Orthogonal(double gain = 1) =>
        new(gain == 1 ? "orthogonal" : $"orthogonal:{F(gain)}", true, (t, r) => Initializers.Orthogonal(t, r, gain));

    /// <summary>The identity matrix or Dirac kernel, times a gain.</summary>
    public static InitScheme Identity(double gain = 1) =>
        new(gain == 1 ? "identity" : $"identity:{F(gain)}", true, (t, _) => Initializers.Identity(t, gain));

    /// <summary>
    /// Copies fixed <paramref name="values"/> (same number of elements; converted to the target's dtype), e.g.
    /// an output bias from <see cref="OutputBias"/>. <paramref name="label"/> names it in reports.
    /// </summary>
    public static InitScheme Values(Tensor values, string label = "values")
    {
        var copy = values.Detach().CloneUnscoped();
        return new($"{label}[{copy.Size}]", false, (t, _) =>
        {
            if (t.Size != copy.Size)
                throw new ShapeException($"Initialization '{label}' has {copy.Size} values ({copy.Shape}); the parameter has shape {t.Shape}.");
            using var __ = Autograd.Autodiff.NoGrad();
            t.CopyFrom(copy);
        });
    }

    /// <summary>
    /// Parses a scheme from text (see <see cref="InitSchemeParser"/> for the grammar), e.g. <c>normal:0.01</c>,
    /// <c>uniform:0.05</c>, <c>glorot_uniform</c>, <c>he_normal:fan_out,relu</c>, <c>orthogonal:tanh</c>,
    /// <c>constant:0.1</c>. <paramref name="activation"/>, if given, is the default gain (or He nonlinearity)
    /// of schemes that take one and are not given one explicitly.
    /// </summary>
    public static InitScheme Parse(string text, string? activation = null) => InitSchemeParser.Parse(text, activation);
}

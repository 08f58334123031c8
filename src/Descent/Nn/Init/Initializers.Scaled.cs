using Descent.Tensors;

namespace Descent.Nn.Init;

public static partial class Initializers
{
    /// <summary>Activation names <see cref="Gain"/> accepts (PyTorch's <c>calculate_gain</c>).</summary>
    public static IReadOnlyList<string> GainNames { get; } =
    [
        "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
        "sigmoid", "tanh", "relu", "leaky_relu", "selu",
    ];

    /// <summary>
    /// The recommended gain for a nonlinearity, exactly as PyTorch's <c>calculate_gain</c>: linear,
    /// convolutions and sigmoid 1; tanh 5/3; relu √2; leaky_relu √(2/(1 + slope²)) with
    /// <paramref name="param"/> the negative slope (default 0.01); selu 3/4. Names are case-insensitive
    /// and '-' may stand for '_'.
    /// </summary>
    public static double Gain(string activation, double? param = null)
    {
        string name = NormalizeName(activation);
        switch (name)
        {
            case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d"
                or "conv_transpose3d" or "sigmoid":
                return 1;
            case "tanh": return 5.0 / 3.0;
            case "relu": return Math.Sqrt(2);
            case "leaky_relu":
                double slope = param ?? 0.01;
                if (!double.IsFinite(slope)) throw new ConfigurationException($"leaky_relu gain needs a finite negative slope; got {slope}.");
                return Math.Sqrt(2 / (1 + slope * slope));
            case "selu": return 0.75;
            default:
                throw new ConfigurationException(
                    $"Unknown activation '{activation}' for the initialization gain. Valid: {string.Join(", ", GainNames)}.");
        }
    }

    /// <summary>Whether <see cref="Gain"/> knows <paramref name="activation"/>.</summary>
    public static bool IsGainName(string activation) => GainNames.Contains(NormalizeName(activation));

    internal static string NormalizeName(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');

    /// <summary>LeCun normal (LeCun et al. 1998, "Efficient BackProp"): <c>N(0, 1/fan_in)</c>.</summary>
    public static Tensor LecunNormal(Tensor tensor, Rng rng)
    {
        var f = Fans.Of(tensor.Shape);
        return Normal(tensor, rng, 0, Math.Sqrt(1.0 / f.FanIn));
    }

    /// <summary>LeCun uniform: <c>U(−√(3/fan_in), √(3/fan_in))</c>, variance <c>1/fan_in</c>.</summary>
    public static Tensor LecunUniform(Tensor tensor, Rng rng)
    {
        var f = Fans.Of(tensor.Shape);
        double b = Math.Sqrt(3.0 / f.FanIn);
        return Uniform(tensor, rng, -b, b);
    }

    /// <summary>
    /// Glorot/Xavier normal (Glorot &amp; Bengio 2010): <c>N(0, gain²·2/(fan_in + fan_out))</c>, the variance
    /// that keeps activations and back-propagated gradients at constant variance in the linear regime.
    /// </summary>
    public static Tensor GlorotNormal(Tensor tensor, Rng rng, double gain = 1)
    {
        CheckScale(gain, "gain", "glorot_normal");
        var f = Fans.Of(tensor.Shape);
        return Normal(tensor, rng, 0, gain * Math.Sqrt(2.0 / (f.FanIn + f.FanOut)));
    }

    /// <summary>
    /// Glorot/Xavier "normalized" uniform (Glorot &amp; Bengio 2010, eq. 16):
    /// <c>U(−a, a)</c> with <c>a = gain·√(6/(fan_in + fan_out))</c>, variance <c>gain²·2/(fan_in + fan_out)</c>.
    /// </summary>
    public static Tensor GlorotUniform(Tensor tensor, Rng rng, double gain = 1)
    {
        CheckScale(gain, "gain", "glorot_uniform");
        var f = Fans.Of(tensor.Shape);
        double b = gain * Math.Sqrt(6.0 / (f.FanIn + f.FanOut));
        return Uniform(tensor, rng, -b, b);
    }

    /// <summary>
    /// He/Kaiming normal (He et al. 2015): <c>N(0, std²)</c> with <c>std = gain/√fan</c>,
    /// <c>gain = Gain(nonlinearity, a)</c> and the fan chosen by <paramref name="mode"/>. The defaults
    /// (leaky_relu with slope 0) give PyTorch's <c>kaiming_normal_</c>: <c>std = √(2/fan_in)</c>, for ReLU.
    /// </summary>
    public static Tensor HeNormal(Tensor tensor, Rng rng, FanMode mode = FanMode.FanIn,
        string nonlinearity = "leaky_relu", double a = 0)
    {
        double std = Gain(nonlinearity, a) / Math.Sqrt(Fans.Of(tensor.Shape).Select(mode));
        return Normal(tensor, rng, 0, std);
    }

    /// <summary>He/Kaiming uniform: <c>U(−√3·std, √3·std)</c> with the <see cref="HeNormal"/> std.</summary>
    public static Tensor HeUniform(Tensor tensor, Rng rng, FanMode mode = FanMode.FanIn,
        string nonlinearity = "leaky_relu", double a = 0)
    {
        double b = Math.Sqrt(3) * Gain(nonlinearity, a) / Math.Sqrt(Fans.Of(tensor.Shape).Select(mode));
        return Uniform(tensor, rng, -b, b);
    }
}

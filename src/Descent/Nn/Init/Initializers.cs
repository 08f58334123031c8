using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>
/// Initialization schemes that overwrite a tensor (usually a <see cref="Parameter"/>) in place, drawing
/// from an <see cref="Rng"/> (the counterparts of PyTorch's <c>torch.nn.init</c>). Like PyTorch's, they
/// write without recording, so they can be applied to parameters at any time. Weights are laid out
/// <c>[out, in, k…]</c>; see <see cref="Fans"/>. The random schemes fill the elements in row-major order,
/// so the same stream gives the same tensor.
/// </summary>
public static partial class Initializers
{
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        tensor.FillRaw(value);
        return tensor;
    }

    /// <summary>Sets every element to 0. On weights this is a saddle of the loss and keeps a layer's units
    /// identical forever; use it for biases.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Sets every element to 1 (normalization scales).</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>Samples <c>N(mean, std²)</c>.</summary>
    public static Tensor Normal(Tensor tensor, Rng rng, double mean = 0, double std = 1)
    {
        CheckScale(std, "std", "normal");
        return Fill(tensor, () => mean + std * rng.NextNormal());
    }

    /// <summary>Samples <c>U(low, high)</c>.</summary>
    public static Tensor Uniform(Tensor tensor, Rng rng, double low = 0, double high = 1)
    {
        if (!(low <= high) || !double.IsFinite(low) || !double.IsFinite(high))
            throw new ConfigurationException($"uniform needs finite bounds with low <= high; got [{low}, {high}].");
        double w = high - low;
        return Fill(tensor, () => low + w * rng.NextDouble());
    }

    /// <summary>
    /// Samples <c>N(mean, std²)</c> conditioned on <c>|x − mean| ≤ cutoff·std</c> by resampling the
    /// values outside (the cutoff is in standard deviations, as in TensorFlow's <c>truncated_normal</c>;
    /// PyTorch's <c>trunc_normal_</c> takes absolute bounds instead). With the default cutoff 2 the
    /// variance is <c>std²·(1 − 2·2φ(2)/(2Φ(2) − 1)) ≈ 0.774·std²</c>.
    /// </summary>
    public static Tensor TruncatedNormal(Tensor tensor, Rng rng, double mean = 0, double std = 1, double cutoff = 2)
    {
        CheckScale(std, "std", "truncated_normal");
        if (!(cutoff > 0)) throw new ConfigurationException($"truncated_normal needs a positive cutoff (in standard deviations); got {cutoff}.");
        return Fill(tensor, () =>
        {
            double z;
            do z = rng.NextNormal(); while (Math.Abs(z) > cutoff);
            return mean + std * z;
        });
    }

    /// <summary>Writes <paramref name="sample"/>() into every element, in row-major order, without recording.</summary>
    internal static Tensor Fill(Tensor tensor, Func<double> sample)
    {
        if (tensor.DType == DType.Float32)
        {
            var s = tensor.Floats;
            for (int i = 0; i < s.Length; i++) s[i] = (float)sample();
        }
        else
        {
            var s = tensor.Doubles;
            for (int i = 0; i < s.Length; i++) s[i] = sample();
        }
        return tensor;
    }

    internal static void CheckScale(double value, string what, string scheme)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new ConfigurationException($"{scheme} needs a finite, non-negative {what}; got {value}.");
    }
}

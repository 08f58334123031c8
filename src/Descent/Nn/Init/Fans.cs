using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>Which fan a variance-scaling initializer preserves: <see cref="FanIn"/> keeps the variance
/// of the activations in the forward pass, <see cref="FanOut"/> that of the gradients in the backward pass
/// (He et al. 2015, §2.2).</summary>
public enum FanMode
{
    /// <summary>Scale by the number of inputs of a unit.</summary>
    FanIn,
    /// <summary>Scale by the number of outputs a unit feeds.</summary>
    FanOut,
}

/// <summary>
/// The fan-in and fan-out of a weight tensor laid out as <c>[out, in, k₁, k₂, …]</c> (Linear
/// <c>[out, in]</c>, Conv2d <c>[outC, inC, kH, kW]</c>), computed like PyTorch's
/// <c>_calculate_fan_in_and_fan_out</c>: with the receptive field <c>r = ∏ kᵢ</c>,
/// <c>fan_in = in·r</c> and <c>fan_out = out·r</c>.
/// </summary>
/// <param name="FanIn">Inputs per output unit.</param>
/// <param name="FanOut">Outputs per input unit.</param>
public readonly record struct Fans(int FanIn, int FanOut)
{
    /// <summary>The fans of a tensor of shape <paramref name="shape"/> (at least two dimensions).</summary>
    public static Fans Of(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ShapeException(
                $"Fan-in and fan-out need a weight of at least 2 dimensions ([out, in, k...]); got shape {shape}. " +
                "Initialize biases and vectors with zeros, constant or normal instead.");
        int receptive = 1;
        for (int i = 2; i < shape.Rank; i++) receptive *= shape[i];
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>The fan selected by <paramref name="mode"/>.</summary>
    public int Select(FanMode mode) => mode == FanMode.FanIn ? FanIn : FanOut;
}

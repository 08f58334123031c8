using Descent.Tensors;

namespace Descent.Nn.Losses;

/// <summary>
/// Mean squared error <c>(1/M) Σ (ŷᵢ − yᵢ)²</c> over all M elements (PyTorch's <c>MSELoss</c> with
/// <c>reduction='mean'</c>; no factor ½). Targets are a tensor with the prediction's elements, or class
/// indices, which are compared one-hot with [N, C] predictions (squared-error classification).
/// </summary>
public sealed class MeanSquaredError : ILoss
{
    /// <inheritdoc />
    public string Name => "mse";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        var t = targets.AsTensorLike(prediction, Name);
        return (prediction - t).Square().Mean();
    }
}

using Descent.Tensors;

namespace Descent.Nn.Losses;

/// <summary>
/// Binary cross-entropy from probabilities p (PyTorch's <c>BCELoss</c>):
/// <c>ℓ = −[t log p + (1 − t) log(1 − p)]</c>, averaged over all elements. Targets t ∈ [0, 1] have the
/// prediction's elements (or are 0/1 class indices, one per element). The probabilities are clamped to
/// [ε, 1 − ε] (ε = 1e-7 in float32, 1e-12 in float64) so the logarithms stay finite; PyTorch clamps the
/// logarithms at −100 instead, which gives the same values for ε &lt; p &lt; 1 − ε. Prefer
/// <see cref="BinaryCrossEntropyWithLogits"/>, which is stable without clamping.
/// </summary>
public sealed class BinaryCrossEntropy : ILoss
{
    /// <inheritdoc />
    public string Name => "bce";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        var t = targets.AsTensorLike(prediction, Name);
        double eps = prediction.DType == DType.Float32 ? 1e-7 : 1e-12;
        var p = prediction.Clamp(eps, 1 - eps);
        return -(t * p.Log() + (1.0 - t) * (1.0 - p).Log()).Mean();
    }
}

/// <summary>
/// Binary cross-entropy from logits z (PyTorch's <c>BCEWithLogitsLoss</c>), in the stable form
/// <c>ℓ = softplus(z) − t·z</c> (= −[t log σ(z) + (1 − t) log(1 − σ(z))]), averaged over all elements;
/// its gradient is <c>(σ(z) − t)/M</c>. Targets as for <see cref="BinaryCrossEntropy"/>.
/// </summary>
public sealed class BinaryCrossEntropyWithLogits : ILoss
{
    /// <inheritdoc />
    public string Name => "bce_logits";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        var t = targets.AsTensorLike(prediction, Name);
        return (prediction.Softplus() - t * prediction).Mean();
    }
}

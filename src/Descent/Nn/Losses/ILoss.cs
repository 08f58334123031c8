using Descent.Tensors;

namespace Descent.Nn.Losses;

/// <summary>
/// A per-example loss ℓ(y, ŷ), averaged over the batch (PyTorch's <c>reduction='mean'</c>): the data term
/// <c>(1/N) Σₙ ℓ(yₙ, ŷ(xₙ; θ))</c> of the objective. Implementations return a recorded scalar tensor,
/// twice differentiable in the prediction.
/// </summary>
public interface ILoss
{
    /// <summary>The lowercase name accepted by <see cref="Loss.Create"/>.</summary>
    string Name { get; }

    /// <summary>The mean loss of <paramref name="prediction"/> against <paramref name="targets"/> (a scalar).</summary>
    Tensor Compute(Tensor prediction, Targets targets);
}

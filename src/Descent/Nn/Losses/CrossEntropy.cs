using Descent.Tensors;

namespace Descent.Nn.Losses;

/// <summary>
/// Softmax cross-entropy from logits z [N, C] (PyTorch's <c>CrossEntropyLoss</c>):
/// <c>ℓ = −log softmax(z)_y = logsumexp(z) − z_y</c> for class indices, or
/// <c>ℓ = −Σ_c t_c log softmax(z)_c</c> for soft targets t [N, C] (probabilities), averaged over the
/// batch. Computed through a stable log-softmax; its gradient is <c>(softmax(z) − 1_y)/N</c>.
/// </summary>
public sealed class CrossEntropy : ILoss
{
    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        if (prediction.Rank != 2)
            throw new ShapeException($"Loss '{Name}' expects logits [N, C], got shape {prediction.Shape}.");
        var logp = prediction.LogSoftmax(1);
        if (targets.Classes is { } y)
        {
            if (y.Length != prediction.Shape[0])
                throw new ShapeException($"Loss '{Name}': {y.Length} class targets for logits of shape {prediction.Shape}.");
            return -logp.GatherColumns(y).Mean();
        }
        var t = targets.AsTensorLike(prediction, Name);
        return -(t * logp).Sum() * (1.0 / prediction.Shape[0]);
    }
}

/// <summary>
/// Negative log-likelihood from log-probabilities [N, C] (PyTorch's <c>NLLLoss</c>): <c>ℓ = −log p_y</c>,
/// averaged over the batch. Use after <see cref="Tensor.LogSoftmax"/>; <see cref="CrossEntropy"/> fuses both.
/// </summary>
public sealed class NegativeLogLikelihood : ILoss
{
    /// <inheritdoc />
    public string Name => "nll";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        if (prediction.Rank != 2)
            throw new ShapeException($"Loss '{Name}' expects log-probabilities [N, C], got shape {prediction.Shape}.");
        var y = targets.RequireClasses(Name);
        if (y.Length != prediction.Shape[0])
            throw new ShapeException($"Loss '{Name}': {y.Length} class targets for log-probabilities of shape {prediction.Shape}.");
        return -prediction.GatherColumns(y).Mean();
    }
}

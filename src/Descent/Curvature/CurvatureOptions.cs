namespace Descent.Curvature;

/// <summary>How a model's curvature operator is computed.</summary>
public sealed record CurvatureOptions
{
    /// <summary>Add the Hessian of the objective's penalties λΩ(θ) (2λ on the coordinates an L2 penalty
    /// covers) to every kind: penalties act on θ directly, so their Gauss-Newton and Fisher terms are their
    /// Hessian. Default true.</summary>
    public bool IncludePenalties { get; init; } = true;

    /// <summary>Labels drawn per example for <see cref="CurvatureKind.SampledFisher"/> (default 1, as K-FAC).</summary>
    public int FisherSamples { get; init; } = 1;

    /// <summary>Seed of the sampled labels.</summary>
    public ulong Seed { get; init; }

    /// <summary>Keep the recorded graphs between products when the data has at most this many examples
    /// (then a product is one or two backward passes per chunk; otherwise every product also runs the forward
    /// pass and records the gradient again, so memory stays bounded by one chunk). Default 4096.</summary>
    public int CachedExamples { get; init; } = 4096;
}

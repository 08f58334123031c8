namespace Descent.Data;

/// <summary>
/// Uniform sampling with replacement: every batch is B indices drawn independently and uniformly
/// from 0..N−1 — the course's "draw B instances at random", which makes the mini-batch gradient an
/// unbiased estimate of the full gradient (Goodfellow et al. 2016, §8.1.3). An "epoch" is a fixed
/// number of such batches, ⌈N/B⌉ by default, so an example is seen once per epoch on average.
/// Batch k of epoch e is drawn from its own stream, so any batch can be reproduced alone.
/// </summary>
public sealed class UniformSampler : Sampler
{
    private readonly int batchSize, batchesPerEpoch;

    /// <summary>Batches of <paramref name="batchSize"/> independent uniform draws.</summary>
    /// <param name="count">Number of examples N.</param>
    /// <param name="batchSize">Draws per batch B (may exceed N).</param>
    /// <param name="seed">The seed.</param>
    /// <param name="batchesPerEpoch">Batches per epoch; 0 means ⌈N/B⌉.</param>
    /// <exception cref="ConfigurationException">The batch size is not positive or the batch count is negative.</exception>
    public UniformSampler(int count, int batchSize, ulong seed, int batchesPerEpoch = 0) : base("uniform", count, seed)
    {
        if (batchSize <= 0) throw new ConfigurationException($"The uniform sampler's batch size is {batchSize}; it must be positive.");
        if (batchesPerEpoch < 0) throw new ConfigurationException($"The uniform sampler's batches per epoch is {batchesPerEpoch}; it must be ≥ 0 (0 means N/B).");
        this.batchSize = batchSize;
        this.batchesPerEpoch = batchesPerEpoch > 0 ? batchesPerEpoch : BatchCount(count, batchSize, dropLast: false);
    }

    /// <inheritdoc/>
    public override int BatchSize(int epoch) => batchSize;

    /// <inheritdoc/>
    public override int BatchesPerEpoch(int epoch) => batchesPerEpoch;

    /// <inheritdoc/>
    protected override Func<int, int[]> Plan(int epoch) => k =>
    {
        var rng = StreamFor(epoch, k);
        var indices = new int[batchSize];
        for (int i = 0; i < indices.Length; i++) indices[i] = rng.NextInt(Count);
        return indices;
    };
}

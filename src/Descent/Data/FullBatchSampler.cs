namespace Descent.Data;

/// <summary>
/// Full-batch (deterministic, "batch") gradient methods: one batch per epoch holding every example in
/// order 0..N−1. No randomness. The same index array is returned every epoch; do not modify it.
/// </summary>
public sealed class FullBatchSampler : Sampler
{
    private readonly int[] all;

    /// <summary>One batch of all <paramref name="count"/> examples per epoch.</summary>
    public FullBatchSampler(int count) : base("full-batch", count, 0)
    {
        all = new int[count];
        for (int i = 0; i < count; i++) all[i] = i;
    }

    /// <inheritdoc/>
    public override int BatchSize(int epoch) => Count;

    /// <inheritdoc/>
    public override int BatchesPerEpoch(int epoch) => 1;

    /// <inheritdoc/>
    protected override Func<int, int[]> Plan(int epoch) => _ => all;
}

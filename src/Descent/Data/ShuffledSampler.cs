namespace Descent.Data;

/// <summary>
/// Shuffled epochs without replacement, the default: each epoch is a fresh random permutation of the
/// N examples cut into consecutive batches of B, so every example is used exactly once per epoch
/// (Goodfellow et al. 2016, §8.1.3). The last batch holds the N mod B left-over examples, or is
/// dropped with <c>dropLast</c> (then every batch has exactly B examples).
/// </summary>
public class ShuffledSampler : Sampler
{
    private readonly Func<int, int> batchSizeOfEpoch;

    /// <summary>Batches of <paramref name="batchSize"/> from a permutation drawn anew each epoch.</summary>
    /// <exception cref="ConfigurationException">The batch size is not positive, or larger than N with <paramref name="dropLast"/>.</exception>
    public ShuffledSampler(int count, int batchSize, ulong seed, bool dropLast = false)
        : this("shuffle", count, _ => batchSize, seed, dropLast)
    {
        BatchSize(0); // validates
    }

    /// <summary>For subclasses: a batch size that may depend on the epoch.</summary>
    protected ShuffledSampler(string kind, int count, Func<int, int> batchSizeOfEpoch, ulong seed, bool dropLast)
        : base(kind, count, seed)
    {
        this.batchSizeOfEpoch = batchSizeOfEpoch ?? throw new ArgumentNullException(nameof(batchSizeOfEpoch));
        DropLast = dropLast;
    }

    /// <summary>Whether an incomplete last batch is dropped.</summary>
    public bool DropLast { get; }

    /// <inheritdoc/>
    public override int BatchSize(int epoch)
    {
        int b = batchSizeOfEpoch(epoch);
        if (b <= 0) throw new ConfigurationException($"The {Kind} sampler's batch size for epoch {epoch} is {b}; it must be positive.");
        if (DropLast && b > Count)
            throw new ConfigurationException(
                $"The {Kind} sampler's batch size {b} (epoch {epoch}) exceeds the {Count} examples, so dropping the incomplete batch leaves none; lower the batch size or keep the last batch.");
        return Math.Min(b, Count);
    }

    /// <inheritdoc/>
    public override int BatchesPerEpoch(int epoch) => BatchCount(Count, BatchSize(epoch), DropLast);

    /// <inheritdoc/>
    protected override Func<int, int[]> Plan(int epoch)
    {
        int b = BatchSize(epoch);
        var order = StreamFor(epoch).Permutation(Count);
        return k => Slice(order, k, b, Count);
    }
}

/// <summary>
/// Online learning, one example per step (B = 1): each epoch visits the examples one at a time in a
/// fresh random order — stochastic gradient descent in its original form (Robbins &amp; Monro 1951;
/// Bottou 1998).
/// </summary>
public sealed class OnlineSampler : ShuffledSampler
{
    /// <summary>Single-example batches from a permutation drawn anew each epoch.</summary>
    public OnlineSampler(int count, ulong seed) : base("online", count, _ => 1, seed, dropLast: false) { }
}

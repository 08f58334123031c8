namespace Descent.Data;

/// <summary>
/// Chooses which examples form each mini-batch. Training is organised in epochs: epoch e yields
/// <see cref="BatchesPerEpoch"/>(e) index arrays (about N/B of them), each naming the examples of one
/// step; gather them with <see cref="Dataset.Batch"/>.
/// <code>
/// for (int epoch = sampler.State.Epoch; epoch &lt; epochs; epoch++)
///     foreach (int[] indices in sampler.Epoch(epoch))
///     {
///         using var scope = TensorScope.Begin();
///         var batch = train.Batch(indices);
///         …                                    // a checkpoint may store sampler.State here
///     }
/// </code>
/// All randomness is a pure function of (<see cref="SamplerState.Seed"/>, epoch, batch), so the
/// small <see cref="State"/> record (epoch and cursor) is enough to continue a run exactly:
/// after <see cref="Restore"/>, enumerating the saved epoch skips the batches already taken.
/// </summary>
public interface ISampler
{
    /// <summary>The sampler's kind, as stored in its state ("shuffle", "uniform", …).</summary>
    string Kind { get; }

    /// <summary>Number of examples N in the data set sampled from.</summary>
    int Count { get; }

    /// <summary>The (largest) batch size used in epoch <paramref name="epoch"/>.</summary>
    int BatchSize(int epoch);

    /// <summary>Number of batches epoch <paramref name="epoch"/> yields.</summary>
    int BatchesPerEpoch(int epoch);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, lazily. If <see cref="State"/> is inside this
    /// epoch (after <see cref="Restore"/> or an interrupted enumeration) the enumeration starts at its
    /// cursor; otherwise at the first batch. Each array is the caller's, except where a sampler says otherwise.
    /// </summary>
    IEnumerable<int[]> Epoch(int epoch);

    /// <summary>The position: the current epoch and how many of its batches were yielded.</summary>
    SamplerState State { get; }

    /// <summary>Continues from a saved position (taking its seed too).</summary>
    /// <exception cref="DataFormatException">The state belongs to another kind of sampler or another data set size.</exception>
    void Restore(SamplerState state);
}

/// <summary>
/// A sampler's position, small enough for a checkpoint's JSON metadata: every random choice is
/// derived from (<paramref name="Seed"/>, epoch, batch index), so nothing else is needed to continue exactly.
/// </summary>
/// <param name="Kind">The sampler's kind, checked on restore.</param>
/// <param name="Count">The data set size N, checked on restore.</param>
/// <param name="Seed">The seed of the sampler's random stream.</param>
/// <param name="Epoch">The epoch in progress (or the next one when <paramref name="Cursor"/> is 0).</param>
/// <param name="Cursor">How many batches of <paramref name="Epoch"/> were already yielded.</param>
public sealed record SamplerState(string Kind, int Count, ulong Seed, int Epoch, int Cursor);

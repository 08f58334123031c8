using Descent.Tensors;

namespace Descent.Data;

/// <summary>
/// The shared machinery of the samplers: the epoch/cursor position, resuming inside an epoch, and
/// random streams derived from (seed, kind, epoch, batch). A subclass says how big its batches are
/// and what batch k of epoch e holds.
/// </summary>
public abstract class Sampler : ISampler
{
    private int epoch, cursor;

    /// <summary>Starts at epoch 0, batch 0.</summary>
    /// <exception cref="ConfigurationException">The data set is empty.</exception>
    protected Sampler(string kind, int count, ulong seed)
    {
        if (count <= 0) throw new ConfigurationException($"The {kind} sampler needs a non-empty data set, got {count} examples.");
        Kind = kind;
        Count = count;
        Seed = seed;
    }

    /// <inheritdoc/>
    public string Kind { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>The seed of every random choice this sampler makes.</summary>
    public ulong Seed { get; private set; }

    /// <inheritdoc/>
    public abstract int BatchSize(int epoch);

    /// <inheritdoc/>
    public abstract int BatchesPerEpoch(int epoch);

    /// <inheritdoc/>
    public SamplerState State => new(Kind, Count, Seed, epoch, cursor);

    /// <inheritdoc/>
    public void Restore(SamplerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
            throw new DataFormatException($"Sampler state of kind '{state.Kind}' cannot restore a '{Kind}' sampler; resume with the same sampler.");
        if (state.Count != Count)
            throw new DataFormatException($"Sampler state for {state.Count} examples cannot restore a sampler over {Count}; resume with the same data.");
        if (state.Epoch < 0 || state.Cursor < 0)
            throw new DataFormatException($"Sampler state has a negative epoch ({state.Epoch}) or cursor ({state.Cursor}).");
        Seed = state.Seed;
        epoch = state.Epoch;
        cursor = state.Cursor;
    }

    /// <inheritdoc/>
    public IEnumerable<int[]> Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Enumerate(epoch);
    }

    private IEnumerable<int[]> Enumerate(int e)
    {
        int start = e == epoch ? cursor : 0;
        var plan = Plan(e);
        int batches = BatchesPerEpoch(e);
        epoch = e;
        cursor = start;
        for (int k = start; k < batches; k++)
        {
            var indices = plan(k);
            epoch = e;
            cursor = k + 1;
            yield return indices;
        }
        epoch = e + 1;
        cursor = 0;
    }

    /// <summary>What epoch <paramref name="epoch"/> holds: a function from batch index k to the batch's indices.
    /// Called once per enumeration; it may precompute the epoch's permutation.</summary>
    protected abstract Func<int, int[]> Plan(int epoch);

    /// <summary>An independent random stream for (this sampler's seed and kind, <paramref name="epoch"/>,
    /// <paramref name="batch"/>); batch −1 names the epoch's own stream.</summary>
    protected Rng StreamFor(int epoch, int batch = -1)
    {
        ulong x = Seed;
        x = Mix(x + 0x9E3779B97F4A7C15UL * (ulong)(epoch + 1));
        x = Mix(x ^ (0xD1B54A32D192ED03UL * (ulong)(batch + 2)));
        return Rng.Stream(x, "sampler/" + Kind);
    }

    /// <summary>The batch count for <paramref name="size"/> examples in batches of <paramref name="batch"/>.</summary>
    protected static int BatchCount(int size, int batch, bool dropLast) => dropLast ? size / batch : (size + batch - 1) / batch;

    /// <summary>Elements [k·B, min((k+1)·B, n)) of <paramref name="order"/> as a new array.</summary>
    protected static int[] Slice(int[] order, int k, int batchSize, int n)
    {
        int from = k * batchSize, to = Math.Min(n, from + batchSize);
        return order.AsSpan(from, to - from).ToArray();
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

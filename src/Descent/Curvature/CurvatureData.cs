using Descent.Data;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The examples a curvature is measured on: one batch (the current mini-batch of an optimizer), or the first
/// <see cref="Count"/> examples of a data set in chunks of at most <see cref="ChunkSize"/>. A product over
/// several chunks is the example-weighted average of the chunks' products, so the curvature is that of the
/// mean loss over all <see cref="Count"/> examples, with memory bounded by one chunk.
/// </summary>
public sealed class CurvatureData
{
    private readonly Tensor inputs;
    private readonly Targets targets;

    private CurvatureData(Tensor inputs, Targets targets, int chunkSize, string name)
    {
        if (inputs.Rank == 0 || inputs.Shape[0] != targets.Count)
            throw new ShapeException($"Curvature data: inputs of shape {inputs.Shape} but {targets.Count} targets.");
        if (targets.Count == 0) throw new ConfigurationException("Curvature data: there are no examples; give at least one.");
        if (chunkSize < 1) throw new ConfigurationException($"Curvature data: the chunk size must be at least 1, got {chunkSize}.");
        this.inputs = inputs;
        this.targets = targets;
        ChunkSize = Math.Min(chunkSize, targets.Count);
        Name = name;
    }

    /// <summary>Number of examples.</summary>
    public int Count => targets.Count;

    /// <summary>Largest number of examples per chunk.</summary>
    public int ChunkSize { get; }

    /// <summary>Number of chunks.</summary>
    public int ChunkCount => (Count + ChunkSize - 1) / ChunkSize;

    /// <summary>A description for reports.</summary>
    public string Name { get; }

    /// <summary>One batch, used whole (one chunk).</summary>
    public static CurvatureData Batch(Tensor inputs, Targets targets) =>
        new(inputs, targets, Math.Max(1, targets.Count), $"a batch of {targets.Count}");

    /// <summary>The first <paramref name="count"/> examples of <paramref name="data"/> (all when null), in chunks
    /// of <paramref name="chunkSize"/>.</summary>
    /// <exception cref="ConfigurationException">The count or chunk size is below 1, or the data set has no
    /// labels or targets.</exception>
    public static CurvatureData FromDataset(Dataset data, int? count = null, int chunkSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = count ?? data.Count;
        if (n < 1) throw new ConfigurationException($"Curvature data: the number of examples must be at least 1, got {n}.");
        n = Math.Min(n, data.Count);
        Targets t = data.Labels is { } labels ? Targets.FromClasses(labels.AsSpan(0, n).ToArray())
            : Targets.FromTensor(data.Targets?.Rows(0, n) ?? throw new ConfigurationException($"{data.Name} has neither labels nor targets."));
        return new(data.Features.Rows(0, n), t, chunkSize, $"{n} examples of {data.Name}");
    }

    /// <summary>The inputs and targets of chunk <paramref name="index"/> (views, no copy).</summary>
    public (Tensor Inputs, Targets Targets, int Count) Chunk(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ChunkCount);
        int start = index * ChunkSize, n = Math.Min(ChunkSize, Count - start);
        if (ChunkCount == 1) return (inputs, targets, n);
        return (inputs.Rows(start, n), targets.Rows(start, n), n);
    }
}

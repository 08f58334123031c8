using Descent.Data;

namespace Descent.Training;

/// <summary>
/// The part of a checkpoint that is not a tensor, stored as JSON in the safetensors metadata
/// (<see cref="CheckpointFile.RunStateKey"/>): where the loop is, the sampler's cursor, every random
/// stream, the optimizer's scalars (step, schedule and plateau state, Polyak count), the callbacks' state
/// and the metrics so far. With the tensors, it continues a run bit for bit.
/// </summary>
public sealed record RunState
{
    /// <summary>The run's definition, when it was built from one.</summary>
    public RunSpec? Spec { get; init; }

    /// <summary>The epoch in progress (0-based), or the next one at an epoch boundary.</summary>
    public int Epoch { get; init; }

    /// <summary>Steps taken.</summary>
    public long GlobalStep { get; init; }

    /// <summary>The sampler's position.</summary>
    public required SamplerState Sampler { get; init; }

    /// <summary>Random streams inside the model (e.g. dropout masks) by module path.</summary>
    public Dictionary<string, ulong[]> Rngs { get; init; } = [];

    /// <summary>The optimizer's name.</summary>
    public required string Optimizer { get; init; }

    /// <summary>The optimizer's explicit settings.</summary>
    public Dictionary<string, string> OptimizerSettings { get; init; } = [];

    /// <summary>The optimizer's schedule text.</summary>
    public string OptimizerSchedule { get; init; } = "";

    /// <summary>The optimizer's scalar state (step, skipped steps, schedule state, Polyak count).</summary>
    public Dictionary<string, double> OptimizerScalars { get; init; } = [];

    /// <summary>Each callback's numbers by callback name (their tensors are in the checkpoint file).</summary>
    public Dictionary<string, Dictionary<string, double>> Callbacks { get; init; } = [];

    /// <summary>The metrics of the finished epochs.</summary>
    public List<EpochMetrics> History { get; init; } = [];

    /// <summary>Sum of the finite mini-batch losses of the epoch in progress.</summary>
    public double EpochLossSum { get; init; }

    /// <summary>Number of losses in <see cref="EpochLossSum"/>.</summary>
    public int EpochLossCount { get; init; }

    /// <summary>Wall-clock seconds so far.</summary>
    public double Seconds { get; init; }

    /// <summary>The number of processes that trained the run (data parallelism; 1 for one process). A run resumes
    /// only with the same number, since the shards of every batch depend on it.</summary>
    public int Processes { get; init; } = 1;

    /// <summary>Set when a callback stopped the run (it is then not continued on resume).</summary>
    public string? StoppedBecause { get; init; }
}

using Descent.Distributed;

namespace Descent.Training;

/// <summary>How a <see cref="Trainer"/> runs.</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of epochs (passes of the sampler).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>The run directory for <c>metrics.csv</c>, <c>summary.json</c> and checkpoints; null writes nothing.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Also save a checkpoint every this many steps (0: only at the end of each epoch).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Keep each epoch's checkpoint as <c>checkpoint-epoch&lt;N&gt;.safetensors</c> besides the latest.</summary>
    public bool KeepEpochCheckpoints { get; init; }

    /// <summary>Pause the run (with a checkpoint) once this many steps have been taken in total; null: no limit.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Examples per evaluation batch.</summary>
    public int EvalBatchSize { get; init; } = 1000;

    /// <summary>The metric that defines the best epoch in results.</summary>
    public ValidationMetric Monitor { get; init; } = ValidationMetric.ValLoss;

    /// <summary>What the run is (problem, optimizer, settings, seed, …), stored in checkpoints (so a resume can
    /// check it) and in <c>summary.json</c>; null for a run assembled in code.</summary>
    public RunSpec? Spec { get; init; }

    /// <summary>The processes that train together, each on a shard of every batch (data parallelism); null: this
    /// process alone. Only rank 0 writes the run directory.</summary>
    public Communicator? Communicator { get; init; }

    /// <summary>With several processes, batch normalization uses the statistics of the global batch instead of
    /// each process's shard.</summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>Steps at the start of a process excluded from the allocation measurement (pools warming up).</summary>
    public int AllocationWarmupSteps { get; init; } = 5;
}

using System.Runtime.InteropServices;
using Descent.Data;
using Descent.Nn;
using Descent.Tensors;

namespace Descent.Distributed;

/// <summary>
/// Data-parallel training over a <see cref="Communicator"/>: every process holds the whole model and takes a
/// disjoint shard of every global batch (contiguous rows, <see cref="ShardOf"/>); gradients are averaged by
/// <see cref="DataParallelObjective"/> with one all-reduce of the flat gradient buffer, so every process takes
/// the same optimizer step. Batch normalization uses each process's shard (the default) or the global batch
/// (<c>syncBatchNorm</c>); module buffers (running statistics) are averaged over the processes before they are
/// evaluated or saved (<see cref="AverageBuffers"/>).
/// </summary>
public sealed class DataParallel
{
    /// <summary>Sets up data parallelism for <paramref name="objective"/>'s model.</summary>
    /// <param name="comm">The processes.</param>
    /// <param name="objective">This process's objective over the model.</param>
    /// <param name="syncBatchNorm">Normalize with the statistics of the global batch (every process's shard)
    /// instead of this process's shard.</param>
    public DataParallel(Communicator comm, Objective objective, bool syncBatchNorm = false)
    {
        Communicator = comm ?? throw new ArgumentNullException(nameof(comm));
        Objective = new DataParallelObjective(objective, comm);
        SyncBatchNorm = syncBatchNorm;
        foreach (var (_, m) in objective.Model.NamedModules())
            if (m is BatchNormBase bn) bn.CrossProcessSum = syncBatchNorm && comm.Size > 1 ? x => CrossProcessSum.Of(comm, x, () => Objective.Weight) : null;
    }

    /// <summary>The processes.</summary>
    public Communicator Communicator { get; }

    /// <summary>The averaged objective the optimizer steps on.</summary>
    public DataParallelObjective Objective { get; }

    /// <summary>True when batch normalization uses the global batch's statistics.</summary>
    public bool SyncBatchNorm { get; }

    /// <summary>The rows of a batch of <paramref name="n"/> examples that process <paramref name="rank"/> of
    /// <paramref name="size"/> takes: the contiguous block [⌊r·n/p⌋, ⌊(r+1)·n/p⌋), so the shards are disjoint,
    /// cover the batch, and differ in size by at most one.</summary>
    public static (int Offset, int Count) ShardOf(int n, int rank, int size)
    {
        int start = (int)((long)rank * n / size), end = (int)((long)(rank + 1) * n / size);
        return (start, end - start);
    }

    /// <summary>This process's shard of <paramref name="globalBatch"/> (example indices); sets the objective's
    /// weight n_r/n and returns where the shard lies in the batch (for <see cref="BatchShard.Use"/>).</summary>
    public int[] Shard(int[] globalBatch, out BatchShard shard)
    {
        var (offset, count) = ShardOf(globalBatch.Length, Communicator.Rank, Communicator.Size);
        if (count == 0)
            throw new ConfigurationException($"A batch of {globalBatch.Length} examples cannot be split over {Communicator.Size} processes; every batch needs at least one example per process.");
        shard = new BatchShard(globalBatch.Length, offset, count);
        Objective.Weight = (double)count / globalBatch.Length;
        return count == globalBatch.Length ? globalBatch : globalBatch.AsSpan(offset, count).ToArray();
    }

    /// <summary>Checks that every batch of epochs <paramref name="fromEpoch"/> … <paramref name="epochs"/> − 1
    /// has at least one example per process (the smallest batch of an epoch is its last, N − (k − 1)·B).</summary>
    /// <exception cref="ConfigurationException">Some batch is smaller than the number of processes.</exception>
    public static void CheckBatches(ISampler sampler, int fromEpoch, int epochs, int processes)
    {
        if (processes <= 1) return;
        for (int e = fromEpoch; e < epochs; e++)
        {
            int b = sampler.BatchSize(e), k = sampler.BatchesPerEpoch(e);
            long rest = sampler.Count - (long)(k - 1) * b;
            int smallest = rest > 0 && rest < b ? (int)rest : b;
            if (smallest < processes)
                throw new ConfigurationException(
                    $"With {processes} processes every batch needs at least {processes} examples (one per process), but epoch {e + 1} has a batch of {smallest} ({sampler.Count} examples in batches of {b}); choose another --batch-size or --limit-train, or fewer processes.");
        }
    }

    /// <summary>Averages the model's floating-point buffers (batch-normalization running statistics) over the
    /// processes, so that every process evaluates and saves the same model.</summary>
    public void AverageBuffers(Module model)
    {
        if (Communicator.Size == 1) return;
        foreach (var (_, b) in model.NamedBuffers())
        {
            Communicator.AllReduce(b);
            b.MulInPlace(1.0 / Communicator.Size);
        }
    }

    /// <summary>A 64-bit fingerprint of a tensor's bits (FNV-1a over its bytes).</summary>
    public static ulong Fingerprint(Tensor t)
    {
        var bytes = t.DType == DType.Float32 ? MemoryMarshal.AsBytes(t.Floats) : MemoryMarshal.AsBytes(t.Doubles);
        ulong h = 14695981039346656037UL;
        foreach (byte b in bytes) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    /// <summary>Checks that every process holds the same bits of <paramref name="values"/> as rank 0.</summary>
    /// <exception cref="DistributedException">They differ somewhere.</exception>
    public void EnsureSame(Tensor values, string when)
    {
        if (Communicator.Size == 1) return;
        Span<double> mine = [BitConverter.UInt64BitsToDouble(Fingerprint(values))];
        Span<byte> root = stackalloc byte[8];
        MemoryMarshal.Write(root, in mine[0]);
        Communicator.Broadcast(root);
        bool differs = MemoryMarshal.Read<double>(root) is var r && BitConverter.DoubleToUInt64Bits(r) != BitConverter.DoubleToUInt64Bits(mine[0]);
        int first = Communicator.FirstWhere(differs);
        if (first >= 0)
            throw new DistributedException($"The parameters of rank {first} differ from rank 0's {when}; the processes no longer train the same model (an all-reduce gave them different bits).");
    }
}

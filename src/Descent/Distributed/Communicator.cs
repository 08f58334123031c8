using System.Runtime.InteropServices;
using Descent.Tensors;

namespace Descent.Distributed;

/// <summary>A reduction a collective applies element-wise.</summary>
public enum ReduceOp
{
    /// <summary>The sum.</summary>
    Sum,

    /// <summary>The maximum.</summary>
    Max,

    /// <summary>The minimum.</summary>
    Min,
}

/// <summary>
/// The processes that train together (data parallelism): this process's <see cref="Rank"/> among
/// <see cref="Size"/>, and the collectives training needs. Every process must call the same collectives in the
/// same order with the same lengths. An all-reduce gives every process the same bits: the reduction order is
/// a fixed function of the number of processes and the buffer length, so a run at a fixed number of processes
/// is bit-identical from run to run (docs/distributed.md).
/// <para><see cref="Single"/> is one process on its own (rank 0 of 1, every collective a no-op);
/// <see cref="Connect"/> joins the MPI job the process was started in.</para>
/// </summary>
public abstract class Communicator : IDisposable
{
    /// <summary>This process's index, 0 … <see cref="Size"/> − 1.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of processes.</summary>
    public abstract int Size { get; }

    /// <summary>True on rank 0, the process that writes files and prints.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>What this is, e.g. <c>Open MPI v4.1.4, 2 processes</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Appended to the message that ends the job after a failure (e.g. where the last checkpoint is
    /// and how to resume).</summary>
    public string? FaultHint { get; set; }

    /// <summary>How long one collective may wait for the other processes before this process gives up and
    /// ends the job (MPI only; default 300 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Reduces <paramref name="buffer"/> element-wise over all processes, in place.</summary>
    public abstract void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum);

    /// <summary>Reduces <paramref name="buffer"/> element-wise over all processes, in place.</summary>
    public abstract void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum);

    /// <summary>Copies <paramref name="buffer"/> of rank <paramref name="root"/> to every process.</summary>
    public abstract void Broadcast(Span<byte> buffer, int root = 0);

    /// <summary>Returns once every process has called it.</summary>
    public abstract void Barrier();

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (after a failure that the
    /// others cannot know about). For a single process this returns and the caller exits.</summary>
    public abstract void Abort(int exitCode);

    /// <summary>Sums a float or double tensor over all processes, in place.</summary>
    public void AllReduce(Tensor t, ReduceOp op = ReduceOp.Sum)
    {
        if (t.DType == DType.Float32) AllReduce(t.Floats, op);
        else AllReduce(t.Doubles, op);
    }

    /// <summary>Copies rank <paramref name="root"/>'s values to every process.</summary>
    public void Broadcast(Span<double> buffer, int root = 0) => Broadcast(MemoryMarshal.AsBytes(buffer), root);

    /// <summary>True on every process if <paramref name="local"/> is true on any.</summary>
    public bool Any(bool local)
    {
        Span<double> v = [local ? 1 : 0];
        AllReduce(v, ReduceOp.Max);
        return v[0] > 0;
    }

    /// <summary>The lowest rank where <paramref name="local"/> is true, or −1 when it is false everywhere.</summary>
    public int FirstWhere(bool local)
    {
        Span<double> v = [local ? Rank : Size];
        AllReduce(v, ReduceOp.Min);
        return v[0] < Size ? (int)v[0] : -1;
    }

    /// <summary>Leaves the job (MPI: finalizes).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>One process on its own: rank 0 of 1; collectives change nothing.</summary>
    public static Communicator Single { get; } = new SingleProcess();

    /// <summary>
    /// The communicator of this process: the MPI job it was started in by <c>mpirun</c> (or when
    /// <paramref name="forceMpi"/>), else <see cref="Single"/>. MPI is loaded only then, so a machine without
    /// MPI never touches it. The library is <paramref name="library"/>, else <c>$DESCENT_MPI_LIBRARY</c>, else
    /// Open MPI's <c>libmpi.so.40</c>. MPI is initialized once per process; later calls return the same
    /// communicator until it is disposed.
    /// </summary>
    /// <exception cref="ConfigurationException">MPI is needed but cannot be loaded or started (the message says why
    /// and how to install it).</exception>
    public static Communicator Connect(bool forceMpi = false, string? library = null)
    {
        var launch = MpiLaunch.Detect();
        if (!forceMpi && launch is null) return Single;
        return MpiCommunicator.Start(library ?? Environment.GetEnvironmentVariable("DESCENT_MPI_LIBRARY"),
            launch is null ? "--mpi was given" : $"this process was started by an MPI launcher ({launch})");
    }

    private sealed class SingleProcess : Communicator
    {
        public override int Rank => 0;

        public override int Size => 1;

        public override string Description => "single process";

        public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum) { }

        public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum) { }

        public override void Broadcast(Span<byte> buffer, int root = 0)
        {
            if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"There is only rank 0, not {root}.");
        }

        public override void Barrier() { }

        public override void Abort(int exitCode) { }

        public override void Dispose() { }
    }
}

/// <summary>An MPI call failed, or the other processes of the job stopped answering.</summary>
public sealed class DistributedException : Exception
{
    /// <summary>Creates the error.</summary>
    public DistributedException(string message) : base(message) { }
}

/// <summary>How this process was started: the environment an MPI launcher sets.</summary>
public static class MpiLaunch
{
    /// <summary>The launcher's variables that say a process belongs to an MPI job and its size: Open MPI's
    /// <c>OMPI_COMM_WORLD_SIZE</c>, PMIx's <c>PMIX_RANK</c>, and the PMI of Slurm and Hydra (<c>PMI_SIZE</c>).</summary>
    public static readonly string[] Variables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"];

    /// <summary>The first launcher variable set, as <c>NAME=value</c>, or null when the process was not
    /// started by an MPI launcher.</summary>
    public static string? Detect()
    {
        foreach (var v in Variables)
            if (Environment.GetEnvironmentVariable(v) is { Length: > 0 } value) return $"{v}={value}";
        return null;
    }
}

/// <summary>Another process of the job could not set the run up; it printed why, and every process stops.</summary>
public sealed class PeerFailedException : DescentException
{
    /// <summary>Creates the error for rank <paramref name="rank"/> of <paramref name="size"/>.</summary>
    public PeerFailedException(int rank, int size)
        : base($"rank {rank} of the {size} processes could not set the run up (its error is printed above); every process stops.")
    {
        Rank = rank;
    }

    /// <summary>The process that failed.</summary>
    public int Rank { get; }
}

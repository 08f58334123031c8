namespace Descent.Nn;

/// <summary>
/// Which rows of a global mini-batch this process's forward pass holds, in data-parallel training: rows
/// <see cref="Offset"/> … <see cref="Offset"/> + <see cref="Rows"/> − 1 of <see cref="GlobalRows"/>. Layers
/// that draw random numbers per example (<see cref="Dropout"/>) draw them for the whole global batch and keep
/// this process's rows: every process's stream then advances in step (so one checkpoint holds them all) and
/// the masks are those one process training the global batch would draw.
/// <para>Set for the current async flow with <see cref="Use"/>; outside a scope there is none.</para>
/// </summary>
/// <param name="GlobalRows">Examples in the global batch.</param>
/// <param name="Offset">The first of this process's rows.</param>
/// <param name="Rows">This process's number of rows.</param>
public sealed record BatchShard(int GlobalRows, int Offset, int Rows)
{
    private static readonly AsyncLocal<BatchShard?> Scoped = new();

    /// <summary>The shard in effect, or null.</summary>
    public static BatchShard? Current => Scoped.Value;

    /// <summary>Makes <paramref name="shard"/> current until the returned scope is disposed.</summary>
    public static IDisposable Use(BatchShard? shard)
    {
        var previous = Scoped.Value;
        Scoped.Value = shard;
        return new Restore(previous);
    }

    private sealed class Restore(BatchShard? previous) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            Scoped.Value = previous;
        }
    }
}

using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// The random stream layer constructors draw their default initialization from when no <see cref="Rng"/> is
/// passed (and from which a <see cref="Dropout"/> without its own stream derives one). Nothing here is
/// shared between threads or concurrent tasks: inside <see cref="Use"/> it is the scope's stream (for this
/// async flow only); outside any scope it is the calling thread's own stream, seeded with 0 when the thread
/// first uses it. Reproducible code passes an <see cref="Rng"/> (the benchmark problems derive theirs with
/// <see cref="Rng.Stream"/>) or builds its model inside <c>using (DefaultRng.Use(new Rng(seed)))</c>.
/// </summary>
public static class DefaultRng
{
    private static readonly AsyncLocal<Rng?> Scoped = new();

    [ThreadStatic]
    private static Rng? perThread;

    /// <summary>The stream in effect: the innermost <see cref="Use"/> scope's, else this thread's own.</summary>
    public static Rng Current => Scoped.Value ?? (perThread ??= new Rng(0));

    /// <summary>Makes <paramref name="rng"/> the default stream until the returned scope is disposed (which
    /// restores the previous one). Affects only this async flow.</summary>
    public static IDisposable Use(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var previous = Scoped.Value;
        Scoped.Value = rng;
        return new Restore(previous);
    }

    /// <summary>Restarts this thread's own default stream from <paramref name="seed"/> (used outside any
    /// <see cref="Use"/> scope).</summary>
    public static void Seed(ulong seed) => perThread = new Rng(seed);

    private sealed class Restore(Rng? previous) : IDisposable
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

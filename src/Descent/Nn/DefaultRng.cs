using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// The process-wide random stream that layer constructors draw their default initialization from
/// when no <see cref="Rng"/> is passed (and from which a <see cref="Dropout"/> without its own stream
/// derives one). Seeded with 0 at start-up, so building the same model in the same order gives the
/// same bits; call <see cref="Seed"/> to start over from another seed.
/// </summary>
public static class DefaultRng
{
    /// <summary>The shared stream (seeded 0 until <see cref="Seed"/> is called).</summary>
    public static Rng Shared { get; private set; } = new(0);

    /// <summary>Restarts the shared stream from <paramref name="seed"/>.</summary>
    public static void Seed(ulong seed) => Shared = new Rng(seed);
}

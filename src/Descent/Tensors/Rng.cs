namespace Descent.Tensors;

/// <summary>
/// A seeded pseudo-random stream (xoshiro256**, Blackman &amp; Vigna 2018) whose whole state is four
/// 64-bit words, so it can be saved in a checkpoint and restored bit for bit. Independent of the
/// .NET version. Named streams (<see cref="Rng.Stream(ulong, string)"/>) give initialization, data
/// order, dropout and augmentation their own sequences from one seed.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private double spare;
    private bool hasSpare;

    /// <summary>Creates a stream from a seed (expanded with SplitMix64).</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    /// <summary>The stream called <paramref name="name"/> derived from <paramref name="seed"/>:
    /// different names give independent sequences, the same (seed, name) the same one.</summary>
    public static Rng Stream(ulong seed, string name)
    {
        ulong h = 14695981039346656037UL; // FNV-1a of the name
        foreach (char c in name) { h ^= c; h *= 1099511628211UL; }
        ulong x = seed ^ h;
        return new Rng(SplitMix(ref x));
    }

    /// <summary>The full state (for checkpoints): four words, the spare normal and its flag.</summary>
    public ulong[] GetState() => [s0, s1, s2, s3, BitConverter.DoubleToUInt64Bits(spare), hasSpare ? 1UL : 0UL];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 6) throw new DataFormatException($"RNG state must have 6 words, found {state.Length}.");
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3];
        spare = BitConverter.UInt64BitsToDouble(state[4]);
        hasSpare = state[5] != 0;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = RotL(s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive.");
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            UInt128 m = (UInt128)r * bound;
            if ((ulong)m >= threshold) return (int)(m >> 64);
        }
    }

    /// <summary>Standard normal deviate (polar Box–Muller; pairs are cached).</summary>
    public double NextNormal()
    {
        if (hasSpare) { hasSpare = false; return spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        spare = v * f;
        hasSpare = true;
        return u * f;
    }

    /// <summary>Shuffles a span in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

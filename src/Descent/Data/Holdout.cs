using Descent.Tensors;

namespace Descent.Data;

/// <summary>How a held-out part (validation or test) is chosen from a set of examples.</summary>
public enum HoldoutMethod
{
    /// <summary>
    /// A seeded random sample drawn separately within each class, so every class keeps its share
    /// (round(fraction × class size) examples of each class; without labels, a plain random sample).
    /// The default.
    /// </summary>
    StratifiedRandom,

    /// <summary>The last ⌈fraction × N⌉ examples in file order (no randomness; the seed is ignored).</summary>
    Last,
}

/// <summary>
/// Reproducible splits of the indices 0..N−1 into a kept part and a held-out part. The random
/// method draws from the stream <c>Rng.Stream(seed, "holdout")</c>, so the same (N, labels, fraction,
/// seed) always gives the same split. Both parts are returned in increasing index order, are
/// disjoint and together cover every index once.
/// </summary>
public static class Holdout
{
    /// <summary>Splits 0..<paramref name="count"/>−1, holding out a <paramref name="fraction"/> of them.</summary>
    /// <param name="count">Number of examples N.</param>
    /// <param name="fraction">The held-out share, in [0, 1).</param>
    /// <param name="seed">Seed for <see cref="HoldoutMethod.StratifiedRandom"/>.</param>
    /// <param name="labels">Class labels for stratification, or null.</param>
    /// <param name="method">How the held-out examples are chosen.</param>
    /// <returns>The kept indices and the held-out indices.</returns>
    /// <exception cref="ConfigurationException">The fraction is outside [0, 1).</exception>
    public static (int[] Kept, int[] HeldOut) Split(int count, double fraction, ulong seed, int[]? labels = null,
        HoldoutMethod method = HoldoutMethod.StratifiedRandom)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(fraction >= 0 && fraction < 1))
            throw new ConfigurationException($"The held-out fraction {fraction} must be in [0, 1) (for example 0.1 for 10%).");
        if (labels is not null && labels.Length != count)
            throw new ShapeException($"Holdout: {labels.Length} labels for {count} examples.");
        var held = new bool[count];
        if (method == HoldoutMethod.Last)
        {
            int h = (int)Math.Ceiling(fraction * count - 1e-9);
            for (int i = count - h; i < count; i++) held[i] = true;
        }
        else
        {
            var rng = Rng.Stream(seed, "holdout");
            foreach (var group in Groups(count, labels))
            {
                rng.Shuffle<int>(group);
                int h = (int)Math.Round(fraction * group.Length, MidpointRounding.AwayFromZero);
                for (int i = 0; i < h; i++) held[group[i]] = true;
            }
        }
        var kept = new List<int>(count);
        var heldOut = new List<int>();
        for (int i = 0; i < count; i++) (held[i] ? heldOut : kept).Add(i);
        return (kept.ToArray(), heldOut.ToArray());
    }

    /// <summary>The indices of each class (in increasing order of class), or one group of all indices.</summary>
    private static IEnumerable<int[]> Groups(int count, int[]? labels)
    {
        if (labels is null)
        {
            yield return Enumerable.Range(0, count).ToArray();
            yield break;
        }
        foreach (var g in Enumerable.Range(0, count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
            yield return g.ToArray();
    }
}

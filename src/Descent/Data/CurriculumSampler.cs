namespace Descent.Data;

/// <summary>Settings of a <see cref="CurriculumSampler"/>.</summary>
/// <param name="StartFraction">The share of the examples, easiest first, available in epoch 0.</param>
/// <param name="RampEpochs">Epochs over which the pool grows linearly to the whole set (0: all at once).</param>
/// <param name="RandomFraction">Mixing: each epoch also draws this share of the pool's size uniformly from the
/// examples not yet in the pool, so harder examples are glimpsed early.</param>
/// <param name="Window">Order inside an epoch: null shuffles the epoch's examples; a number w ≥ 0 orders them from
/// easy to hard with each example's difficulty rank jittered by up to w positions (0: strictly sorted).</param>
public sealed record CurriculumOptions(
    double StartFraction = 0.2,
    int RampEpochs = 5,
    double RandomFraction = 0.1,
    double? Window = null);

/// <summary>
/// Curriculum learning (Bengio, Louradour, Collobert &amp; Weston 2009): examples are ranked from easy to
/// hard by a difficulty score (lower is easier; e.g. a pre-trained model's loss, or a hand-made
/// measure), and a pacing function grows the pool available for training over the epochs (Hacohen &amp;
/// Weinshall 2019): epoch e uses the ⌈g(e)·N⌉ easiest examples, with
/// g(e) = min(1, s + (1 − s)·e / R) for start fraction s and ramp R. Some mixing keeps it from being
/// a rigid sort: a random share of outside examples is added, and the order within an epoch is
/// shuffled or sorted with a jitter window. From epoch R on every example is used exactly once per epoch.
/// </summary>
public sealed class CurriculumSampler : Sampler
{
    private readonly int batchSize;
    private readonly int[] easyFirst; // indices sorted by difficulty (ties by index)
    private readonly int[] rank;      // rank[i] = position of example i in easyFirst

    /// <summary>A curriculum over examples with the given <paramref name="difficulty"/> scores.</summary>
    /// <exception cref="ConfigurationException">A setting is out of range or a score is not finite.</exception>
    public CurriculumSampler(double[] difficulty, int batchSize, ulong seed, CurriculumOptions? options = null)
        : base("curriculum", difficulty?.Length ?? 0, seed)
    {
        Options = options ??= new CurriculumOptions();
        if (batchSize <= 0) throw new ConfigurationException($"The curriculum sampler's batch size is {batchSize}; it must be positive.");
        if (!(options.StartFraction > 0 && options.StartFraction <= 1))
            throw new ConfigurationException($"The curriculum's start fraction {options.StartFraction} must be in (0, 1].");
        if (options.RampEpochs < 0) throw new ConfigurationException($"The curriculum's ramp {options.RampEpochs} must be ≥ 0 epochs.");
        if (!(options.RandomFraction >= 0 && options.RandomFraction <= 1))
            throw new ConfigurationException($"The curriculum's random fraction {options.RandomFraction} must be in [0, 1].");
        if (options.Window is { } w && !(w >= 0))
            throw new ConfigurationException($"The curriculum's window {w} must be ≥ 0 (or unset to shuffle).");
        for (int i = 0; i < difficulty!.Length; i++)
            if (!double.IsFinite(difficulty[i]))
                throw new ConfigurationException($"The difficulty score of example {i} is {difficulty[i]}; scores must be finite.");
        this.batchSize = batchSize;
        easyFirst = Enumerable.Range(0, Count).OrderBy(i => difficulty[i]).ThenBy(i => i).ToArray();
        rank = new int[Count];
        for (int r = 0; r < Count; r++) rank[easyFirst[r]] = r;
    }

    /// <summary>The settings.</summary>
    public CurriculumOptions Options { get; }

    /// <summary>The example indices from easiest to hardest.</summary>
    public IReadOnlyList<int> EasyFirst => easyFirst;

    /// <summary>The pool size at <paramref name="epoch"/>: the ⌈g(e)·N⌉ easiest examples.</summary>
    public int PoolSize(int epoch)
    {
        double g = Options.RampEpochs == 0
            ? 1
            : Math.Min(1, Options.StartFraction + (1 - Options.StartFraction) * epoch / Options.RampEpochs);
        return Math.Clamp((int)Math.Ceiling(g * Count - 1e-9), 1, Count);
    }

    /// <summary>Examples used in <paramref name="epoch"/>: the pool plus its random outside share.</summary>
    public int EpochSize(int epoch)
    {
        int pool = PoolSize(epoch);
        return pool + ExtraCount(epoch, pool);
    }

    /// <inheritdoc/>
    public override int BatchSize(int epoch) => Math.Min(batchSize, EpochSize(epoch));

    /// <inheritdoc/>
    public override int BatchesPerEpoch(int epoch) => BatchCount(EpochSize(epoch), batchSize, dropLast: false);

    /// <inheritdoc/>
    protected override Func<int, int[]> Plan(int epoch)
    {
        var rng = StreamFor(epoch);
        int pool = PoolSize(epoch), extra = ExtraCount(epoch, pool);
        var chosen = new int[pool + extra];
        easyFirst.AsSpan(0, pool).CopyTo(chosen);
        if (extra > 0)
        {
            var outside = easyFirst[pool..];
            for (int i = 0; i < extra; i++) // partial Fisher–Yates: `extra` distinct outside examples
            {
                int j = i + rng.NextInt(outside.Length - i);
                (outside[i], outside[j]) = (outside[j], outside[i]);
                chosen[pool + i] = outside[i];
            }
        }
        if (Options.Window is { } w)
        {
            var keys = new double[chosen.Length];
            for (int i = 0; i < chosen.Length; i++) keys[i] = rank[chosen[i]] + w * rng.NextDouble();
            Array.Sort(keys, chosen);
        }
        else rng.Shuffle<int>(chosen);
        int n = chosen.Length;
        return k => Slice(chosen, k, batchSize, n);
    }

    private int ExtraCount(int epoch, int pool) =>
        Math.Min(Count - pool, (int)Math.Round(Options.RandomFraction * pool, MidpointRounding.AwayFromZero));
}

namespace Descent.Data;

/// <summary>
/// Shuffled epochs whose batch size grows with the epoch — Smith, Kindermans, Ying &amp; Le (2018),
/// "Don't decay the learning rate, increase the batch size": multiplying B by a factor where a step
/// schedule would divide the learning rate by it gives the same noise scale ε·N/B with fewer steps.
/// The schedule is any function of the epoch (clamped to N), for example <see cref="Doubling"/>.
/// </summary>
public sealed class GrowingBatchSampler : ShuffledSampler
{
    /// <summary>Shuffled epochs of batch size <paramref name="schedule"/>(epoch).</summary>
    /// <exception cref="ConfigurationException">The schedule gives a non-positive size (when that epoch is used).</exception>
    public GrowingBatchSampler(int count, Func<int, int> schedule, ulong seed, bool dropLast = false)
        : base("growing", count, schedule, seed, dropLast)
    {
        BatchSize(0); // validates the first epoch's size now
    }

    /// <summary>
    /// The schedule B(e) = min(<paramref name="max"/>, <paramref name="initial"/> · <paramref name="factor"/>^⌊e / <paramref name="everyEpochs"/>⌋):
    /// the batch size is multiplied by <paramref name="factor"/> (2: doubled) every <paramref name="everyEpochs"/> epochs.
    /// </summary>
    /// <exception cref="ConfigurationException">A parameter is not positive, or the factor is below 1.</exception>
    public static Func<int, int> Doubling(int initial, int everyEpochs, int max = int.MaxValue, double factor = 2)
    {
        if (initial <= 0 || everyEpochs <= 0 || max <= 0)
            throw new ConfigurationException($"A growing batch schedule needs positive initial size ({initial}), period ({everyEpochs}) and maximum ({max}).");
        if (!(factor >= 1)) throw new ConfigurationException($"A growing batch schedule's factor {factor} must be at least 1.");
        return epoch =>
        {
            double b = initial * Math.Pow(factor, epoch / everyEpochs);
            return b >= max ? max : (int)Math.Round(b);
        };
    }
}

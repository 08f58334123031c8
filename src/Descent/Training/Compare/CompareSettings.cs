using Descent.Optim;

namespace Descent.Training.Compare;

/// <summary>
/// Optimizer settings for a comparison, from <c>--set</c> pairs: <c>key=value</c> applies to every compared
/// optimizer that has the key (<c>--set momentum=0.95</c> reaches momentum and Nesterov, not Adam), and
/// <c>optimizer:key=value</c> to one optimizer (<c>--set adam:beta2=0.99</c>). A key no compared optimizer has, or
/// an optimizer that is not compared, is an error.
/// </summary>
public static class CompareSettings
{
    /// <summary>The settings of each optimizer in <paramref name="optimizers"/> (canonical names).</summary>
    /// <exception cref="ConfigurationException">A malformed pair, a key no optimizer has, or an optimizer not compared.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Split(IEnumerable<string> pairs, IReadOnlyList<string> optimizers)
    {
        var result = optimizers.ToDictionary(o => o, _ => new Dictionary<string, string>(StringComparer.Ordinal));
        foreach (var raw in pairs)
        {
            foreach (var pair in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1)
                    throw new ConfigurationException($"--set '{pair}' must be key=value or optimizer:key=value, e.g. --set adam:beta2=0.99.");
                string left = pair[..eq].Trim().ToLowerInvariant(), value = pair[(eq + 1)..].Trim();
                int colon = left.IndexOf(':');
                if (colon >= 0)
                {
                    string opt = OptimizerFactory.Describe(left[..colon]).Name, key = left[(colon + 1)..];
                    if (!result.TryGetValue(opt, out var d))
                        throw new ConfigurationException($"--set {pair}: {opt} is not among the compared optimizers ({string.Join(", ", optimizers)}).");
                    if (!d.TryAdd(key, value)) throw new ConfigurationException($"--set gives {opt}'s '{key}' twice; give it once.");
                    continue;
                }
                var having = optimizers.Where(o => OptimizerFactory.Describe(o).Keys.Any(k => k.Key == left || k.Alias == left)).ToList();
                if (having.Count == 0)
                    throw new ConfigurationException($"--set {pair}: none of the compared optimizers ({string.Join(", ", optimizers)}) has a setting '{left}'.");
                foreach (var o in having)
                    if (!result[o].TryAdd(left, value)) throw new ConfigurationException($"--set gives {o}'s '{left}' twice; give it once.");
            }
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value);
    }
}

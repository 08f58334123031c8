using Descent.Optim;

namespace Descent.Training.Compare;

/// <summary>
/// Optimizer settings for a comparison, from <c>--set</c> pairs: <c>key=value</c> applies to every compared
/// optimizer that has the key (<c>--set momentum=0.95</c> reaches momentum and Nesterov, not Adam), and
/// <c>optimizer:key=value</c> to one optimizer (<c>--set adam:beta2=0.99</c>). A key no compared optimizer has, or
/// an optimizer that is not compared, is an error. An optimizer's own setting overrides a common one
/// (<c>--set lr=0.01 --set adam:lr=0.001</c>).
/// </summary>
public static class CompareSettings
{
    /// <summary>The settings of each optimizer in <paramref name="optimizers"/> (canonical names).</summary>
    /// <exception cref="ConfigurationException">A malformed pair, a key no optimizer has, or an optimizer not compared.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Split(IEnumerable<string> pairs, IReadOnlyList<string> optimizers)
    {
        var common = new List<(string Pair, string Key, string Value)>();
        var own = new List<(string Pair, string Optimizer, string Key, string Value)>();
        foreach (var raw in pairs)
        {
            foreach (var pair in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1)
                    throw new ConfigurationException($"--set '{pair}' must be key=value or optimizer:key=value, e.g. --set adam:beta2=0.99.");
                string left = pair[..eq].Trim().ToLowerInvariant(), value = pair[(eq + 1)..].Trim();
                int colon = left.IndexOf(':');
                if (colon < 0) common.Add((pair, left, value));
                else own.Add((pair, OptimizerFactory.Describe(left[..colon]).Name, left[(colon + 1)..], value));
            }
        }
        var result = optimizers.ToDictionary(o => o, _ => new Dictionary<string, string>(StringComparer.Ordinal));
        foreach (var (pair, key, value) in common)
        {
            var having = optimizers.Where(o => OptimizerFactory.Describe(o).Keys.Any(k => k.Key == key || k.Alias == key)).ToList();
            if (having.Count == 0)
                throw new ConfigurationException($"--set {pair}: none of the optimizers ({string.Join(", ", optimizers)}) has a setting '{key}'.");
            foreach (var o in having)
                if (!result[o].TryAdd(key, value)) throw new ConfigurationException($"--set gives '{key}' twice; give it once.");
        }
        var seen = new HashSet<(string, string)>();
        foreach (var (pair, opt, key, value) in own)
        {
            if (!result.TryGetValue(opt, out var d))
                throw new ConfigurationException($"--set {pair}: {opt} is not among the optimizers ({string.Join(", ", optimizers)}).");
            if (!seen.Add((opt, key))) throw new ConfigurationException($"--set gives {opt}'s '{key}' twice; give it once.");
            d[key] = value; // an optimizer's own setting overrides a common one
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value);
    }
}

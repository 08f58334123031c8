using System.Globalization;

namespace Descent.Optim;

/// <summary>
/// The validated hyperparameters of one optimizer (or of one of its parameter groups): every key of the
/// optimizer with its value, defaults filled in for the chosen <c>variant</c>. Immutable; derive changed
/// copies with <see cref="With(string, string)"/>. Values are kept as canonical strings so they can be written to a
/// checkpoint and parsed back exactly.
/// </summary>
public sealed class OptimizerSettings
{
    private readonly Dictionary<string, string> values;
    private readonly Dictionary<string, double> numbers = [];
    private readonly HashSet<string> explicitKeys;

    private OptimizerSettings(string optimizer, IReadOnlyList<HyperparameterSpec> specs,
        Dictionary<string, string> values, HashSet<string> explicitKeys)
    {
        Optimizer = optimizer;
        Specs = specs;
        this.values = values;
        this.explicitKeys = explicitKeys;
        // Typed once: numbers are parsed here, never again (rules read them when they are created).
        foreach (var (k, v) in values)
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) numbers[k] = d;
    }

    /// <summary>The optimizer these settings belong to.</summary>
    public string Optimizer { get; }

    /// <summary>Every key the optimizer accepts.</summary>
    public IReadOnlyList<HyperparameterSpec> Specs { get; }

    /// <summary><c>paper</c> or <c>pytorch</c> (<c>paper</c> for optimizers without a torch.optim counterpart).</summary>
    public string Variant => values.GetValueOrDefault("variant", "paper");

    /// <summary>True with <c>variant=pytorch</c>.</summary>
    public bool IsPytorch => Variant == "pytorch";

    /// <summary>The canonical text of a value.</summary>
    public string this[string key] => values.TryGetValue(key, out var v) ? v
        : throw new ConfigurationException($"{Optimizer} has no setting '{key}'.");

    /// <summary>True if the optimizer has the key (with the current variant).</summary>
    public bool Has(string key) => values.ContainsKey(key);

    /// <summary>A real-valued setting.</summary>
    public double Real(string key) => numbers.TryGetValue(key, out double d) ? d
        : throw new ConfigurationException($"{Optimizer}: setting '{key}' is {(values.ContainsKey(key) ? "not a number" : "not defined")}.");

    /// <summary>An integer setting.</summary>
    public long Integer(string key) => (long)Real(key);

    /// <summary>A true/false setting.</summary>
    public bool Flag(string key) => this[key] == "true";

    /// <summary>True if the value was given explicitly rather than defaulted.</summary>
    public bool IsExplicit(string key) => explicitKeys.Contains(key);

    /// <summary>Every key with its value (defaults included), in the optimizer's key order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All =>
        Specs.Where(s => values.ContainsKey(s.Key)).Select(s => KeyValuePair.Create(s.Key, values[s.Key])).ToArray();

    /// <summary>Only the values that were given explicitly (what a checkpoint needs to recreate the optimizer).</summary>
    public IReadOnlyDictionary<string, string> Explicit =>
        All.Where(kv => explicitKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>
    /// Validates user settings against an optimizer's keys: unknown keys, wrong types, out-of-range values and
    /// keys that need another variant are errors naming the optimizer, the key and the valid choices.
    /// </summary>
    /// <exception cref="ConfigurationException">A setting is invalid.</exception>
    public static OptimizerSettings Parse(string optimizer, IReadOnlyList<HyperparameterSpec> specs,
        IReadOnlyDictionary<string, string>? settings)
    {
        settings ??= new Dictionary<string, string>();
        var given = new Dictionary<string, string>();
        foreach (var (rawKey, value) in settings)
        {
            string key = rawKey.Trim().ToLowerInvariant();
            if (key == "variant" && !specs.Any(s => s.Key == "variant"))
                throw new ConfigurationException($"{optimizer} has no torch.optim counterpart, so it has no 'variant' setting; remove it.");
            var spec = specs.FirstOrDefault(s => s.Key == key || s.Alias == key)
                ?? throw new ConfigurationException(UnknownKey(optimizer, key, specs));
            if (given.ContainsKey(spec.Key))
                throw new ConfigurationException($"{optimizer}: '{spec.Key}' is given twice{(spec.Alias is null ? "" : $" ('{spec.Alias}' is another name for '{spec.Key}')")}.");
            given[spec.Key] = value ?? "";
        }
        var variantSpec = specs.FirstOrDefault(s => s.Key == "variant");
        string variant = "paper";
        if (given.TryGetValue("variant", out var rv))
        {
            if (variantSpec is null) throw new ConfigurationException(UnknownKey(optimizer, "variant", specs));
            variant = variantSpec.Normalize(rv, optimizer);
        }
        var values = new Dictionary<string, string>();
        foreach (var s in specs)
        {
            if (s.OnlyVariant is not null && s.OnlyVariant != variant)
            {
                if (given.ContainsKey(s.Key))
                    throw new ConfigurationException($"{optimizer}: '{s.Key}' only applies with variant={s.OnlyVariant} (this is variant={variant}).");
                continue;
            }
            values[s.Key] = given.TryGetValue(s.Key, out var v) ? s.Normalize(v, optimizer) : s.DefaultFor(variant);
        }
        return new OptimizerSettings(optimizer, specs, values, new HashSet<string>(given.Keys));
    }

    /// <summary>A copy with some values replaced (validated). With <paramref name="forGroup"/>, keys that
    /// apply to the whole optimizer (<see cref="HyperparameterSpec.PerGroup"/> false) are rejected.</summary>
    /// <exception cref="ConfigurationException">A key is unknown, not per-group, or its value invalid.</exception>
    public OptimizerSettings With(IReadOnlyDictionary<string, string> changes, bool forGroup = false)
    {
        var values2 = new Dictionary<string, string>(values);
        var explicit2 = new HashSet<string>(explicitKeys);
        foreach (var (rawKey, value) in changes)
        {
            string key = rawKey.Trim().ToLowerInvariant();
            var spec = Specs.FirstOrDefault(s => s.Key == key || s.Alias == key)
                ?? throw new ConfigurationException(UnknownKey(Optimizer, key, Specs));
            if (!values.ContainsKey(spec.Key))
                throw new ConfigurationException($"{Optimizer}: '{spec.Key}' only applies with variant={spec.OnlyVariant} (this is variant={Variant}).");
            if (forGroup && !spec.PerGroup)
                throw new ConfigurationException($"{Optimizer}: '{spec.Key}' applies to the whole optimizer and cannot differ between parameter groups.");
            if (spec.Key == "variant" && spec.Normalize(value, Optimizer) != Variant)
                throw new ConfigurationException($"{Optimizer}: the variant cannot be changed once the optimizer exists; create a new one with variant={value}.");
            values2[spec.Key] = spec.Normalize(value, Optimizer);
            explicit2.Add(spec.Key);
        }
        return new OptimizerSettings(Optimizer, Specs, values2, explicit2);
    }

    /// <summary>A copy with values that the optimizer fixes (options of its rules that users cannot set for
    /// this optimizer, e.g. <c>nesterov=true</c> inside <c>nesterov</c>'s torch.optim form): they are not
    /// among <see cref="Specs"/>, so they are neither listed, nor settable, nor saved.</summary>
    internal OptimizerSettings WithFixed(IReadOnlyDictionary<string, string> fixedValues)
    {
        if (fixedValues.Count == 0) return this;
        var values2 = new Dictionary<string, string>(values);
        foreach (var (k, v) in fixedValues) values2[k] = v;
        return new OptimizerSettings(Optimizer, Specs, values2, new HashSet<string>(explicitKeys));
    }

    /// <summary>A copy with one value replaced (validated).</summary>
    public OptimizerSettings With(string key, string value) => With(new Dictionary<string, string> { [key] = value });

    /// <inheritdoc />
    public override string ToString() => $"{Optimizer}({string.Join(", ", All.Select(kv => kv.Key + "=" + kv.Value))})";

    internal static string UnknownKey(string optimizer, string key, IReadOnlyList<HyperparameterSpec> specs)
    {
        var keys = specs.Select(s => s.Key).ToArray();
        var near = Closest(key, keys.Concat(specs.Where(s => s.Alias is not null).Select(s => s.Alias!)));
        return $"{optimizer} has no setting '{key}'{(near is null ? "" : $" (did you mean '{near}'?)")}; valid keys: {string.Join(", ", keys)}.";
    }

    /// <summary>The candidate nearest to <paramref name="word"/> by edit distance, if it is close.</summary>
    internal static string? Closest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestD = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = EditDistance(word, c);
            if (d < bestD) { bestD = d; best = c; }
        }
        return bestD <= Math.Max(1, word.Length / 3) ? best : null;
    }

    /// <summary>Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions ("adma" is one step from "adam").</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}

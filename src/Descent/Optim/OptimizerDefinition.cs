using Descent.Optim.Fused;
using Descent.Optim.Rules;

namespace Descent.Optim;

/// <summary>
/// A named first-order optimizer: the chain of rules that is its one definition (a second chain where
/// torch.optim's form differs, chosen by <c>variant=pytorch</c>), its defaults, the rule options it fixes,
/// and its checks. Its keys, help text and citations are generated from the rules. Defined in
/// <see cref="Optimizers"/> with a short builder expression, e.g.
/// <code>Define("adam", "Adam").Rule&lt;Chain&lt;AddDecayedWeights, ScaleByAdam, Descend&gt;&gt;().SameInPytorch().Defaults("lr=0.001")</code>
/// </summary>
public sealed class OptimizerDefinition
{
    private Func<OptimizerSettings, IFusedUpdate>? paper, torch;
    private IReadOnlyList<HyperparameterSpec> paperKeys = [], torchKeys = [];
    private Dictionary<string, string> defaults = [], torchDefaults = [], fixedPaper = [], fixedTorch = [];
    private bool hasVariant, fullBatch;
    private Action<OptimizerSettings>? check;
    private OptimizerInfo? info;

    private OptimizerDefinition(string name, string summary)
    {
        Name = name;
        Summary = summary;
    }

    /// <summary>The optimizer's name (lowercase with hyphens).</summary>
    public string Name { get; }

    /// <summary>One line saying what it is.</summary>
    public string Summary { get; }

    /// <summary>Starts a definition.</summary>
    public static OptimizerDefinition Define(string name, string summary) => new(name, summary);

    /// <summary>The chain of rules (the paper's form, and torch.optim's too unless <see cref="Pytorch{TRule}"/> is given).</summary>
    public OptimizerDefinition Rule<TRule>() where TRule : struct, IRule<TRule>
    {
        paper = s => new FusedUpdate<TRule>(s);
        paperKeys = TRule.Keys;
        return Invalidate();
    }

    /// <summary>torch.optim 1.13's form, a different chain (and a <c>variant</c> key to choose it).</summary>
    public OptimizerDefinition Pytorch<TRule>() where TRule : struct, IRule<TRule>
    {
        torch = s => new FusedUpdate<TRule>(s);
        torchKeys = TRule.Keys;
        hasVariant = true;
        return Invalidate();
    }

    /// <summary>torch.optim 1.13 has the same chain: a <c>variant</c> key exists for its defaults (and for rules
    /// whose arithmetic follows the variant).</summary>
    public OptimizerDefinition SameInPytorch()
    {
        hasVariant = true;
        return Invalidate();
    }

    /// <summary>Defaults that differ from the rules' own (<c>key=value,…</c>).</summary>
    public OptimizerDefinition Defaults(string text) { defaults = Pairs(text); return Invalidate(); }

    /// <summary>torch.optim 1.13's defaults where they differ (<c>key=value,…</c>).</summary>
    public OptimizerDefinition PytorchDefaults(string text) { torchDefaults = Pairs(text); return Invalidate(); }

    /// <summary>Rule options this optimizer fixes in its paper form (<c>key=value,…</c>): not listed, not settable.</summary>
    public OptimizerDefinition Fixed(string text) { fixedPaper = Pairs(text); return Invalidate(); }

    /// <summary>Rule options this optimizer fixes in its torch.optim form.</summary>
    public OptimizerDefinition FixedInPytorch(string text) { fixedTorch = Pairs(text); return Invalidate(); }

    /// <summary>Marks a method meant for the full batch (a trainer defaults the batch to the whole set).</summary>
    public OptimizerDefinition FullBatch() { fullBatch = true; return Invalidate(); }

    /// <summary>A check of combinations of settings (throw <see cref="ConfigurationException"/>).</summary>
    public OptimizerDefinition Check(Action<OptimizerSettings> validate) { check = validate; return Invalidate(); }

    /// <summary>What the optimizer is: name, update (from the rules), citations and every key.</summary>
    public OptimizerInfo Info => info ??= BuildInfo();

    /// <summary>Validates user settings (unknown keys, ranges, variant-only keys, this optimizer's checks) and
    /// adds the fixed options.</summary>
    /// <exception cref="ConfigurationException">A setting is invalid.</exception>
    public OptimizerSettings Parse(IReadOnlyDictionary<string, string>? given)
    {
        var s = OptimizerSettings.Parse(Name, Info.Keys, given);
        s = s.WithFixed(s.IsPytorch && torch is not null ? fixedTorch : s.IsPytorch ? Merge(fixedPaper, fixedTorch) : fixedPaper);
        Validate(s);
        return s;
    }

    /// <summary>Runs this optimizer's checks on settings (e.g. after a change).</summary>
    internal void Validate(OptimizerSettings settings) => check?.Invoke(settings);

    /// <summary>Adds the fixed options to settings derived by <see cref="OptimizerSettings.With(string, string)"/>.</summary>
    internal OptimizerSettings Complete(OptimizerSettings s) =>
        s.WithFixed(s.IsPytorch && torch is not null ? fixedTorch : s.IsPytorch ? Merge(fixedPaper, fixedTorch) : fixedPaper);

    /// <summary>The fused update of one parameter group with <paramref name="settings"/>.</summary>
    internal IFusedUpdate CreateUpdate(OptimizerSettings settings)
    {
        var make = settings.IsPytorch && torch is not null ? torch : paper ?? throw new InvalidOperationException($"{Name} has no rule.");
        return make(settings);
    }

    private OptimizerDefinition Invalidate()
    {
        info = null;
        return this;
    }

    private OptimizerInfo BuildInfo()
    {
        if (paper is null) throw new InvalidOperationException($"Optimizer definition '{Name}' has no rule.");
        var keys = Keys();
        var withCommon = new List<HyperparameterSpec>(keys);
        withCommon.AddRange(CommonKeys.All);
        var probe = new OptimizerInfo(Name, Summary, "", "", withCommon);
        var paperRules = paper(Complete(OptimizerSettings.Parse(Name, withCommon, null))).Describe();
        var torchRules = torch is null ? null : torch(Complete(OptimizerSettings.Parse(Name, withCommon, new Dictionary<string, string> { ["variant"] = "pytorch" }))).Describe();
        string update = string.Join("\n", paperRules.Select(r => r.Formula));
        if (torchRules is not null) update += "\npytorch: " + string.Join("; ", torchRules.Select(r => r.Formula));
        var citations = paperRules.Concat(torchRules ?? []).Select(r => r.Citation).Where(c => c is not null).Distinct().ToArray();
        return probe with { Update = update, Citation = citations.Length == 0 ? "—" : string.Join("; ", citations), FullBatch = fullBatch };
    }

    /// <summary>The keys: lr first, then the rules' keys in chain order (paper's, then those only torch's
    /// chain has), weight decay last, then <c>variant</c>; defaults from the definition.</summary>
    private List<HyperparameterSpec> Keys()
    {
        var paperVisible = paperKeys.Where(k => !fixedPaper.ContainsKey(k.Key)).ToList();
        var torchSource = torch is null ? paperKeys : torchKeys;
        var torchVisible = hasVariant ? torchSource.Where(k => !fixedTorch.ContainsKey(k.Key)).ToList() : [];
        var keys = new List<HyperparameterSpec>();
        foreach (var k in paperVisible.Concat(torchVisible))
        {
            if (keys.Any(x => x.Key == k.Key)) continue;
            bool inPaper = paperVisible.Any(x => x.Key == k.Key), inTorch = torchVisible.Any(x => x.Key == k.Key);
            var spec = k with
            {
                Default = defaults.TryGetValue(k.Key, out var d) ? Canonical(k, d) : k.Default,
                PytorchDefault = torchDefaults.TryGetValue(k.Key, out var t) ? Canonical(k, t) : k.PytorchDefault,
                OnlyVariant = hasVariant && inPaper != inTorch ? (inPaper ? "paper" : "pytorch") : k.OnlyVariant,
            };
            keys.Add(spec);
        }
        var ordered = keys.Where(k => k.Key == "lr")
            .Concat(keys.Where(k => k.Key is not ("lr" or "weight_decay")))
            .Concat(keys.Where(k => k.Key == "weight_decay")).ToList();
        if (hasVariant) ordered.Add(Hp.Variant());
        return ordered;
    }

    private string Canonical(HyperparameterSpec spec, string value) => spec.Normalize(value, Name);

    private static Dictionary<string, string> Merge(Dictionary<string, string> a, Dictionary<string, string> b)
    {
        var d = new Dictionary<string, string>(a);
        foreach (var (k, v) in b) d[k] = v;
        return d;
    }

    private static Dictionary<string, string> Pairs(string text)
    {
        var d = new Dictionary<string, string>();
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"'{pair}' must be key=value.");
            d[pair[..eq]] = pair[(eq + 1)..];
        }
        return d;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

using System.Text;
using Descent.Nn;

namespace Descent.Optim;

/// <summary>
/// Creates optimizers by name with settings given as strings (the CLI's <c>--optimizer adam --set lr=0.01</c>),
/// and describes them for <c>--help</c>. Names are lowercase with hyphens; keys lowercase with underscores.
/// </summary>
/// <example>
/// <code>
/// var opt = OptimizerFactory.Create("adam", new Dictionary&lt;string, string&gt; { ["lr"] = "0.01" });
/// opt.Init(model.Flat, ParameterGroups.NoDecayOnBiasesAndNorms());
/// // each step: loss.Backward(); opt.Step();   (or opt.Step(objective) for search methods)
/// </code>
/// </example>
public static class OptimizerFactory
{
    internal sealed record Entry(OptimizerInfo Info, Func<OptimizerSettings, FusedRule> Create, Action<OptimizerSettings>? Check);

    private static readonly Dictionary<string, Entry> Registry = Build();

    // Search methods (line searches, quasi-Newton, Newton, Hessian-free, K-FAC): their own keys, no fused rule.
    private static readonly Dictionary<string, (OptimizerInfo Info, Func<OptimizerSettings, Optimizer> Create)> SearchMethods =
        SecondOrder.SecondOrderMethods.Entries().ToDictionary(e => e.Info.Name);

    private static Dictionary<string, Entry> Build()
    {
        var list = new List<(OptimizerInfo Info, Func<OptimizerSettings, FusedRule> Create, Action<OptimizerSettings>? Check)>();
        list.AddRange(Sgd.Entries());
        list.Add((Adagrad.Info, s => new Adagrad(s), null));
        list.AddRange(RmsProp.Entries());
        list.Add((Adadelta.Info, s => new Adadelta(s), null));
        list.AddRange(Adam.Entries());
        list.Add((Adamax.Info, s => new Adamax(s), null));
        list.Add((NAdam.Info, s => new NAdam(s), null));
        list.Add((RAdam.Info, s => new RAdam(s), null));
        list.Add((Yogi.Info, s => new Yogi(s), null));
        list.Add((Lion.Info, s => new Lion(s), null));
        return list.ToDictionary(e => e.Info.Name,
            e => new Entry(e.Info with { Keys = [.. e.Info.Keys, .. CommonKeys.All] }, e.Create, e.Check));
    }

    /// <summary>Every optimizer name, <c>lookahead</c> included.</summary>
    public static IReadOnlyList<string> Names => [.. Registry.Keys, Lookahead.Definition.Name, .. SearchMethods.Keys];

    /// <summary>The description of one optimizer.</summary>
    /// <exception cref="ConfigurationException">Unknown name.</exception>
    public static OptimizerInfo Describe(string name) =>
        name.Trim().ToLowerInvariant() == Lookahead.Definition.Name ? Lookahead.Definition
        : SearchMethods.TryGetValue(name.Trim().ToLowerInvariant(), out var m) ? m.Info : Find(name).Info;

    /// <summary>A help text listing every optimizer with its keys, then the keys common to all.</summary>
    public static string Help()
    {
        var sb = new StringBuilder("Optimizers (--optimizer NAME --set key=value ...):\n\n");
        foreach (var name in Names) sb.Append(Describe(name).Help()).Append('\n');
        sb.Append("Keys every first-order optimizer accepts (the search methods cg … kfac take only their own):\n");
        foreach (var k in CommonKeys.All)
            sb.Append("  ").Append(k.Key.PadRight(26)).Append(k.Description).Append(" (default ").Append(k.Default).Append("; ").Append(k.Allowed).Append(")\n");
        return sb.ToString();
    }

    /// <summary>
    /// Creates an optimizer, not yet bound to parameters (call <see cref="Optimizer.Init"/>). Settings are
    /// validated now: unknown names or keys, and values out of range (negative lr, β ∉ [0, 1), ε ≤ 0), raise
    /// <see cref="ConfigurationException"/> naming the optimizer, the key and what is valid.
    /// </summary>
    public static Optimizer Create(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n == Lookahead.Definition.Name) return Lookahead.Create(settings);
        if (SearchMethods.TryGetValue(n, out var method)) return method.Create(OptimizerSettings.Parse(method.Info.Name, method.Info.Keys, settings));
        var entry = Find(n);
        var s = OptimizerSettings.Parse(entry.Info.Name, entry.Info.Keys, settings);
        return new FirstOrderOptimizer(entry, s);
    }

    /// <summary>Creates an optimizer and binds it to <paramref name="parameters"/> (with optional groups).</summary>
    public static Optimizer Create(string name, IReadOnlyDictionary<string, string>? settings, FlatParameters parameters, ParameterGroups? groups = null)
    {
        var opt = Create(name, settings);
        opt.Init(parameters, groups);
        return opt;
    }

    /// <summary>Creates an optimizer from <c>key=value</c> strings (the CLI's repeated <c>--set</c>).</summary>
    /// <exception cref="ConfigurationException">A pair has no '='.</exception>
    public static Optimizer Create(string name, IEnumerable<string> keyValues)
    {
        var d = new Dictionary<string, string>();
        foreach (var kv in keyValues)
        {
            int eq = kv.IndexOf('=');
            if (eq <= 0) throw new ConfigurationException($"Setting '{kv}' for {name} must be key=value, e.g. lr=0.01.");
            d[kv[..eq].Trim()] = kv[(eq + 1)..].Trim();
        }
        return Create(name, d);
    }

    internal static Entry Find(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (Registry.TryGetValue(n, out var e)) return e;
        var near = OptimizerSettings.Closest(n, Names);
        throw new ConfigurationException($"Unknown optimizer '{name}'{(near is null ? "" : $" (did you mean '{near}'?)")}; valid: {string.Join(", ", Names)}.");
    }
}

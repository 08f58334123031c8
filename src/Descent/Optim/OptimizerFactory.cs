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
    private static readonly Dictionary<string, OptimizerDefinition> Registry = Optimizers.All.ToDictionary(d => d.Name);

    // Search methods (line searches, quasi-Newton, Newton, Hessian-free, K-FAC): their own keys, no rule chain.
    private static readonly Dictionary<string, (OptimizerInfo Info, Func<OptimizerSettings, Optimizer> Create)> SearchMethods =
        SecondOrder.SecondOrderMethods.Entries().ToDictionary(e => e.Info.Name);

    /// <summary>Every optimizer name, <c>lookahead</c> included.</summary>
    public static IReadOnlyList<string> Names => [.. Registry.Keys, Lookahead.Definition.Name, .. SearchMethods.Keys];

    /// <summary>The description of one optimizer.</summary>
    /// <exception cref="ConfigurationException">Unknown name.</exception>
    public static OptimizerInfo Describe(string name) =>
        name.Trim().ToLowerInvariant() == Lookahead.Definition.Name ? Lookahead.Definition
        : SearchMethods.TryGetValue(name.Trim().ToLowerInvariant(), out var m) ? m.Info : Find(name).Info;

    /// <summary>The definition (rule chain, defaults) of a named first-order optimizer.</summary>
    /// <exception cref="ConfigurationException">Unknown name, or a method that is not a chain of rules.</exception>
    public static OptimizerDefinition Definition(string name) => Find(name);

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
        var definition = Find(n);
        return new FirstOrderOptimizer(definition, definition.Parse(settings));
    }

    /// <summary>
    /// An optimizer from your own chain of rules, e.g.
    /// <c>OptimizerFactory.Custom&lt;Chain&lt;MomentumBuffer, ScaleByRss, Descend&gt;&gt;("mine", settings)</c>: its keys are the
    /// rules' keys plus the common stabilizer keys, and it runs fused like the named ones (parameter groups,
    /// checkpoints and help included).
    /// </summary>
    public static Optimizer Custom<TRule>(string name, IReadOnlyDictionary<string, string>? settings = null)
        where TRule : struct, Rules.IRule<TRule>
    {
        var definition = OptimizerDefinition.Define(name, "custom chain of rules").Rule<TRule>();
        return new FirstOrderOptimizer(definition, definition.Parse(settings));
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

    internal static OptimizerDefinition Find(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (Registry.TryGetValue(n, out var e)) return e;
        var near = OptimizerSettings.Closest(n, Names);
        throw new ConfigurationException($"Unknown optimizer '{name}'{(near is null ? "" : $" (did you mean '{near}'?)")}; valid: {string.Join(", ", Names)}.");
    }
}

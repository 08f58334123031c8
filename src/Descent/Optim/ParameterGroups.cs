using System.Globalization;
using System.Text;
using Descent.Nn;

namespace Descent.Optim;

/// <summary>A rule of <see cref="ParameterGroups"/>: the parameters it selects get these setting overrides.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="Selector">Which parameters belong to it.</param>
/// <param name="Overrides">Settings that differ from the optimizer's (e.g. <c>weight_decay=0</c>).</param>
public sealed record ParameterGroupRule(string Name, ParameterSelector Selector, IReadOnlyDictionary<string, string> Overrides)
{
    /// <summary>The rule in the text form of <see cref="ParameterGroups.Parse"/>:
    /// <c>NAME@SELECTOR:key=value[,key=value...]</c>, settings sorted by key.</summary>
    public string Text =>
        $"{Name}@{Selector.Text}:{string.Join(",", Overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))}";

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>
/// Parameter groups, as in PyTorch: rules that give some parameters their own hyperparameters, e.g. "no
/// weight decay on biases and normalization parameters" (<see cref="NoDecayOnBiasesAndNorms"/>). Rules are
/// tried in order and the first that matches a parameter wins; unmatched parameters stay in the
/// <c>default</c> group. A group covers contiguous or scattered ranges of the flat parameter buffer.
/// </summary>
public sealed class ParameterGroups
{
    /// <summary>The text form of one rule, for help texts (see <see cref="Parse"/>).</summary>
    public const string Syntax =
        "Parameter groups (--group NAME@SELECTOR:key=value[,key=value...], repeatable):\n" +
        "  the parameters SELECTOR chooses get these optimizer settings instead of the --set ones; the first\n" +
        "  group that matches a parameter wins, the others stay in the group 'default'; NAME@ may be left out\n" +
        "  (group1, group2, ...). Keys that act on the whole optimizer (clip_norm, clip_value, nonfinite,\n" +
        "  average...) cannot differ between groups. Example: --group \"nodecay@kind:bias/norm_scale|rank:1:weight_decay=0\"\n";

    private readonly List<ParameterGroupRule> rules = [];

    /// <summary>The rules in order.</summary>
    public IReadOnlyList<ParameterGroupRule> Rules => rules;

    /// <summary>The rules in the text form of <see cref="Parse"/>, separated by <c>;</c> (empty without rules).</summary>
    public string Text => string.Join(";", rules.Select(r => r.Text));

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Adds a rule.</summary>
    /// <exception cref="ConfigurationException">The name is taken or not a plain word.</exception>
    public ParameterGroups Add(string name, ParameterSelector selector, IReadOnlyDictionary<string, string> overrides)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw new ConfigurationException($"Parameter group name '{name}' must be a word of letters, digits, '_' or '-'.");
        if (name == "default" || rules.Any(r => r.Name == name))
            throw new ConfigurationException($"Parameter group name '{name}' is already used; choose another.");
        rules.Add(new ParameterGroupRule(name, selector, overrides));
        return this;
    }

    /// <summary>Weight decay 0 for biases, normalization scales and shifts, and every other rank-1
    /// parameter (the usual practice for AdamW; Loshchilov &amp; Hutter 2019).</summary>
    public static ParameterGroups NoDecayOnBiasesAndNorms() => new ParameterGroups().Add("no_decay",
        ParameterSelector.Kind(ParameterKind.Bias, ParameterKind.NormScale, ParameterKind.NormShift) | ParameterSelector.Rank(1),
        new Dictionary<string, string> { ["weight_decay"] = "0" });

    /// <summary>
    /// Reads rules separated by <c>;</c>, each <c>[NAME@]SELECTOR:key=value[,key=value...]</c>, e.g.
    /// <c>no_decay@kind:bias/norm_scale/norm_shift|rank:1:weight_decay=0</c> or
    /// <c>head@layer:last:lr=0.01</c>; the selector is written as <see cref="ParameterSelector.Syntax"/>
    /// describes and ends at the <c>:</c> before the settings. Unnamed rules are called <c>group1</c>,
    /// <c>group2</c>, … by their position.
    /// </summary>
    /// <exception cref="ConfigurationException">A rule is malformed (the message names it).</exception>
    public static ParameterGroups Parse(string text)
    {
        var groups = new ParameterGroups();
        int n = 0;
        foreach (var rule in (text ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            n++;
            int at = rule.IndexOf('@');
            string name = at >= 0 ? rule[..at].Trim() : $"group{n}";
            string rest = at >= 0 ? rule[(at + 1)..] : rule;
            var selector = ParameterSelector.ParsePrefix(rest, out int end);
            if (end >= rest.Length)
                throw new ConfigurationException($"Parameter group '{rule}' needs overrides after a colon, e.g. 'rank:1:weight_decay=0'; write [NAME@]SELECTOR:key=value[,key=value].");
            if (rest[end] != ':')
                throw new ConfigurationException($"Parameter group '{rule}': expected ':' and the settings after the selector '{selector.Text}', found '{rest[end..]}'; write [NAME@]SELECTOR:key=value[,key=value], e.g. nodecay@kind:bias:weight_decay=0.");
            var overrides = new Dictionary<string, string>();
            foreach (var kv in rest[(end + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = kv.IndexOf('=');
                if (eq <= 0 || eq == kv.Length - 1) throw new ConfigurationException($"Parameter group '{name}': '{kv}' must be key=value, e.g. weight_decay=0.");
                string key = kv[..eq].Trim();
                if (!overrides.TryAdd(key, kv[(eq + 1)..].Trim()))
                    throw new ConfigurationException($"Parameter group '{name}' sets '{key}' twice; give it once.");
            }
            if (overrides.Count == 0) throw new ConfigurationException($"Parameter group '{rule}' needs overrides after a colon, e.g. 'rank:1:weight_decay=0'.");
            groups.Add(name, selector, overrides);
        }
        return groups;
    }

    /// <summary>Assigns every parameter to a group and validates the overrides against the optimizer.</summary>
    /// <exception cref="ConfigurationException">An override is invalid or applies to the whole optimizer.</exception>
    public IReadOnlyList<ParameterGroup> Resolve(FlatParameters parameters, OptimizerSettings settings)
    {
        var members = new List<ParameterSlot>[rules.Count + 1];
        for (int i = 0; i < members.Length; i++) members[i] = [];
        var sites = rules.Count > 0 ? parameters.Sites : null;
        for (int i = 0; i < parameters.Slots.Count; i++)
        {
            int g = sites is null ? -1 : rules.FindIndex(r => r.Selector.Matches(sites[i]));
            members[g < 0 ? 0 : g + 1].Add(parameters.Slots[i]);
        }
        var result = new List<ParameterGroup> { new("default", settings, members[0], new Dictionary<string, string>()) };
        for (int i = 0; i < rules.Count; i++)
            result.Add(new ParameterGroup(rules[i].Name, settings.With(rules[i].Overrides, forGroup: true), members[i + 1], rules[i].Overrides));
        return result;
    }

    /// <summary>The resolved assignment as a text table: parameter, shape, group, lr, weight_decay.</summary>
    public static string Table(IReadOnlyList<ParameterGroup> groups)
    {
        var rows = groups.SelectMany(g => g.Slots.Select(s => (Slot: s, Group: g))).OrderBy(r => r.Slot.Offset)
            .Select(r => new[]
            {
                r.Slot.Name, r.Slot.Parameter.Shape.ToString(), r.Group.Name, Value(r.Group.Settings, "lr"), Value(r.Group.Settings, "weight_decay"),
            }).ToList();
        rows.Insert(0, ["parameter", "shape", "group", "lr", "weight_decay"]);
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append(string.Join("  ", rows[i].Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
            if (i == 0) sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        }
        return sb.ToString();
    }

    private static string Value(OptimizerSettings s, string key) =>
        s.Has(key) ? double.Parse(s[key], CultureInfo.InvariantCulture).ToString("G6", CultureInfo.InvariantCulture) : "-";
}

/// <summary>One resolved parameter group.</summary>
public sealed class ParameterGroup
{
    internal ParameterGroup(string name, OptimizerSettings settings, IReadOnlyList<ParameterSlot> slots, IReadOnlyDictionary<string, string> overrides)
    {
        Name = name;
        Settings = settings;
        Slots = slots;
        Overrides = new Dictionary<string, string>(overrides);
        var ranges = new List<(int Offset, int Length)>();
        foreach (var s in slots.OrderBy(s => s.Offset))
        {
            if (s.Length == 0) continue;
            if (ranges.Count > 0 && ranges[^1].Offset + ranges[^1].Length == s.Offset)
                ranges[^1] = (ranges[^1].Offset, ranges[^1].Length + s.Length);
            else ranges.Add((s.Offset, s.Length));
        }
        Ranges = ranges;
        RangeArray = ranges.ToArray();
    }

    /// <summary>The group's name (<c>default</c> for parameters no rule matched).</summary>
    public string Name { get; }

    /// <summary>The group's hyperparameters (the optimizer's, with the group's overrides).</summary>
    public OptimizerSettings Settings { get; internal set; }

    /// <summary>The overrides that make this group differ.</summary>
    internal Dictionary<string, string> Overrides { get; }

    /// <summary>The parameters in the group.</summary>
    public IReadOnlyList<ParameterSlot> Slots { get; }

    /// <summary>The group's ranges of the flat buffer (adjacent parameters merged).</summary>
    public IReadOnlyList<(int Offset, int Length)> Ranges { get; }

    /// <summary>The ranges as an array (indexed loops in the step do not allocate enumerators).</summary>
    internal (int Offset, int Length)[] RangeArray { get; }

    /// <summary>Number of parameter elements in the group.</summary>
    public int Count => Ranges.Sum(r => r.Length);
}

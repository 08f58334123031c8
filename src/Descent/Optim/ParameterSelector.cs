using System.Globalization;
using System.Text.RegularExpressions;
using Descent.Nn;

namespace Descent.Optim;

/// <summary>
/// Chooses parameters for a parameter group: by dotted name (with <c>*</c> and <c>?</c> wildcards), by rank
/// (e.g. rank 1 for biases and normalization parameters), by <see cref="ParameterKind"/>, or by the type of
/// the module that owns it; combine with <c>|</c>.
/// </summary>
public sealed class ParameterSelector
{
    private readonly Func<ParameterSlot, bool> matches;

    /// <summary>Creates a selector from a predicate and a description for tables and messages.</summary>
    public ParameterSelector(string description, Func<ParameterSlot, bool> matches)
    {
        Description = description;
        this.matches = matches;
    }

    /// <summary>What the selector matches, e.g. <c>kind=bias|rank=1</c>.</summary>
    public string Description { get; }

    /// <summary>True if the parameter belongs to the selection.</summary>
    public bool Matches(ParameterSlot slot) => matches(slot);

    /// <summary>Parameters whose dotted name matches a glob (<c>*</c> any run of characters, <c>?</c> one).</summary>
    public static ParameterSelector Name(string glob)
    {
        var re = new Regex("^" + Regex.Escape(glob).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
        return new($"name={glob}", s => re.IsMatch(s.Name));
    }

    /// <summary>Parameters of the given rank (number of dimensions).</summary>
    public static ParameterSelector Rank(int rank) => new($"rank={rank}", s => s.Parameter.Rank == rank);

    /// <summary>Parameters of any of the given kinds.</summary>
    public static ParameterSelector Kind(params ParameterKind[] kinds) =>
        new($"kind={string.Join("/", kinds.Select(k => k.ToString().ToLowerInvariant()))}", s => kinds.Contains(s.Kind));

    /// <summary>Parameters registered by a module of type <typeparamref name="TModule"/> (or a subclass).</summary>
    public static ParameterSelector Owner<TModule>() where TModule : Module =>
        new($"owner={typeof(TModule).Name}", s => s.Owner is TModule);

    /// <summary>Parameters registered by a module whose type (or a base type) has this name.</summary>
    public static ParameterSelector Owner(string typeName) => new($"owner={typeName}", s =>
    {
        for (var t = s.Owner.GetType(); t is not null; t = t.BaseType)
            if (string.Equals(t.Name, typeName, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    });

    /// <summary>Parameters matched by either selector.</summary>
    public static ParameterSelector operator |(ParameterSelector a, ParameterSelector b) =>
        new($"{a.Description}|{b.Description}", s => a.Matches(s) || b.Matches(s));

    /// <summary>
    /// Reads a selector: alternatives separated by <c>|</c>, each <c>name=GLOB</c>, <c>rank=N</c>,
    /// <c>kind=K[/K...]</c> (weight, bias, normscale, normshift, other) or <c>owner=TYPE</c>.
    /// </summary>
    /// <exception cref="ConfigurationException">The text is not a selector.</exception>
    public static ParameterSelector Parse(string text)
    {
        ParameterSelector? result = null;
        foreach (var alt in text.Split('|', StringSplitOptions.TrimEntries))
        {
            int eq = alt.IndexOf('=');
            if (eq < 0) throw new ConfigurationException($"Parameter selector '{alt}' needs the form what=value (name=GLOB, rank=N, kind=K, owner=TYPE).");
            string what = alt[..eq].Trim().ToLowerInvariant(), value = alt[(eq + 1)..].Trim();
            ParameterSelector one = what switch
            {
                "name" => Name(value),
                "rank" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r >= 0 ? Rank(r)
                    : throw new ConfigurationException($"Parameter selector rank={value}: the rank must be an integer ≥ 0."),
                "kind" => Kind(value.Split('/').Select(ParseKind).ToArray()),
                "owner" => Owner(value),
                _ => throw new ConfigurationException($"Parameter selector '{what}' is unknown; use name=GLOB, rank=N, kind=K or owner=TYPE."),
            };
            result = result is null ? one : result | one;
        }
        return result ?? throw new ConfigurationException("Empty parameter selector.");
    }

    private static ParameterKind ParseKind(string s)
    {
        foreach (var k in Enum.GetValues<ParameterKind>())
            if (string.Equals(k.ToString(), s.Trim(), StringComparison.OrdinalIgnoreCase)) return k;
        throw new ConfigurationException($"Unknown parameter kind '{s}'; valid: {string.Join(", ", Enum.GetNames<ParameterKind>().Select(n => n.ToLowerInvariant()))}.");
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}

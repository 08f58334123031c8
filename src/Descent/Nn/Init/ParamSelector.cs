using System.Globalization;
using System.Text.RegularExpressions;

namespace Descent.Nn.Init;

/// <summary>
/// Picks parameters for an initialization rule: by <see cref="ParameterKind"/>, by the type of the module
/// that owns them, by a glob on the dotted name, or by layer position; combined with <c>&amp;</c>,
/// <c>|</c> and <c>!</c>. The text form (<see cref="Parse"/>) is terms joined by <c>&amp;</c>:
/// <c>*</c> (everything), <c>kind:weight|bias|norm_scale|norm_shift|other</c>, <c>type:linear</c> (the
/// owner's class name, case-insensitive), <c>name:*forget_bias</c> (glob over the dotted name: <c>*</c> any
/// characters, dots included; <c>?</c> one character) and <c>layer:first|last|N</c> (N from 0; negative
/// counts from the end), e.g. <c>kind:bias&amp;layer:last</c>.
/// </summary>
public sealed class ParamSelector
{
    private readonly Func<ParameterSite, bool> predicate;

    private ParamSelector(string text, Func<ParameterSite, bool> predicate)
    {
        Text = text;
        this.predicate = predicate;
    }

    /// <summary>A readable description (the text form where one exists).</summary>
    public string Text { get; }

    /// <summary>Whether the rule applies to <paramref name="site"/>.</summary>
    public bool Matches(ParameterSite site) => predicate(site);

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Every parameter.</summary>
    public static ParamSelector All { get; } = new("*", _ => true);

    /// <summary>Parameters of the given kind.</summary>
    public static ParamSelector Kind(ParameterKind kind) => new($"kind:{KindName(kind)}", s => s.Kind == kind);

    /// <summary>Parameters registered by a module of type <typeparamref name="T"/> (or a subclass).</summary>
    public static ParamSelector Type<T>() where T : Module => new($"type:{typeof(T).Name.ToLowerInvariant()}", s => s.Owner is T);

    /// <summary>Parameters registered by a module whose class name is <paramref name="typeName"/> (case-insensitive).</summary>
    public static ParamSelector TypeName(string typeName) =>
        new($"type:{typeName.ToLowerInvariant()}", s => string.Equals(s.Owner.GetType().Name, typeName, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parameters whose dotted name matches the glob <paramref name="pattern"/> (<c>*</c>, <c>?</c>).</summary>
    public static ParamSelector Name(string pattern)
    {
        var re = new Regex("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);
        return new($"name:{pattern}", s => re.IsMatch(s.Name));
    }

    /// <summary>Parameters of layer <paramref name="index"/> (see <see cref="ParameterSite.Layer"/>; negative counts from the end).</summary>
    public static ParamSelector Layer(int index) =>
        new($"layer:{index}", s => s.Layer >= 0 && s.Layer == (index >= 0 ? index : s.LayerCount + index));

    /// <summary>Parameters of the first layer.</summary>
    public static ParamSelector FirstLayer { get; } = new("layer:first", s => s.Layer == 0);

    /// <summary>Parameters of the last layer (the output layer).</summary>
    public static ParamSelector LastLayer { get; } = new("layer:last", s => s.Layer >= 0 && s.Layer == s.LayerCount - 1);

    /// <summary>Both selectors match.</summary>
    public static ParamSelector operator &(ParamSelector a, ParamSelector b) => new($"{a.Text}&{b.Text}", s => a.Matches(s) && b.Matches(s));

    /// <summary>Either selector matches.</summary>
    public static ParamSelector operator |(ParamSelector a, ParamSelector b) => new($"({a.Text})|({b.Text})", s => a.Matches(s) || b.Matches(s));

    /// <summary>The selector does not match.</summary>
    public static ParamSelector operator !(ParamSelector a) => new($"!({a.Text})", s => !a.Matches(s));

    private static readonly string[] KindNames = ["weight", "bias", "norm_scale", "norm_shift", "other"];

    private static string KindName(ParameterKind kind) => KindNames[(int)kind];

    /// <summary>Parses the text form (see the class summary).</summary>
    public static ParamSelector Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw Bad(text ?? "", "it is empty");
        ParamSelector? result = null;
        foreach (var raw in text.Split('&', StringSplitOptions.TrimEntries))
        {
            var term = ParseTerm(raw, text);
            result = result is null ? term : result & term;
        }
        return result!;
    }

    private static ParamSelector ParseTerm(string term, string text)
    {
        if (term == "*") return All;
        int colon = term.IndexOf(':');
        if (colon < 0) throw Bad(text, $"'{term}' has no key");
        string key = term[..colon].Trim().ToLowerInvariant(), value = term[(colon + 1)..].Trim();
        if (value.Length == 0) throw Bad(text, $"'{term}' has no value");
        switch (key)
        {
            case "kind":
                int k = Array.IndexOf(KindNames, Initializers.NormalizeName(value));
                if (k < 0) throw Bad(text, $"unknown kind '{value}' (valid: {string.Join(", ", KindNames)})");
                return Kind((ParameterKind)k);
            case "type": return TypeName(value);
            case "name": return Name(value);
            case "layer":
                string v = value.ToLowerInvariant();
                if (v == "first") return FirstLayer;
                if (v == "last") return LastLayer;
                if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)) return Layer(i);
                throw Bad(text, $"layer must be first, last or an index; got '{value}'");
            default: throw Bad(text, $"unknown key '{key}'");
        }
    }

    private static ConfigurationException Bad(string text, string why) =>
        new($"Invalid parameter selector '{text}': {why}. Write terms joined by '&': *, kind:weight|bias|norm_scale|norm_shift|other, type:CLASS, name:GLOB, layer:first|last|N.");
}

using System.Globalization;

namespace Descent.Nn;

/// <summary>
/// Reads the text form of <see cref="ParameterSelector"/> (grammar in <see cref="ParameterSelector.Syntax"/>)
/// by recursive descent:
/// <code>
/// or   := and ('|' and)*
/// and  := not ('&amp;' not)*
/// not  := '!' not | '(' or ')' | term
/// term := 'all' | '*' | 'none' | key (':' | '=') value
/// </code>
/// A value runs over letters, digits and <c>_ - . * ? /</c>, so a selector ends unambiguously before a
/// container's separator (<c>:</c> before a group's settings, <c>=</c> before an initialization scheme).
/// </summary>
internal sealed class ParameterSelectorParser
{
    /// <summary>The kinds' names in the text form, indexed by <see cref="ParameterKind"/>.</summary>
    internal static readonly string[] KindNames = ["weight", "bias", "norm_scale", "norm_shift", "other"];

    private const string ValidTerms =
        "valid terms: all, none, kind:K[/K...] (K = weight, bias, norm_scale, norm_shift, other), name:GLOB, rank:N, owner:TYPE, " +
        "layer:first|last|N, combined with & (and), | (or), ! (not) and parentheses";

    private readonly string text;
    private int pos;

    private ParameterSelectorParser(string text) => this.text = text;

    public static ParameterSelector Parse(string text)
    {
        var p = new ParameterSelectorParser(text ?? "");
        var result = p.ParseOr();
        p.SkipSpaces();
        if (p.pos < p.text.Length)
            throw p.Bad($"unexpected '{p.text[p.pos..]}' after '{p.text[..p.pos].Trim()}'; join terms with &, | or !");
        return result;
    }

    public static ParameterSelector ParsePrefix(string text, out int end)
    {
        var p = new ParameterSelectorParser(text ?? "");
        var result = p.ParseOr();
        p.SkipSpaces();
        end = p.pos;
        return result;
    }

    private ParameterSelector ParseOr()
    {
        var result = ParseAnd();
        while (Accept('|')) result |= ParseAnd();
        return result;
    }

    private ParameterSelector ParseAnd()
    {
        var result = ParseNot();
        while (Accept('&')) result &= ParseNot();
        return result;
    }

    private ParameterSelector ParseNot()
    {
        if (Accept('!')) return !ParseNot();
        if (Accept('('))
        {
            var inner = ParseOr();
            if (!Accept(')')) throw Bad(pos < text.Length ? $"expected ')' before '{text[pos..]}'" : "a '(' is not closed");
            return inner;
        }
        return ParseTerm();
    }

    private ParameterSelector ParseTerm()
    {
        SkipSpaces();
        if (pos >= text.Length)
            throw Bad(text.Trim().Length == 0 ? "it is empty" : $"a term is missing after '{text.Trim()}'");
        int start = pos;
        if (text[pos] == '*') { pos++; return ParameterSelector.All; }
        string word = ReadValue();
        if (word.Length == 0) throw Bad($"expected a term at '{text[pos..]}'");
        bool keyed = pos < text.Length && (text[pos] == ':' || text[pos] == '=') && word.All(c => char.IsAsciiLetter(c) || c == '_');
        if (!keyed)
        {
            switch (word.ToLowerInvariant())
            {
                case "all": return ParameterSelector.All;
                case "none": return ParameterSelector.None;
            }
            throw BadTerm($"'{word}' is not a term{Hint(word)}");
        }
        pos++; // ':' or '='
        string value = ReadValue();
        string term = text[start..pos];
        string key = word.ToLowerInvariant();
        if (value.Length == 0)
            throw BadTerm($"'{term}' has no value" + (key == "kind" ? "; valid kinds: " + string.Join(", ", KindNames) : ""));
        switch (key)
        {
            case "kind": return ParameterSelector.Kind(value.Split('/').Select(k => ParseKind(k, term)).ToArray());
            case "name": return ParameterSelector.Name(value);
            case "owner" or "type": return ParameterSelector.Owner(value);
            case "rank":
                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int r)) return ParameterSelector.Rank(r);
                throw new ConfigurationException($"Invalid rank '{value}' in '{term}'; valid: an integer ≥ 0, e.g. rank:1.");
            case "layer":
                switch (value.ToLowerInvariant())
                {
                    case "first": return ParameterSelector.FirstLayer;
                    case "last": return ParameterSelector.LastLayer;
                }
                if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)) return ParameterSelector.Layer(i);
                throw new ConfigurationException($"Invalid layer '{value}' in '{term}'; valid: first, last or an index N (from 0; negative counts from the end).");
            default:
                throw BadTerm($"Unknown selector key '{word}' in '{term}'{Hint(word)}");
        }
    }

    private static ParameterKind ParseKind(string name, string term)
    {
        string n = Normalize(name);
        for (int k = 0; k < KindNames.Length; k++)
            if (Normalize(KindNames[k]) == n) return (ParameterKind)k;
        throw new ConfigurationException(
            $"Unknown parameter kind '{name}' in '{term}'; valid kinds: {string.Join(", ", KindNames)} (several joined by /, e.g. kind:bias/norm_scale).");
    }

    private static string Normalize(string s) => s.Trim().ToLowerInvariant().Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    /// <summary>A suggestion for a bare word or an unknown key that is really a kind or a name.</summary>
    private static string Hint(string word)
    {
        string n = Normalize(word);
        foreach (var k in KindNames)
            if (Normalize(k) == n || Normalize(k) + "s" == n) return $" (did you mean kind:{k}?)";
        return word.Contains('.') || word.Contains('*') ? $" (did you mean name:{word}?)" : "";
    }

    private string ReadValue()
    {
        int start = pos;
        while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || "_-.*?/".Contains(text[pos]))) pos++;
        return text[start..pos];
    }

    private bool Accept(char c)
    {
        SkipSpaces();
        if (pos < text.Length && text[pos] == c) { pos++; return true; }
        return false;
    }

    private void SkipSpaces()
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
    }

    private ConfigurationException Bad(string why) => new($"Invalid parameter selector '{text.Trim()}': {why}; {ValidTerms}.");

    private static ConfigurationException BadTerm(string why) => new($"{char.ToUpperInvariant(why[0])}{why[1..]}; {ValidTerms}.");
}

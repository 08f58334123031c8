using System.Globalization;

namespace Descent.Training.Recipe;

/// <summary>The small language of recipe values: <c>NAME[:key=value,key=value]</c> or <c>NAME[:VALUE]</c>.</summary>
internal static class RecipeText
{
    /// <summary>The name and the part after the first ':' (or null).</summary>
    public static (string Name, string? Argument) Head(string text)
    {
        var t = text.Trim();
        int colon = t.IndexOf(':');
        return colon < 0 ? (t.ToLowerInvariant(), null) : (t[..colon].Trim().ToLowerInvariant(), t[(colon + 1)..].Trim());
    }

    /// <summary><c>key=value</c> pairs separated by commas.</summary>
    /// <exception cref="ConfigurationException">A pair without '=' or an unknown key.</exception>
    public static Dictionary<string, string> Pairs(string? text, string option, params string[] keys)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return d;
        foreach (var p in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = p.IndexOf('=');
            string k = eq < 0 ? "" : p[..eq].Trim().ToLowerInvariant();
            if (eq <= 0 || !keys.Contains(k))
                throw new ConfigurationException($"{option}: '{p}' is not one of {string.Join(", ", keys.Select(x => x + "=…"))}.");
            d[k] = p[(eq + 1)..].Trim();
        }
        return d;
    }

    /// <summary>A number from <paramref name="pairs"/>, or <paramref name="fallback"/>.</summary>
    /// <exception cref="ConfigurationException">Not a finite number.</exception>
    public static double Number(Dictionary<string, string> pairs, string key, double fallback, string option)
    {
        if (!pairs.TryGetValue(key, out var s)) return fallback;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new ConfigurationException($"{option}: {key}={s} is not a number.");
    }

    /// <summary>A whole number from <paramref name="pairs"/>, or <paramref name="fallback"/>.</summary>
    /// <exception cref="ConfigurationException">Not a whole number.</exception>
    public static int Integer(Dictionary<string, string> pairs, string key, int fallback, string option)
    {
        if (!pairs.TryGetValue(key, out var s)) return fallback;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new ConfigurationException($"{option}: {key}={s} is not a whole number.");
    }
}

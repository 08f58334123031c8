using System.Globalization;

namespace Descent.Cli;

/// <summary>Parses the command line's small value languages: <c>--set key=value</c> pairs, number lists
/// (<c>--start 1.5,-2</c>) and <c>--average polyak|ema[:decay]</c>.</summary>
public static class SettingsParser
{
    /// <summary>The <c>--set</c> pairs as a dictionary (keys lowercased).</summary>
    /// <exception cref="ConfigurationException">A pair without '=' or a key given twice.</exception>
    public static Dictionary<string, string> Parse(IEnumerable<string>? pairs)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in pairs ?? [])
        {
            foreach (var kv in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = kv.IndexOf('=');
                if (eq <= 0 || eq == kv.Length - 1)
                    throw new ConfigurationException($"--set '{kv}' must be key=value, e.g. --set lr=0.01.");
                string key = kv[..eq].Trim().ToLowerInvariant();
                if (!d.TryAdd(key, kv[(eq + 1)..].Trim()))
                    throw new ConfigurationException($"--set gives '{key}' twice; give each setting once.");
            }
        }
        return d;
    }

    /// <summary>Adds a setting that a dedicated option gives (e.g. <c>--clip-norm 1</c> → <c>clip_norm=1</c>).</summary>
    /// <exception cref="ConfigurationException">The key was already given with <c>--set</c>.</exception>
    public static void Add(Dictionary<string, string> settings, string key, string value, string option)
    {
        if (!settings.TryAdd(key, value))
            throw new ConfigurationException($"{option} and --set {key}=… both set '{key}'; give it once.");
    }

    /// <summary><c>--average polyak</c> (arithmetic mean of the iterates) or <c>ema[:decay]</c> as optimizer settings.</summary>
    /// <exception cref="ConfigurationException">Another word.</exception>
    public static void AddAverage(Dictionary<string, string> settings, string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':', 2);
        switch (parts[0])
        {
            case "polyak" or "arithmetic" when parts.Length == 1:
                Add(settings, "average", "arithmetic", "--average");
                break;
            case "ema":
                Add(settings, "average", "ema", "--average");
                if (parts.Length == 2) Add(settings, "average_decay", parts[1], "--average");
                break;
            case "none" when parts.Length == 1:
                break;
            default:
                throw new ConfigurationException($"--average '{text}' is not valid; use polyak (the arithmetic mean of the iterates) or ema[:decay], e.g. ema:0.999.");
        }
    }

    /// <summary>A comma-separated list of numbers.</summary>
    /// <exception cref="ConfigurationException">An item is not a finite number.</exception>
    public static double[] Vector(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var x = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!double.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out x[i]) || !double.IsFinite(x[i]))
                throw new ConfigurationException($"{option} '{text}': '{items[i]}' is not a number; give numbers separated by commas, e.g. {option} 1.5,-2.");
        return x;
    }
}

using System.Globalization;
using System.Text;

namespace Descent.Optim.Schedules;

/// <summary>
/// Reads schedules from text (the CLI's <c>--schedule</c>): <c>name[:key=value,...]</c> parts joined with
/// <c>+</c>. The first value of a part may omit its key. Keys are case-insensitive. Every error names the
/// part, the key and what is valid.
/// </summary>
public static class ScheduleParser
{
    private sealed record Kind(string Name, string[] Aliases, string? Positional, (string Key, string? Default, string Help)[] Keys,
        string Summary, Func<Args, Schedule> Make);

    private static readonly Kind[] Kinds =
    [
        new("constant", [], "steps", [("steps", "", "length in steps (only needed when another schedule follows)")],
            "the base learning rate", a => new ConstantSchedule(a.Has("steps") ? a.Long("steps", 1) : null)),
        new("linear", [], "tau", [("tau", null, "τ, steps of decay"), ("end", "0.01", "μ_τ/μ₀, the factor after τ")],
            "μᵢ = (1 − i/τ)μ₀ + (i/τ)μ_τ until τ, then μ_τ", a => new LinearDecaySchedule(a.Long("tau", 1), a.Real("end", 0))),
        new("inverse-time", ["1/t"], "gamma", [("gamma", null, "γ in μ₀/(1 + γt)")],
            "μ₀/(1 + γt)", a => new InverseTimeSchedule(a.Real("gamma", 0))),
        new("step", [], "size", [("size", null, "steps between decays"), ("gamma", "0.1", "decay factor")],
            "μ₀·γ^⌊t/size⌋", a => new StepDecaySchedule(a.Long("size", 1), a.Real("gamma", 0, max: 1))),
        new("multistep", [], "at", [("at", null, "milestones separated by '/', e.g. 30/60/90"), ("gamma", "0.1", "decay factor")],
            "μ₀·γ^(milestones passed)", a => new MultiStepSchedule(a.Milestones("at"), a.Real("gamma", 0, max: 1))),
        new("exponential", ["exp"], "alpha", [("alpha", null, "α in γ₀e^(−αt)")],
            "γ₀e^(−αt)", a => new ExponentialSchedule(a.Real("alpha", 0))),
        new("polynomial", ["poly"], "t", [("t", null, "T, steps of decay"), ("power", "1", "exponent"), ("end", "0", "final factor")],
            "end + (1 − end)(1 − t/T)^power", a => new PolynomialSchedule(a.Long("t", 1), a.Real("power", 0), a.Real("end", 0))),
        new("cosine", [], "t", [("t", null, "T, the period"), ("min", "0", "the lowest factor"),
            ("restarts", "false", "start again after each period (SGDR)"), ("mult", "1", "period growth per restart")],
            "min + (1 − min)(1 + cos(πt/T))/2", a => new CosineSchedule(a.Long("t", 1), a.Real("min", 0), a.Flag("restarts"), a.Real("mult", 1))),
        new("warmup", [], "steps", [("steps", null, "warm-up length"), ("start", "0", "factor at step 0")],
            "linear from start to 1 over the given steps", a => new WarmupSchedule(a.Long("steps", 1), a.Real("start", 0))),
        new("cyclic", ["triangular"], "half", [("half", null, "steps from bottom to top (half a cycle)"), ("low", "0.1", "bottom factor"),
            ("mode", "triangular", "triangular|triangular2|exp_range"), ("gamma", "1", "decay per step for exp_range")],
            "triangular cycles between low and 1 (Smith 2017)",
            a => new CyclicSchedule(a.Long("half", 1), a.Real("low", 0), a.Choice("mode", "triangular", "triangular2", "exp_range"), a.Real("gamma", 0, max: 1))),
        new("onecycle", [], "total", [("total", null, "total steps"), ("pct", "0.3", "fraction of steps rising"),
            ("div", "25", "initial factor is 1/div"), ("final_div", "1e4", "final factor is 1/(div·final_div)")],
            "one cycle up then down (Smith & Topin 2019)",
            a => new OneCycleSchedule(a.Long("total", 2), a.Real("pct", 0), a.Real("div", 1), a.Real("final_div", 1))),
        new("plateau", [], "factor", [("factor", "0.1", "multiplier on a plateau"), ("patience", "10", "reports tolerated without improvement"),
            ("threshold", "1e-4", "relative improvement that counts"), ("mode", "min", "min|max"), ("cooldown", "0", "reports ignored after a reduction"),
            ("min", "0", "lowest factor")],
            "multiply by factor when the validation metric stops improving",
            a => new ReduceOnPlateau(a.Real("factor", 0), a.Long("patience", 0), a.Real("threshold", 0), a.Choice("mode", "min", "max"),
                a.Long("cooldown", 0), a.Real("min", 0))),
    ];

    /// <summary>Parses a schedule; see <see cref="Schedule.Parse"/>.</summary>
    /// <exception cref="ConfigurationException">The text is not a valid schedule.</exception>
    public static Schedule Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ConfigurationException("Empty schedule; try e.g. 'constant', 'cosine:T=1000' or 'warmup:500+cosine:T=10000'.");
        var parts = SplitParts(text.Trim()).Select(ParsePart).ToArray();
        return parts.Length == 1 ? parts[0] : new SequentialSchedule(parts);
    }

    /// <summary>Every schedule with its keys, for <c>--help</c>.</summary>
    public static string Help()
    {
        var sb = new StringBuilder("Schedules (factor × base lr; join with '+', e.g. warmup:500+cosine:T=10000):\n");
        foreach (var k in Kinds)
        {
            sb.Append("  ").Append(k.Name);
            if (k.Aliases.Length > 0) sb.Append(" (").Append(string.Join(", ", k.Aliases)).Append(')');
            sb.Append(": ").Append(k.Summary).Append('\n');
            foreach (var (key, def, help) in k.Keys)
                sb.Append("      ").Append(key == "t" ? "T" : key).Append(def is null ? " (required)" : def == "" ? "" : $" = {def}")
                  .Append(key == k.Positional ? " [may be given without key]" : "").Append(": ").Append(help).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Splits at '+' signs that start a new part (not the sign of an exponent such as 1e+3).</summary>
    private static IEnumerable<string> SplitParts(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '+') continue;
            bool exponent = i > 0 && (text[i - 1] == 'e' || text[i - 1] == 'E') && i + 1 < text.Length && char.IsDigit(text[i + 1])
                && i > 1 && (char.IsDigit(text[i - 2]) || text[i - 2] == '.');
            if (exponent) continue;
            yield return text[start..i].Trim();
            start = i + 1;
        }
        yield return text[start..].Trim();
    }

    private static Schedule ParsePart(string part)
    {
        if (part.Length == 0) throw new ConfigurationException("Empty part in schedule (two '+' in a row, or a '+' at an end).");
        int colon = part.IndexOf(':');
        string name = (colon < 0 ? part : part[..colon]).Trim().ToLowerInvariant();
        var kind = Kinds.FirstOrDefault(k => k.Name == name || k.Aliases.Contains(name));
        if (kind is null)
        {
            var near = OptimizerSettings.Closest(name, Kinds.Select(k => k.Name));
            throw new ConfigurationException($"Unknown schedule '{name}'{(near is null ? "" : $" (did you mean '{near}'?)")}; valid: {string.Join(", ", Kinds.Select(k => k.Name))}.");
        }
        var given = new Dictionary<string, string>();
        if (colon >= 0)
        {
            var items = part[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
            for (int i = 0; i < items.Length; i++)
            {
                string item = items[i];
                int eq = item.IndexOf('=');
                string key, value;
                if (eq < 0)
                {
                    if (i > 0 || kind.Positional is null)
                        throw new ConfigurationException($"Schedule '{kind.Name}': '{item}' needs a key (key=value); valid keys: {KeyList(kind)}.");
                    key = kind.Positional; value = item;
                }
                else { key = item[..eq].Trim().ToLowerInvariant(); value = item[(eq + 1)..].Trim(); }
                if (!kind.Keys.Any(k => k.Key == key))
                    throw new ConfigurationException($"Schedule '{kind.Name}' has no key '{key}'; valid keys: {KeyList(kind)}.");
                if (!given.TryAdd(key, value))
                    throw new ConfigurationException($"Schedule '{kind.Name}': '{key}' is given twice.");
            }
        }
        foreach (var (key, def, _) in kind.Keys)
            if (def is null && !given.ContainsKey(key))
                throw new ConfigurationException($"Schedule '{kind.Name}' needs {(key == "t" ? "T" : key)}, e.g. '{kind.Name}:{(key == "t" ? "T" : key)}=1000'; keys: {KeyList(kind)}.");
        return kind.Make(new Args(kind, given));
    }

    private static string KeyList(Kind k) => string.Join(", ", k.Keys.Select(x => x.Key == "t" ? "T" : x.Key));

    private sealed class Args(Kind kind, Dictionary<string, string> given)
    {
        private string Raw(string key) => given.TryGetValue(key, out var v) ? v : kind.Keys.First(k => k.Key == key).Default!;

        private ConfigurationException Bad(string key, string what) =>
            new($"Schedule '{kind.Name}': {(key == "t" ? "T" : key)} must be {what}, got '{Raw(key)}'.");

        public bool Has(string key) => given.ContainsKey(key);

        /// <summary>A finite number in [min, max]; a decay factor (max 1) above 1 would grow the rate without bound.</summary>
        public double Real(string key, double min, double max = double.PositiveInfinity)
        {
            if (!double.TryParse(Raw(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x) || x < min || x > max)
                throw Bad(key, double.IsPositiveInfinity(max)
                    ? $"a number ≥ {min.ToString(CultureInfo.InvariantCulture)}"
                    : $"a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}] (a decay factor; above 1 the rate would grow without bound)");
            return x;
        }

        public long Long(string key, long min)
        {
            if (!long.TryParse(Raw(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out long x) || x < min)
                throw Bad(key, $"an integer ≥ {min}");
            return x;
        }

        public bool Flag(string key) => Raw(key).ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw Bad(key, "true or false"),
        };

        public string Choice(string key, params string[] choices)
        {
            string v = Raw(key).ToLowerInvariant();
            return choices.Contains(v) ? v : throw Bad(key, string.Join("|", choices));
        }

        public long[] Milestones(string key)
        {
            var items = Raw(key).Split('/', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var r = new long[items.Length];
            for (int i = 0; i < items.Length; i++)
                if (!long.TryParse(items[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out r[i]))
                    throw Bad(key, "integers separated by '/', e.g. 30/60/90");
            if (r.Length == 0) throw Bad(key, "integers separated by '/', e.g. 30/60/90");
            return r;
        }
    }
}

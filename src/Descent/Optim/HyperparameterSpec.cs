using System.Globalization;

namespace Descent.Optim;

/// <summary>The kind of value a hyperparameter takes.</summary>
public enum HyperparameterType
{
    /// <summary>A real number (optionally bounded).</summary>
    Real,
    /// <summary>An integer (optionally bounded).</summary>
    Integer,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Flag,
    /// <summary>One of a fixed list of words.</summary>
    Choice,
    /// <summary>Free text (e.g. the name of an inner optimizer).</summary>
    Text,
}

/// <summary>
/// One settable hyperparameter of an optimizer: its key (lowercase with underscores), type, default, valid
/// range and a one-line description for <c>--help</c>. Values arrive as strings (from the command line or a
/// checkpoint) and are validated here; invalid values raise <see cref="ConfigurationException"/> naming the
/// optimizer, the key and what is allowed.
/// </summary>
public sealed record HyperparameterSpec
{
    /// <summary>The key, e.g. <c>lr</c> or <c>beta1</c>.</summary>
    public required string Key { get; init; }

    /// <summary>The type of value.</summary>
    public required HyperparameterType Type { get; init; }

    /// <summary>The default (the paper's, or the course's), as text.</summary>
    public required string Default { get; init; }

    /// <summary>torch.optim 1.13's default where it differs (used with <c>variant=pytorch</c>).</summary>
    public string? PytorchDefault { get; init; }

    /// <summary>One line for <c>--help</c>.</summary>
    public required string Description { get; init; }

    /// <summary>Lower bound of a number (see <see cref="MinExclusive"/>).</summary>
    public double Min { get; init; } = double.NegativeInfinity;

    /// <summary>Upper bound of a number (see <see cref="MaxExclusive"/>).</summary>
    public double Max { get; init; } = double.PositiveInfinity;

    /// <summary>True when the value must be strictly greater than <see cref="Min"/>.</summary>
    public bool MinExclusive { get; init; }

    /// <summary>True when the value must be strictly less than <see cref="Max"/>.</summary>
    public bool MaxExclusive { get; init; }

    /// <summary>The allowed words of a <see cref="HyperparameterType.Choice"/>.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Another accepted key for the same setting (e.g. PyTorch's <c>alpha</c> for RMSProp's ρ).</summary>
    public string? Alias { get; init; }

    /// <summary>False for settings that apply to the whole optimizer (clipping, averaging, the variant)
    /// and so cannot differ between parameter groups.</summary>
    public bool PerGroup { get; init; } = true;

    /// <summary>When set, the key only applies with this <c>variant</c>.</summary>
    public string? OnlyVariant { get; init; }

    /// <summary>The default for a variant.</summary>
    public string DefaultFor(string variant) => variant == "pytorch" && PytorchDefault is not null ? PytorchDefault : Default;

    /// <summary>What values are allowed, for messages and help ("≥ 0", "in [0, 1)", "true|false", …).</summary>
    public string Allowed => Type switch
    {
        HyperparameterType.Flag => "true|false",
        HyperparameterType.Choice => string.Join("|", Choices),
        HyperparameterType.Text => "a name",
        _ => RangeText(),
    };

    private string RangeText()
    {
        string kind = Type == HyperparameterType.Integer ? "an integer" : "a number";
        bool lo = !double.IsNegativeInfinity(Min), hi = !double.IsPositiveInfinity(Max);
        string F(double x) => x.ToString("G", CultureInfo.InvariantCulture);
        if (lo && hi) return $"{kind} in {(MinExclusive ? "(" : "[")}{F(Min)}, {F(Max)}{(MaxExclusive ? ")" : "]")}";
        if (lo) return $"{kind} {(MinExclusive ? ">" : "≥")} {F(Min)}";
        if (hi) return $"{kind} {(MaxExclusive ? "<" : "≤")} {F(Max)}";
        return kind;
    }

    /// <summary>Checks <paramref name="raw"/> and returns it in canonical form (numbers in invariant
    /// round-trip format, flags as <c>true</c>/<c>false</c>).</summary>
    /// <exception cref="ConfigurationException">The value has the wrong type or is out of range.</exception>
    public string Normalize(string raw, string optimizer)
    {
        string v = raw.Trim();
        string Fail() => $"{optimizer}: {Key} must be {Allowed}, got '{raw}'.";
        switch (Type)
        {
            case HyperparameterType.Flag:
                return v.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" => "true",
                    "false" or "0" or "no" or "off" => "false",
                    _ => throw new ConfigurationException(Fail()),
                };
            case HyperparameterType.Choice:
                var c = Choices.FirstOrDefault(x => string.Equals(x, v, StringComparison.OrdinalIgnoreCase));
                return c ?? throw new ConfigurationException(Fail());
            case HyperparameterType.Text:
                if (v.Length == 0) throw new ConfigurationException(Fail());
                return v;
            case HyperparameterType.Integer:
                if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) || !InRange(n))
                    throw new ConfigurationException(Fail());
                return n.ToString(CultureInfo.InvariantCulture);
            default:
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d) || !InRange(d))
                    throw new ConfigurationException(Fail());
                return d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        }
    }

    private bool InRange(double x) =>
        (MinExclusive ? x > Min : x >= Min) && (MaxExclusive ? x < Max : x <= Max);
}

/// <summary>Short constructors for the usual kinds of hyperparameters.</summary>
public static class Hp
{
    /// <summary>The learning rate <c>lr</c> (μ, ε or η in the course): ≥ 0.</summary>
    public static HyperparameterSpec Lr(double def, double? pytorch = null, string description = "learning rate μ") =>
        Real("lr", def, description, min: 0) with { PytorchDefault = Text(pytorch) };

    /// <summary>A decay rate in [0, 1) such as β₁, β₂, ρ or a momentum α.</summary>
    public static HyperparameterSpec Beta(string key, double def, string description, double? pytorch = null) =>
        Real(key, def, description, min: 0, max: 1, maxExclusive: true) with { PytorchDefault = Text(pytorch) };

    /// <summary>A strictly positive number such as ε.</summary>
    public static HyperparameterSpec Positive(string key, double def, string description, double? pytorch = null) =>
        Real(key, def, description, min: 0, minExclusive: true) with { PytorchDefault = Text(pytorch) };

    /// <summary>A number ≥ 0 such as a weight decay.</summary>
    public static HyperparameterSpec NonNegative(string key, double def, string description, double? pytorch = null) =>
        Real(key, def, description, min: 0) with { PytorchDefault = Text(pytorch) };

    /// <summary>A real number with optional bounds.</summary>
    public static HyperparameterSpec Real(string key, double def, string description, double min = double.NegativeInfinity,
        double max = double.PositiveInfinity, bool minExclusive = false, bool maxExclusive = false) => new()
    {
        Key = key, Type = HyperparameterType.Real, Default = Text(def)!, Description = description,
        Min = min, Max = max, MinExclusive = minExclusive, MaxExclusive = maxExclusive,
    };

    /// <summary>An integer ≥ <paramref name="min"/>.</summary>
    public static HyperparameterSpec Integer(string key, long def, string description, long min = 0) => new()
    {
        Key = key, Type = HyperparameterType.Integer, Default = def.ToString(CultureInfo.InvariantCulture),
        Description = description, Min = min,
    };

    /// <summary>A true/false switch.</summary>
    public static HyperparameterSpec Flag(string key, bool def, string description) => new()
    {
        Key = key, Type = HyperparameterType.Flag, Default = def ? "true" : "false", Description = description,
    };

    /// <summary>One of several words; the first is not necessarily the default.</summary>
    public static HyperparameterSpec Choice(string key, string def, string description, params string[] choices) => new()
    {
        Key = key, Type = HyperparameterType.Choice, Default = def, Description = description, Choices = choices,
    };

    /// <summary>The <c>variant</c> switch between the paper's form and torch.optim 1.13's.</summary>
    public static HyperparameterSpec Variant() => Choice("variant", "paper",
        "paper: the paper's/course's form and defaults; pytorch: torch.optim 1.13's exact update rule and defaults",
        "paper", "pytorch") with { PerGroup = false };

    private static string? Text(double? x) => x?.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
}

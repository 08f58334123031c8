using System.Globalization;

namespace Descent.Nn.Init;

/// <summary>
/// Parses initialization schemes written as <c>name[:arg[,arg…]]</c> (lowercase; '-' may stand for '_'):
/// <list type="bullet">
/// <item><c>zeros</c>, <c>ones</c>, <c>constant:V</c></item>
/// <item><c>normal[:STD]</c> or <c>normal:MEAN,STD</c> (default N(0, 1)); <c>truncated_normal</c> likewise (cut at ±2 std)</item>
/// <item><c>uniform:A</c> for U(−A, A) or <c>uniform:LOW,HIGH</c></item>
/// <item><c>lecun_normal</c>, <c>lecun_uniform</c></item>
/// <item><c>glorot_normal[:GAIN]</c>, <c>glorot_uniform[:GAIN]</c> (aliases <c>xavier_*</c>), <c>orthogonal[:GAIN]</c>,
/// <c>identity[:GAIN]</c> (aliases <c>eye</c>, <c>dirac</c>) — GAIN is a number or an activation name with an
/// optional parameter (<c>tanh</c>, <c>leaky_relu,0.2</c>), see <see cref="Initializers.Gain"/></item>
/// <item><c>he_normal</c>, <c>he_uniform</c> (aliases <c>kaiming_*</c>) with optional arguments in any order:
/// <c>fan_in</c> or <c>fan_out</c>, a nonlinearity name, and a number (the leaky-ReLU slope, default 0.01)</item>
/// </list>
/// </summary>
public static class InitSchemeParser
{
    /// <summary>The schemes and their arguments, for help texts and error messages.</summary>
    public static IReadOnlyList<string> Forms { get; } =
    [
        "zeros", "ones", "constant:V", "normal[:STD|:MEAN,STD]", "uniform:A|:LOW,HIGH",
        "truncated_normal[:STD|:MEAN,STD]", "lecun_normal", "lecun_uniform", "glorot_normal[:GAIN]",
        "glorot_uniform[:GAIN]", "xavier_normal[:GAIN]", "xavier_uniform[:GAIN]",
        "he_normal[:fan_in|fan_out,NONLINEARITY,SLOPE]", "he_uniform[:...]", "kaiming_normal[:...]", "kaiming_uniform[:...]",
        "orthogonal[:GAIN]", "identity[:GAIN]", "eye[:GAIN]", "dirac[:GAIN]",
    ];

    /// <summary>Parses <paramref name="text"/>; <paramref name="activation"/> is the default gain of schemes
    /// that take one (and the default He nonlinearity, otherwise relu).</summary>
    public static InitScheme Parse(string text, string? activation = null)
    {
        if (string.IsNullOrWhiteSpace(text)) throw Unknown(text ?? "");
        if (activation is not null && !Initializers.IsGainName(activation))
            Initializers.Gain(activation); // throws the list of valid activations
        int colon = text.IndexOf(':');
        string name = Initializers.NormalizeName(colon < 0 ? text : text[..colon]);
        string[] args = colon < 0 ? [] : text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        if (args.Any(a => a.Length == 0))
            throw new ConfigurationException($"Initialization scheme '{text}' has an empty argument; write e.g. normal:0.01 or uniform:-0.1,0.1.");
        double defaultGain = activation is null ? 1 : Initializers.Gain(activation);
        switch (name)
        {
            case "zeros" or "zero": NoArgs(name, args); return InitScheme.Zeros;
            case "ones": NoArgs(name, args); return InitScheme.Ones;
            case "constant":
                if (args.Length != 1) throw new ConfigurationException($"constant needs one value, e.g. constant:0.1; got '{text}'.");
                return InitScheme.Constant(Number(args[0], text));
            case "normal" or "gaussian":
                return args.Length switch
                {
                    0 => InitScheme.Normal(),
                    1 => InitScheme.Normal(Number(args[0], text)),
                    2 => InitScheme.Normal(Number(args[1], text), Number(args[0], text)),
                    _ => throw new ConfigurationException($"normal takes STD or MEAN,STD (e.g. normal:0.01); got '{text}'."),
                };
            case "truncated_normal" or "trunc_normal":
                return args.Length switch
                {
                    0 => InitScheme.TruncatedNormal(),
                    1 => InitScheme.TruncatedNormal(Number(args[0], text)),
                    2 => InitScheme.TruncatedNormal(Number(args[1], text), Number(args[0], text)),
                    _ => throw new ConfigurationException($"truncated_normal takes STD or MEAN,STD; got '{text}'."),
                };
            case "uniform":
                if (args.Length == 1) { double a = Number(args[0], text); return InitScheme.Uniform(-Math.Abs(a), Math.Abs(a)); }
                if (args.Length == 2) return InitScheme.Uniform(Number(args[0], text), Number(args[1], text));
                throw new ConfigurationException($"uniform needs a bound: uniform:A for U(-A, A) or uniform:LOW,HIGH; got '{text}'.");
            case "lecun_normal": NoArgs(name, args); return InitScheme.LecunNormal;
            case "lecun_uniform": NoArgs(name, args); return InitScheme.LecunUniform;
            case "glorot_normal" or "xavier_normal": return InitScheme.GlorotNormal(GainArg(args, defaultGain, text));
            case "glorot_uniform" or "xavier_uniform": return InitScheme.GlorotUniform(GainArg(args, defaultGain, text));
            case "orthogonal": return InitScheme.Orthogonal(GainArg(args, defaultGain, text));
            case "identity" or "eye" or "dirac": return InitScheme.Identity(GainArg(args, defaultGain, text));
            case "he_normal" or "kaiming_normal" or "he_uniform" or "kaiming_uniform":
            {
                var (mode, nl, slope) = HeArgs(args, activation, text);
                return name.EndsWith("normal", StringComparison.Ordinal)
                    ? InitScheme.HeNormal(mode, nl, slope)
                    : InitScheme.HeUniform(mode, nl, slope);
            }
            default: throw Unknown(text);
        }
    }

    private static ConfigurationException Unknown(string text) =>
        new($"Unknown initialization scheme '{text}'. Valid schemes: {string.Join(", ", Forms)}.");

    private static void NoArgs(string name, string[] args)
    {
        if (args.Length > 0) throw new ConfigurationException($"Initialization scheme '{name}' takes no arguments; got '{string.Join(",", args)}'.");
    }

    private static double Number(string s, string text)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
        throw new ConfigurationException($"'{s}' in initialization scheme '{text}' is not a number.");
    }

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static double GainArg(string[] args, double defaultGain, string text)
    {
        if (args.Length == 0) return defaultGain;
        if (IsNumber(args[0]))
        {
            if (args.Length > 1) throw new ConfigurationException($"A numeric gain takes no further arguments; got '{text}'.");
            return Number(args[0], text);
        }
        if (args.Length > 2) throw new ConfigurationException($"The gain is a number or an activation with one optional parameter (e.g. leaky_relu,0.2); got '{text}'.");
        return Initializers.Gain(args[0], args.Length == 2 ? Number(args[1], text) : null);
    }

    private static (FanMode Mode, string Nonlinearity, double Slope) HeArgs(string[] args, string? activation, string text)
    {
        FanMode? mode = null; string? nl = null; double? slope = null;
        foreach (var a in args)
        {
            string n = Initializers.NormalizeName(a);
            if (n is "fan_in" or "fan_out")
            {
                if (mode is not null) throw new ConfigurationException($"'{text}' gives the fan mode twice.");
                mode = n == "fan_in" ? FanMode.FanIn : FanMode.FanOut;
            }
            else if (IsNumber(a))
            {
                if (slope is not null) throw new ConfigurationException($"'{text}' gives the slope twice.");
                slope = Number(a, text);
            }
            else
            {
                if (nl is not null) throw new ConfigurationException($"'{text}' gives the nonlinearity twice.");
                Initializers.Gain(n, 0); // validates the name
                nl = n;
            }
        }
        nl ??= activation is null ? "relu" : Initializers.NormalizeName(activation);
        return (mode ?? FanMode.FanIn, nl, slope ?? 0.01);
    }
}

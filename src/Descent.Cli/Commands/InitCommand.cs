using System.CommandLine;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent init --scheme S [--compare S1,S2,...] --activation A --depth L --width W [--batch N] [--input-std σ]
/// [--bias B] [--seed S] [--dtype float64|float32] [--out DIR]</c>: what an initialization scheme does to signal
/// propagation in a deep MLP (<see cref="SignalProbe"/>): per-layer statistics of the activations and of the
/// back-propagated gradients, saturated/dead and identical units, and a verdict; with <c>--out</c> also
/// <c>layers.csv</c>, <c>summary.json</c> and <c>signal.svg</c>.
/// </summary>
public static class InitCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var scheme = new Option<string>("--scheme") { Description = "weight initialization scheme, e.g. glorot_uniform, he_normal, normal:1, orthogonal:tanh, lsuv, constant:0.1 (listed below)" };
        var compare = new Option<string[]>("--compare") { Description = "more schemes to compare, comma-separated (e.g. normal:1,he_normal); repeatable", AllowMultipleArgumentsPerToken = false };
        var activation = new Option<string>("--activation") { Description = "activation after every hidden layer (listed below)", DefaultValueFactory = _ => "tanh" };
        var depth = new Option<int>("--depth") { Description = "number of hidden layers", DefaultValueFactory = _ => 10 };
        var width = new Option<int>("--width") { Description = "units per hidden layer (and inputs)", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "examples in the probe batch", DefaultValueFactory = _ => 512 };
        var inputStd = new Option<double>("--input-std") { Description = "standard deviation of the N(0, σ²) inputs", DefaultValueFactory = _ => 1 };
        var bias = new Option<string>("--bias") { Description = "bias scheme, e.g. zeros or constant:0.01", DefaultValueFactory = _ => "zeros" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the weights, inputs and output gradient", DefaultValueFactory = _ => 0 };
        var dtype = new Option<string>("--dtype") { Description = "float64 or float32", DefaultValueFactory = _ => "float64" };
        var output = new Option<string>("--out") { Description = "directory for layers.csv, summary.json and signal.svg" };
        var cmd = new Command("init", "Show what an initialization scheme does to signal propagation: activations and back-propagated gradients layer by layer in a deep MLP.");
        foreach (var o in new Option[] { scheme, compare, activation, depth, width, batch, inputStd, bias, seed, dtype, output }) cmd.Options.Add(o);

        cmd.SetAction(pr =>
        {
            var schemes = new List<string>();
            if (pr.GetValue(scheme) is { } s) schemes.Add(s.Trim());
            foreach (var c in pr.GetValue(compare) ?? []) schemes.AddRange(SplitSchemes(c));
            schemes = schemes.Distinct(StringComparer.Ordinal).ToList();
            if (schemes.Count == 0)
                throw new ConfigurationException("no scheme given; use --scheme S (e.g. --scheme glorot_uniform) and optionally --compare S1,S2,...");
            var template = new SignalProbeOptions
            {
                Activation = pr.GetValue(activation)!,
                Depth = pr.GetValue(depth),
                Width = pr.GetValue(width),
                Batch = pr.GetValue(batch),
                InputStd = pr.GetValue(inputStd),
                BiasScheme = pr.GetValue(bias)!,
                Seed = pr.GetValue(seed),
                DType = ParseDType(pr.GetValue(dtype)!),
            };
            // Check every option and scheme before running anything, so a typo in the last scheme fails at once.
            foreach (var sc in schemes) SignalProbe.Validate(template with { Scheme = sc });

            var o = context.Output;
            o.WriteLine($"{template.Depth} {template.Activation} layers of width {template.Width}; batch {template.Batch}, inputs N(0, {InitTables.G(template.InputStd)}²), " +
                        $"biases {template.BiasScheme}, seed {template.Seed}, {(template.DType == DType.Float64 ? "float64" : "float32")}");
            o.WriteLine($"backward: a random output gradient, L = Σ h{template.Depth} ⊙ R with R ~ N(0, 1), so ∂L/∂h{template.Depth} = R");
            var reports = new List<(string Given, SignalReport Report)>();
            foreach (var sc in schemes)
            {
                var report = SignalProbe.Run(template with { Scheme = sc });
                reports.Add((sc, report));
                o.WriteLine();
                InitTables.WriteLayers(o, sc, report);
            }
            if (reports.Count > 1)
            {
                o.WriteLine();
                InitTables.WriteSummary(o, reports);
            }
            if (pr.GetValue(output) is { } dir)
            {
                InitFiles.Write(dir, template, reports);
                o.WriteLine();
                o.WriteLine($"wrote {Path.Combine(dir, InitFiles.Layers)}, {InitFiles.Summary} and {InitFiles.Plot}");
            }
            return CliErrors.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// Splits a comma-separated list of schemes, keeping commas inside a scheme's arguments: a piece that is a
    /// number, <c>fan_in</c>/<c>fan_out</c> or an activation name continues the previous scheme when that one has
    /// arguments (<c>he_normal:fan_out,relu,normal:0,0.5</c> → <c>he_normal:fan_out,relu</c> and <c>normal:0,0.5</c>).
    /// </summary>
    public static IReadOnlyList<string> SplitSchemes(string text)
    {
        var result = new List<string>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0) throw new ConfigurationException($"--compare '{text}' has an empty scheme; separate schemes with single commas.");
            bool argument = double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                            || raw.ToLowerInvariant().Replace('-', '_') is "fan_in" or "fan_out"
                            || Initializers.IsGainName(raw);
            if (argument && result.Count > 0 && result[^1].Contains(':')) result[^1] += "," + raw;
            else result.Add(raw);
        }
        return result;
    }

    private static DType ParseDType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "float64" or "double" or "f64" => DType.Float64,
        "float32" or "float" or "f32" => DType.Float32,
        _ => throw new ConfigurationException($"--dtype '{text}' is not valid; use float64 or float32."),
    };

    /// <summary>The help section listing the schemes and activations.</summary>
    public static string Help() =>
        "Initialization schemes (descent init --scheme S; gains are literal: write glorot_uniform:tanh or orthogonal:relu for an activation's gain):\n" +
        Wrap(SignalProbe.SchemeForms) +
        "  GAIN is a number or an activation name: " + string.Join(", ", Initializers.GainNames) + "\n" +
        "Activations (descent init --activation A): " + string.Join(", ", Activations.ValidNames) + "\n";

    /// <summary>The items joined by ", " in indented lines of at most about 100 characters.</summary>
    private static string Wrap(IEnumerable<string> items)
    {
        var sb = new System.Text.StringBuilder();
        int line = 0;
        foreach (var item in items)
        {
            if (line > 0 && line + item.Length > 96) { sb.Append(",\n"); line = 0; }
            else if (line > 0) { sb.Append(", "); line += 2; }
            if (line == 0) { sb.Append("  "); line = 2; }
            sb.Append(item);
            line += item.Length;
        }
        return sb.Append('\n').ToString();
    }
}

using System.CommandLine;

namespace Descent.Cli.Experiments;

/// <summary>
/// Turns <c>--config FILE</c> into command-line options: every key of the experiment file becomes the option of
/// the same name, unless that option is on the command line (the command line wins). The result is parsed as
/// usual, so a file accepts exactly what the command accepts and is checked the same way.
/// </summary>
public static class ExperimentArgs
{
    /// <summary>The option that names an experiment file.</summary>
    public const string OptionName = "--config";

    /// <summary>Keys an experiment file may not hold.</summary>
    private static readonly string[] NotInFiles = ["config", "help", "version"];

    /// <summary>The <c>--config</c> option for a command.</summary>
    public static Option<string> Option() => new(OptionName)
    {
        Description = "experiment file (YAML or JSON) whose keys are this command's options, e.g. 'epochs: 5'; options given here override it",
    };

    /// <summary><paramref name="args"/> with the options of the experiment file that <c>--config</c> names appended.</summary>
    /// <exception cref="DataFormatException">The file cannot be read.</exception>
    /// <exception cref="ConfigurationException">The file is for another command, or names an option the command lacks.</exception>
    public static string[] Expand(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var command = parse.CommandResult.Command;
        var config = command.Options.FirstOrDefault(o => o.Name == OptionName);
        if (config is null || parse.GetResult(config) is not { } result || result.Tokens.Count == 0) return args;
        string path = result.Tokens[0].Value;
        var file = ExperimentFile.Load(path);
        if (file.Command is { Length: > 0 } c && !string.Equals(c, command.Name, StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"{path} is an experiment for 'descent {c}', not 'descent {command.Name}'; run descent {c} --config {path}.");
        var tokens = new List<string>(args);
        foreach (var (key, value) in file.Entries)
        {
            if (key == "command") continue;
            var option = command.Options.FirstOrDefault(o => o.Name == "--" + key || o.Aliases.Contains("--" + key));
            if (option is null || NotInFiles.Contains(key))
                throw new ConfigurationException($"{path}: '{key}' is not an option of descent {command.Name}; the keys are its options without dashes: " +
                    string.Join(", ", command.Options.Select(o => o.Name.TrimStart('-')).Where(n => !NotInFiles.Contains(n))) + ".");
            if (parse.GetResult(option) is { Implicit: false }) continue; // given on the command line
            tokens.AddRange(Tokens(option, value, path, key));
        }
        return [.. tokens];
    }

    private static IEnumerable<string> Tokens(Option option, ExperimentValue value, string path, string key)
    {
        bool many = option.Arity.MaximumNumberOfValues > 1;
        var items = value switch
        {
            ExperimentValue.Scalar s => [s.Text],
            ExperimentValue.List l => l.Items.Select(i => i is ExperimentValue.Scalar s ? s.Text
                : throw new ConfigurationException($"{path}: '{key}' must list plain values.")).ToList(),
            ExperimentValue.Map m => Pairs(m, "", path, key).ToList(),
            _ => [],
        };
        if (option.ValueType == typeof(bool))
        {
            if (items.Count != 1 || !bool.TryParse(items[0], out bool b))
                throw new ConfigurationException($"{path}: '{key}' must be true or false.");
            if (b) yield return option.Name;
            yield break;
        }
        if (!many && items.Count > 1)
        {
            if (value is ExperimentValue.Map) throw new ConfigurationException($"{path}: '{key}' takes one value, not a map.");
            items = [string.Join(",", items)]; // e.g. optimizers: [sgd, adam] → --optimizers sgd,adam
        }
        foreach (var item in items) yield return option.Name + "=" + item;
    }

    private static IEnumerable<string> Pairs(ExperimentValue.Map map, string prefix, string path, string key)
    {
        foreach (var (k, v) in map.Entries)
        {
            if (v is ExperimentValue.Scalar s) yield return $"{prefix}{k}={s.Text}";
            else if (v is ExperimentValue.Map inner && prefix.Length == 0)
                foreach (var p in Pairs(inner, k + ":", path, key)) yield return p;
            else throw new ConfigurationException($"{path}: '{key}.{k}' must be a plain value.");
        }
    }
}

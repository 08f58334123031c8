using YamlDotNet.RepresentationModel;

namespace Descent.Cli.Experiments;

/// <summary>
/// Writes the resolved experiment of a run or comparison as YAML (<c>experiment.yaml</c>): the command and every
/// option that defines the result, defaults filled in, so <c>descent COMMAND --config experiment.yaml</c> does it
/// again exactly.
/// </summary>
public sealed class ExperimentWriter(string command)
{
    /// <summary>The file name in a run or comparison directory.</summary>
    public const string FileName = "experiment.yaml";

    private readonly YamlMappingNode root = new() { { "command", command } };

    /// <summary>Adds a scalar (skipped when null).</summary>
    public ExperimentWriter Add(string key, string? value)
    {
        if (value is not null) root.Add(key, new YamlScalarNode(value));
        return this;
    }

    /// <summary>Adds a list (skipped when empty).</summary>
    public ExperimentWriter Add(string key, IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list.Count > 0) root.Add(key, new YamlSequenceNode(list.Select(v => new YamlScalarNode(v))));
        return this;
    }

    /// <summary>Adds a map of settings (skipped when empty).</summary>
    public ExperimentWriter Add(string key, IEnumerable<KeyValuePair<string, string>> values)
    {
        var map = new YamlMappingNode();
        foreach (var (k, v) in values) map.Add(k, new YamlScalarNode(v));
        if (map.Children.Count > 0) root.Add(key, map);
        return this;
    }

    /// <summary>The YAML text, with a comment saying how to re-run it.</summary>
    public string Text(string? note = null)
    {
        var sw = new StringWriter { NewLine = "\n" };
        sw.WriteLine($"# Resolved experiment: descent {((YamlScalarNode)root.Children[new YamlScalarNode("command")]).Value} --config {FileName} runs it again exactly.");
        if (note is not null) sw.WriteLine("# " + note);
        new YamlStream(new YamlDocument(root)).Save(sw, assignAnchors: false);
        string text = sw.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>Writes <see cref="FileName"/> into <paramref name="directory"/>.</summary>
    public void Save(string directory, string? note = null) => OutputFile.Write(Path.Combine(directory, FileName), Text(note));
}

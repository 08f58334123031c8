using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Descent.Cli.Experiments;

/// <summary>A value in an experiment file: a scalar (kept as written), a list of scalars, or a map of values.</summary>
public abstract record ExperimentValue
{
    /// <summary>A scalar, kept as its text (so <c>1e-3</c> stays <c>1e-3</c>).</summary>
    public sealed record Scalar(string Text) : ExperimentValue;

    /// <summary>A list.</summary>
    public sealed record List(IReadOnlyList<ExperimentValue> Items) : ExperimentValue;

    /// <summary>A map, in file order.</summary>
    public sealed record Map(IReadOnlyList<KeyValuePair<string, ExperimentValue>> Entries) : ExperimentValue;
}

/// <summary>
/// An experiment file: a YAML (<c>.yaml</c>, <c>.yml</c>) or JSON (<c>.json</c>) map whose keys are the options of
/// <c>descent train</c> or <c>descent compare</c> without their dashes (<c>batch-size</c> or <c>batch_size</c>),
/// plus an optional <c>command</c>. Lists give repeatable options (<c>optimizers: [sgd, adam]</c>,
/// <c>group: [...]</c>); maps give <c>key=value</c> settings (<c>set: {lr: 0.01}</c>; in a comparison
/// <c>set: {adam: {beta2: 0.99}}</c> gives <c>adam:beta2=0.99</c>).
/// </summary>
public sealed class ExperimentFile
{
    private ExperimentFile(string path, IReadOnlyList<KeyValuePair<string, ExperimentValue>> entries)
    {
        Path = path;
        Entries = entries;
    }

    /// <summary>Where it was read from.</summary>
    public string Path { get; }

    /// <summary>The top-level keys (normalized: lowercase, '-' for '_') and values, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, ExperimentValue>> Entries { get; }

    /// <summary>The <c>command</c> key, or null.</summary>
    public string? Command => Entries.FirstOrDefault(e => e.Key == "command").Value is ExperimentValue.Scalar s ? s.Text : null;

    /// <summary>Reads a YAML or JSON experiment file.</summary>
    /// <exception cref="DataFormatException">The file is missing, not YAML/JSON, not a map, or repeats a key.</exception>
    public static ExperimentFile Load(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException($"--config {path}: no such file.");
        string text = File.ReadAllText(path);
        bool json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{');
        var root = json ? FromJson(path, text) : FromYaml(path, text);
        if (root is not ExperimentValue.Map map)
            throw new DataFormatException($"{path}: an experiment file must be a map of option names to values, e.g. 'problem: fmnist_mlp'.");
        var seen = new HashSet<string>();
        var entries = new List<KeyValuePair<string, ExperimentValue>>();
        foreach (var (key, value) in map.Entries)
        {
            string k = Normalize(key);
            if (!seen.Add(k)) throw new DataFormatException($"{path}: the key '{k}' appears twice.");
            entries.Add(new(k, value));
        }
        return new ExperimentFile(path, entries);
    }

    /// <summary>An option name as a key: lowercase, without leading dashes, '_' as '-'.</summary>
    public static string Normalize(string key) => key.Trim().TrimStart('-').ToLowerInvariant().Replace('_', '-');

    private static ExperimentValue FromYaml(string path, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new DataFormatException($"{path}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        if (stream.Documents.Count == 0) return new ExperimentValue.Map([]);
        return Yaml(stream.Documents[0].RootNode, path);
    }

    private static ExperimentValue Yaml(YamlNode node, string path) => node switch
    {
        YamlScalarNode s => new ExperimentValue.Scalar(s.Value ?? ""),
        YamlSequenceNode seq => new ExperimentValue.List(seq.Children.Select(c => Yaml(c, path)).ToList()),
        YamlMappingNode m => new ExperimentValue.Map(m.Children.Select(kv =>
            new KeyValuePair<string, ExperimentValue>(kv.Key is YamlScalarNode k ? k.Value ?? "" : throw new DataFormatException($"{path}: keys must be plain names (line {kv.Key.Start.Line})."),
                Yaml(kv.Value, path))).ToList()),
        _ => throw new DataFormatException($"{path}: unsupported YAML node at line {node.Start.Line}."),
    };

    private static ExperimentValue FromJson(string path, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return Json(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{path}: not valid JSON ({e.Message}).");
        }
    }

    private static ExperimentValue Json(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new ExperimentValue.Map(e.EnumerateObject().Select(p => new KeyValuePair<string, ExperimentValue>(p.Name, Json(p.Value))).ToList()),
        JsonValueKind.Array => new ExperimentValue.List(e.EnumerateArray().Select(Json).ToList()),
        JsonValueKind.String => new ExperimentValue.Scalar(e.GetString()!),
        JsonValueKind.Null => new ExperimentValue.Scalar(""),
        _ => new ExperimentValue.Scalar(e.GetRawText()),
    };
}

namespace Descent.Data;

/// <summary>
/// Keeps the Fashion-MNIST sets a process has loaded (the bundled sample, and the last directory with the files'
/// sizes and times), so runs that follow each other — a comparison's dozens, a test suite's — decode the files
/// once instead of every time (seconds for the full set), and the last train/validation/test splits made from
/// them. The arrays are shared, as
/// <see cref="Dataset.FashionMnistTrain"/> already shares them; nothing in Descent writes to them.
/// </summary>
internal static class FashionMnistCache
{
    private static readonly Lock Gate = new();
    private static FashionMnistData? sample;
    private static (string Key, FashionMnistData Data)? last;
    private static (FashionMnistData Data, SplitOptions Options, DataSplits Splits)? lastSplits;

    /// <summary>The bundled sample, decoded once.</summary>
    public static FashionMnistData Sample()
    {
        lock (Gate) return sample ??= FashionMnist.LoadSample();
    }

    /// <summary>The set in <paramref name="directory"/>, decoded again only when its files change.</summary>
    public static FashionMnistData Directory(string directory)
    {
        string key = Key(directory);
        lock (Gate)
        {
            if (last is { } l && l.Key == key) return l.Data;
            var data = FashionMnist.LoadDirectory(directory);
            last = (key, data);
            return data;
        }
    }

    /// <summary>The splits of <paramref name="data"/> with <paramref name="options"/>, made by <paramref name="make"/>
    /// unless they are the last ones made.</summary>
    public static DataSplits Splits(FashionMnistData data, SplitOptions options, Func<DataSplits> make)
    {
        lock (Gate)
        {
            if (lastSplits is { } l && ReferenceEquals(l.Data, data) && l.Options == options) return l.Splits;
            var splits = make();
            lastSplits = (data, options, splits);
            return splits;
        }
    }

    private static string Key(string directory)
    {
        var full = Path.GetFullPath(directory);
        var files = System.IO.Directory.Exists(full) ? System.IO.Directory.GetFiles(full).Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        return full + "|" + string.Join("|", files.Select(f => { var i = new FileInfo(f); return $"{i.Name}:{i.Length}:{i.LastWriteTimeUtc.Ticks}"; }));
    }
}

namespace Descent.Data;

/// <summary>
/// Loads MNIST (LeCun et al. 1998), handwritten digits in the same four IDX files as
/// Fashion-MNIST. It is looked up in the explicit directory, then in <c>$DESCENT_DATA/mnist</c>
/// and <c>$DESCENT_DATA</c>; there is no system default and no bundled sample. Class names are
/// the digits "0" to "9".
/// </summary>
public static class Mnist
{
    private const string Dataset = "MNIST";

    /// <summary>The ten class names, the digits "0" to "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        Array.AsReadOnly(Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());

    /// <summary>Loads MNIST from <paramref name="dataDir"/> or, when it is null, from <c>$DESCENT_DATA</c>.</summary>
    /// <exception cref="DataFormatException">No directory holds the files, or a file is corrupt or inconsistent.</exception>
    public static FashionMnistData Load(string? dataDir = null) => Load(dataDir, null);

    /// <summary>Like <see cref="Load(string?)"/>, reading environment variables through <paramref name="environment"/>.</summary>
    /// <exception cref="DataFormatException">No directory holds the files, or a file is corrupt or inconsistent.</exception>
    public static FashionMnistData Load(string? dataDir, Func<string, string?>? environment)
    {
        string? directory = MnistFormat.Locate(Dataset, dataDir, environment ?? Environment.GetEnvironmentVariable,
            systemDirectory: null, "mnist", subdirectoryFirst: true);
        if (directory is null)
            throw new DataFormatException(
                $"MNIST not found: pass a data directory or set ${FashionMnist.EnvironmentVariable} to a directory holding {MnistFormat.ExpectedFilesText}");
        return MnistFormat.LoadDirectory(directory, Dataset, ClassNames);
    }
}

using System.Reflection;

namespace Descent.Data;

/// <summary>
/// Loads Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 60,000 training and 10,000 test grey
/// images of 28×28 pixels in ten clothing classes, from the four IDX files
/// <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c> (each raw or <c>.gz</c>). The directory is looked up in this
/// order: the explicit argument, then <c>$DESCENT_DATA</c> (or its <c>fashion-mnist</c>
/// subdirectory), then <see cref="SystemDirectory"/> (Debian's <c>dataset-fashion-mnist</c>
/// package). Where none holds it, a stratified sample bundled with Descent is used (6,000 training
/// and 1,000 test images, 600 and 100 per class) and <see cref="FashionMnistData.IsSample"/> says so.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the set.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The environment variable naming a directory with the data set.</summary>
    public const string EnvironmentVariable = "DESCENT_DATA";

    private const string Dataset = "Fashion-MNIST";
    private const string ResourcePrefix = "Descent.Data.Sample.";

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    });

    /// <summary>
    /// Loads Fashion-MNIST from <paramref name="dataDir"/>, <c>$DESCENT_DATA</c>, the system
    /// directory, or the bundled sample, in that order.
    /// </summary>
    /// <exception cref="DataFormatException">An explicit <paramref name="dataDir"/> lacks the files,
    /// or a file is corrupt or inconsistent. The message names the file or directory.</exception>
    public static FashionMnistData Load(string? dataDir = null) => Load(dataDir, null);

    /// <summary>
    /// Like <see cref="Load(string?)"/>, reading environment variables through
    /// <paramref name="environment"/> (default: the process environment), so callers and tests can
    /// supply <c>DESCENT_DATA</c> without changing process state.
    /// </summary>
    /// <exception cref="DataFormatException">An explicit <paramref name="dataDir"/> lacks the files,
    /// or a file is corrupt or inconsistent.</exception>
    public static FashionMnistData Load(string? dataDir, Func<string, string?>? environment) =>
        Load(dataDir, environment, SystemDirectory);

    /// <summary>
    /// The directory that holds the full set following the lookup order, or null when none does
    /// (then <see cref="Load(string?)"/> uses the bundled sample).
    /// </summary>
    /// <exception cref="DataFormatException">An explicit <paramref name="dataDir"/> lacks the files,
    /// or a candidate directory holds only some of them.</exception>
    public static string? LocateDirectory(string? dataDir = null, Func<string, string?>? environment = null) =>
        LocateDirectory(dataDir, environment, SystemDirectory);

    /// <summary>Loads the four files from <paramref name="directory"/> itself, with no lookup.</summary>
    /// <exception cref="DataFormatException">The directory lacks the files, or a file is corrupt or inconsistent.</exception>
    public static FashionMnistData LoadDirectory(string directory) =>
        MnistFormat.LoadDirectory(directory, Dataset, ClassNames);

    /// <summary>Loads the stratified sample embedded in the Descent assembly.</summary>
    public static FashionMnistData LoadSample()
    {
        var assembly = typeof(FashionMnist).Assembly;
        var arrays = new IdxArray[MnistFormat.FileNames.Length];
        var names = new string[arrays.Length];
        for (int i = 0; i < arrays.Length; i++)
        {
            string file = MnistFormat.FileNames[i] + ".gz";
            names[i] = "bundled sample " + file;
            using Stream stream = assembly.GetManifestResourceStream(ResourcePrefix + file)
                ?? throw new InvalidOperationException($"The Descent assembly lacks the resource {ResourcePrefix + file}.");
            arrays[i] = IdxReader.Read(stream, names[i]);
        }
        int train = arrays[1].Count, test = arrays[3].Count;
        string source = $"bundled sample ({train:N0} train / {test:N0} test images); "
            + $"install dataset-fashion-mnist or set --data-dir / ${EnvironmentVariable} for the full set";
        return MnistFormat.Assemble(arrays, names, ClassNames, isSample: true, source, Dataset, "bundled sample");
    }

    internal static FashionMnistData Load(string? dataDir, Func<string, string?>? environment, string? systemDirectory)
    {
        string? directory = LocateDirectory(dataDir, environment, systemDirectory);
        return directory is null ? FashionMnistCache.Sample() : FashionMnistCache.Directory(directory);
    }

    internal static string? LocateDirectory(string? dataDir, Func<string, string?>? environment, string? systemDirectory) =>
        MnistFormat.Locate(Dataset, dataDir, environment ?? Environment.GetEnvironmentVariable, systemDirectory,
            "fashion-mnist", subdirectoryFirst: false);
}

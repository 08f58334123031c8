using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Numerics.Tensors;

namespace Descent.Data;

/// <summary>
/// What MNIST and Fashion-MNIST share: the four IDX file names, finding a directory that holds
/// them, and turning the files into a checked <see cref="FashionMnistData"/>.
/// </summary>
internal static class MnistFormat
{
    /// <summary>The four file names (without the optional <c>.gz</c>): train images, train labels, test images, test labels.</summary>
    public static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The expected files as a readable list for error messages.</summary>
    public static string ExpectedFilesText => string.Join(", ", FileNames.Select(f => f + "(.gz)"));

    /// <summary>
    /// The paths of the four files in <paramref name="directory"/> (each raw or <c>.gz</c>, raw
    /// preferred), or null when none of them is there. A directory holding some but not all of
    /// them is an error: it is clearly meant to hold the set.
    /// </summary>
    public static string[]? FindFiles(string directory, string dataset)
    {
        if (!Directory.Exists(directory)) return null;
        var paths = new string[FileNames.Length];
        var missing = new List<string>();
        for (int i = 0; i < FileNames.Length; i++)
        {
            string raw = Path.Combine(directory, FileNames[i]);
            string gz = raw + ".gz";
            paths[i] = File.Exists(raw) ? raw : File.Exists(gz) ? gz : "";
            if (paths[i].Length == 0) missing.Add(FileNames[i] + "(.gz)");
        }
        if (missing.Count == FileNames.Length) return null;
        if (missing.Count > 0)
            throw new DataFormatException($"{directory}: incomplete {dataset} directory: missing {string.Join(", ", missing)}");
        return paths;
    }

    /// <summary>
    /// Finds the directory holding the set: the explicit <paramref name="dataDir"/> (an error if it
    /// lacks the files), then <c>$DESCENT_DATA</c>, then <paramref name="systemDirectory"/>; each
    /// candidate is tried as is and with <paramref name="subdirectory"/> appended
    /// (<paramref name="subdirectoryFirst"/> says which comes first). Null when none holds it.
    /// </summary>
    public static string? Locate(string dataset, string? dataDir, Func<string, string?> environment,
        string? systemDirectory, string subdirectory, bool subdirectoryFirst)
    {
        if (!string.IsNullOrEmpty(dataDir))
        {
            string? found = Probe(dataDir, dataset, subdirectory, subdirectoryFirst);
            if (found is not null) return found;
            string why = Directory.Exists(dataDir) ? "does not contain" : "does not exist; expected it to contain";
            throw new DataFormatException($"{dataDir}: data directory {why} the {dataset} files {ExpectedFilesText}");
        }
        string? env = environment("DESCENT_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            string? found = Probe(env, dataset, subdirectory, subdirectoryFirst);
            if (found is not null) return found;
        }
        return systemDirectory is null ? null : Probe(systemDirectory, dataset, subdirectory, subdirectoryFirst);
    }

    private static string? Probe(string root, string dataset, string subdirectory, bool subdirectoryFirst)
    {
        string sub = Path.Combine(root, subdirectory);
        string[] order = subdirectoryFirst ? [sub, root] : [root, sub];
        foreach (string dir in order)
            if (FindFiles(dir, dataset) is not null) return dir;
        return null;
    }

    /// <summary>Reads the four files of <paramref name="directory"/> and checks them.</summary>
    public static FashionMnistData LoadDirectory(string directory, string dataset, IReadOnlyList<string> classNames)
    {
        string[] paths = FindFiles(directory, dataset)
            ?? throw new DataFormatException($"{directory}: data directory does not contain the {dataset} files {ExpectedFilesText}");
        var arrays = new IdxArray[paths.Length];
        var errors = new Exception?[paths.Length];
        Parallel.For(0, paths.Length, i =>
        {
            try { arrays[i] = IdxReader.Read(paths[i]); }
            catch (Exception e) { errors[i] = e; }
        });
        // Report the first failing file in file order, whatever order the threads finished in.
        if (errors.FirstOrDefault(e => e is not null) is Exception error) ExceptionDispatchInfo.Throw(error);
        return Assemble(arrays, paths, classNames, isSample: false, source: null, dataset, directory);
    }

    /// <summary>
    /// Checks the four arrays (images N×28×28, labels N, the same N in each pair, labels below 10)
    /// and converts the images to floats in [0, 1]. <paramref name="names"/> name the files in errors.
    /// </summary>
    public static FashionMnistData Assemble(IdxArray[] arrays, string[] names, IReadOnlyList<string> classNames,
        bool isSample, string? source, string dataset, string location)
    {
        var (trainImages, trainLabels) = CheckPair(arrays[0], names[0], arrays[1], names[1]);
        var (testImages, testLabels) = CheckPair(arrays[2], names[2], arrays[3], names[3]);
        source ??= string.Format(CultureInfo.InvariantCulture, "{0} from {1} ({2:N0} train / {3:N0} test images)",
            dataset, location, trainLabels.Length, testLabels.Length);
        return new FashionMnistData
        {
            TrainImages = trainImages, TrainLabels = trainLabels, TestImages = testImages, TestLabels = testLabels,
            ClassNames = classNames, Source = source, IsSample = isSample,
        };
    }

    private static (float[] Images, byte[] Labels) CheckPair(IdxArray images, string imagesName, IdxArray labels, string labelsName)
    {
        int[] d = images.Dimensions;
        if (d.Length != 3 || d[1] != FashionMnistData.ImageHeight || d[2] != FashionMnistData.ImageWidth)
            throw new DataFormatException($"{imagesName}: expected images of dimensions N×28×28, found {images.ShapeText}");
        if (labels.Dimensions.Length != 1)
            throw new DataFormatException($"{labelsName}: expected labels of dimension N, found {labels.ShapeText}");
        if (labels.Count != images.Count)
            throw new DataFormatException(
                $"{labelsName}: holds {labels.Count} labels but {imagesName} holds {images.Count} images");
        byte[] y = labels.Data;
        int bad = y.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)(FashionMnistData.ClassCount - 1));
        if (bad >= 0)
            throw new DataFormatException(
                $"{labelsName}: label {y[bad]} at index {bad} is out of range (classes are 0 to {FashionMnistData.ClassCount - 1})");
        return (ToUnitFloats(images.Data), y);
    }

    /// <summary>Pixels 0..255 to floats <c>p / 255</c>.</summary>
    public static float[] ToUnitFloats(byte[] pixels)
    {
        var result = new float[pixels.Length];
        TensorPrimitives.ConvertTruncating<byte, float>(pixels, result);
        TensorPrimitives.Divide(result, 255f, result);
        return result;
    }
}

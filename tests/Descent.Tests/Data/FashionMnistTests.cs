using Descent.Data;

namespace Descent.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private static readonly string[] Files =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private readonly string root = Directory.CreateTempSubdirectory("descent-fmnist-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static Func<string, string?> Env(string? descentData) => name => name == "DESCENT_DATA" ? descentData : null;

    /// <summary>Writes a small fake set (labels i mod 10, pixel j of image i = (i + j) mod 256).</summary>
    private string WriteSet(string name, int train = 20, int test = 10, bool compress = true)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        foreach (var (prefix, n, i) in new[] { ("train", train, 0), ("t10k", test, 2) })
        {
            var pixels = new byte[n * 784];
            for (int k = 0; k < pixels.Length; k++) pixels[k] = (byte)(k / 784 + k % 784);
            var labels = Enumerable.Range(0, n).Select(k => (byte)(k % 10)).ToArray();
            string ext = compress ? ".gz" : "";
            IdxWriter.Write(Path.Combine(dir, Files[i] + ext), new IdxArray([n, 28, 28], pixels), compress);
            IdxWriter.Write(Path.Combine(dir, Files[i + 1] + ext), new IdxArray([n], labels), compress);
        }
        return dir;
    }

    private static void Replace(string dir, int file, IdxArray array) =>
        IdxWriter.Write(Path.Combine(dir, Files[file] + ".gz"), array, compress: true);

    private static int[] PerClass(byte[] labels)
    {
        var counts = new int[10];
        foreach (byte y in labels) counts[y]++;
        return counts;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ExplicitDirectoryLoads(bool compress)
    {
        string dir = WriteSet("set", compress: compress);
        var data = FashionMnist.Load(dir, Env(null), systemDirectory: null);
        Assert.False(data.IsSample);
        Assert.Equal((20, 10), (data.TrainCount, data.TestCount));
        Assert.Equal(20 * 784, data.TrainImages.Length);
        Assert.Equal(10 * 784, data.TestImages.Length);
        Assert.Equal(3 / 255f, data.TrainImage(3)[0]);
        Assert.Equal(1f, data.TrainImage(1)[254]);
        Assert.Equal(0f, data.TrainImage(1)[255]);
        Assert.Equal(7, data.TestLabels[7]);
        Assert.Contains(dir, data.Source);
        Assert.Equal("Ankle boot", data.ClassNames[9]);
    }

    [Fact]
    public void ExplicitDirectoryWithoutFilesIsAnError()
    {
        string empty = Path.Combine(root, "empty");
        Directory.CreateDirectory(empty);
        foreach (string dir in new[] { empty, Path.Combine(root, "nowhere") })
        {
            var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(dir, Env(WriteSet("env"))));
            Assert.Contains(dir, e.Message);
            Assert.Contains("train-images-idx3-ubyte", e.Message);
            Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        }
    }

    [Fact]
    public void IncompleteDirectoryNamesTheMissingFiles()
    {
        string dir = WriteSet("partial");
        File.Delete(Path.Combine(dir, Files[3] + ".gz"));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LocateDirectory(dir, Env(null)));
        Assert.Contains("missing t10k-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void DescentDataIsUsedWithoutAnArgument()
    {
        string dir = WriteSet("env");
        Assert.Equal(dir, FashionMnist.LocateDirectory(null, Env(dir), systemDirectory: null));
        Assert.Null(FashionMnist.LocateDirectory(null, Env(root), systemDirectory: null));
        string sub = WriteSet("fashion-mnist");
        Assert.Equal(sub, FashionMnist.LocateDirectory(null, Env(root), systemDirectory: null));
        var data = FashionMnist.Load(null, Env(dir), systemDirectory: null);
        Assert.False(data.IsSample);
        Assert.Equal(20, data.TrainCount);
    }

    [Fact]
    public void ArgumentComesBeforeDescentDataAndDescentDataBeforeSystem()
    {
        string arg = WriteSet("arg"), env = WriteSet("env"), sys = WriteSet("sys");
        Assert.Equal(arg, FashionMnist.LocateDirectory(arg, Env(env), sys));
        Assert.Equal(env, FashionMnist.LocateDirectory(null, Env(env), sys));
        Assert.Equal(sys, FashionMnist.LocateDirectory(null, Env(Path.Combine(root, "none")), sys));
        Assert.Null(FashionMnist.LocateDirectory(null, Env(null), Path.Combine(root, "none")));
    }

    [Fact]
    public void NothingFoundFallsBackToTheSample()
    {
        var data = FashionMnist.Load(null, Env(Path.Combine(root, "none")), systemDirectory: null);
        Assert.True(data.IsSample);
        Assert.StartsWith("bundled sample (6,000 train / 1,000 test images)", data.Source);
    }

    [Fact]
    public void BundledSampleIsStratified()
    {
        var data = FashionMnist.LoadSample();
        Assert.True(data.IsSample);
        Assert.Equal((6000, 1000), (data.TrainCount, data.TestCount));
        Assert.Equal(6000 * 784, data.TrainImages.Length);
        Assert.Equal(1000 * 784, data.TestImages.Length);
        Assert.All(PerClass(data.TrainLabels), c => Assert.Equal(600, c));
        Assert.All(PerClass(data.TestLabels), c => Assert.Equal(100, c));
        Assert.All(data.TestImages, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(1f, data.TrainImages.Max());
        Assert.Equal(10, data.ClassNames.Count);
    }

    [Fact]
    public void FullSetLoadsWhenInstalledElseTheSample()
    {
        bool installed = Files.All(f => File.Exists(Path.Combine(FashionMnist.SystemDirectory, f + ".gz"))
            || File.Exists(Path.Combine(FashionMnist.SystemDirectory, f)));
        var data = FashionMnist.Load(null, Env(null));
        Assert.Equal(!installed, data.IsSample);
        if (!installed)
        {
            Assert.Equal((6000, 1000), (data.TrainCount, data.TestCount));
            return;
        }
        Assert.Equal((60000, 10000), (data.TrainCount, data.TestCount));
        Assert.All(PerClass(data.TrainLabels), c => Assert.Equal(6000, c));
        Assert.Contains(FashionMnist.SystemDirectory, data.Source);
        // Every sample image is an image of the full set with the same label.
        var full = new Dictionary<string, byte>();
        for (int i = 0; i < data.TestCount; i++) full.TryAdd(Convert.ToBase64String(Bytes(data.TestImage(i))), data.TestLabels[i]);
        var sample = FashionMnist.LoadSample();
        for (int i = 0; i < sample.TestCount; i++)
            Assert.Equal(sample.TestLabels[i], full[Convert.ToBase64String(Bytes(sample.TestImage(i)))]);
    }

    private static byte[] Bytes(ReadOnlySpan<float> pixels) => pixels.ToArray().Select(p => (byte)MathF.Round(p * 255)).ToArray();

    [Fact]
    public void LabelCountDisagreeingWithImageCountIsAnError()
    {
        string dir = WriteSet("mismatch");
        Replace(dir, 1, new IdxArray([19], new byte[19]));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadDirectory(dir));
        Assert.Contains("train-labels-idx1-ubyte.gz: holds 19 labels", e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz holds 20 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsAnError()
    {
        string dir = WriteSet("label11");
        var labels = new byte[10];
        labels[4] = 11;
        Replace(dir, 3, new IdxArray([10], labels));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadDirectory(dir));
        Assert.Contains("t10k-labels-idx1-ubyte.gz: label 11 at index 4 is out of range", e.Message);
    }

    [Fact]
    public void WrongImageSizeIsAnError()
    {
        string dir = WriteSet("size");
        Replace(dir, 2, new IdxArray([10, 32, 32], new byte[10 * 32 * 32]));
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadDirectory(dir));
        Assert.Contains("t10k-images-idx3-ubyte.gz: expected images of dimensions N×28×28, found 10×32×32", e.Message);
    }

    [Fact]
    public void CorruptFileInTheSetIsNamed()
    {
        string dir = WriteSet("corrupt");
        File.WriteAllBytes(Path.Combine(dir, Files[0] + ".gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF]);
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadDirectory(dir));
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void MnistUsesTheSameFilesAndNoDefault()
    {
        string dir = WriteSet("mnist");
        var data = Mnist.Load(null, Env(root));
        Assert.Contains(dir, data.Source);
        Assert.Equal("7", data.ClassNames[7]);
        Assert.Equal(20, Mnist.Load(dir, Env(null)).TrainCount);
        var e = Assert.Throws<DataFormatException>(() => Mnist.Load(null, Env(null)));
        Assert.Contains("MNIST not found", e.Message);
    }
}

using Descent.Tensors;
using Descent.Training;

namespace Descent.Tests.Training;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static List<(string, Tensor)> Weights(float value) => [("w", Tensor.Full(new Shape(64, 64), value))];

    [Fact]
    public void Write_CreatesThenReplacesAndLeavesNoTemporaryFile()
    {
        string path = dir.File("f.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        AtomicFile.Write(path, s => s.Write([9]));
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriterThrowingHalfWay_LeavesThePreviousCheckpointAndNoTemporaryFile()
    {
        string path = dir.File("checkpoint.safetensors");
        Safetensors.Write(path, Weights(1f));
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            Safetensors.Write(s, Weights(2f));
            s.SetLength(s.Length / 2);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("disk full (simulated)", e.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Empty(AtomicFile.StaleTemporaries(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.Equal(1f, Safetensors.Read(path).Tensors["w"].Floats[0]);
    }

    [Fact]
    public void KilledBeforeTheRename_PreviousCheckpointStillReads()
    {
        string path = dir.File("checkpoint.safetensors");
        Safetensors.Write(path, Weights(1f));

        // A process killed mid-write leaves a partial temporary file and never renames it.
        var ms = new MemoryStream();
        Safetensors.Write(ms, Weights(2f));
        string temp = path + AtomicFile.TemporaryInfix + "0123456789ab";
        File.WriteAllBytes(temp, ms.ToArray()[..(int)(ms.Length / 2)]);

        var (t, _) = Safetensors.Read(path);
        Assert.All(t["w"].Floats.ToArray(), v => Assert.Equal(1f, v));
        Assert.Throws<DataFormatException>(() => Safetensors.Read(temp));
        Assert.Equal([temp], AtomicFile.StaleTemporaries(path));

        Assert.Equal(1, AtomicFile.DeleteStaleTemporaries(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void MissingDirectory_ThrowsAndCreatesNothing()
    {
        string path = Path.Combine(dir.Path, "no-such-dir", "f.bin");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, s => s.Write([1])));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void FailedSafetensorsWrite_KeepsThePreviousFile()
    {
        string path = dir.File("checkpoint.safetensors");
        Safetensors.Write(path, Weights(1f));
        var t = Tensor.Zeros(new Shape(1));
        Assert.Throws<ArgumentException>(() => Safetensors.Write(path, [("x", t), ("x", t)]));
        Assert.Equal(1f, Safetensors.Read(path).Tensors["w"].Floats[0]);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using Descent.Data;

namespace Descent.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("descent-idx-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    /// <summary>An IDX header (magic, type, ndims, big-endian dims) followed by <paramref name="data"/>.</summary>
    internal static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return memory.ToArray();
    }

    private DataFormatException ReadFails(string name, byte[] content)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrittenArrayReadsBack(bool compress)
    {
        var data = Enumerable.Range(0, 3 * 4 * 5).Select(i => (byte)(i * 7)).ToArray();
        var array = new IdxArray([3, 4, 5], data);
        string path = PathOf("a.idx");
        IdxWriter.Write(path, array, compress);
        Assert.Equal(compress, File.ReadAllBytes(path)[0] == 0x1f);
        var read = IdxReader.Read(path);
        Assert.Equal([3, 4, 5], read.Dimensions);
        Assert.Equal(data, read.Data);
        Assert.Equal(3, read.Count);
        Assert.Equal(20, read.ItemLength);
    }

    [Fact]
    public void CompressionIsDetectedByContentNotName()
    {
        var array = new IdxArray([4], [1, 2, 3, 4]);
        IdxWriter.Write(PathOf("raw.gz"), array, compress: false);
        IdxWriter.Write(PathOf("packed.idx"), array, compress: true);
        Assert.Equal(array.Data, IdxReader.Read(PathOf("raw.gz")).Data);
        Assert.Equal(array.Data, IdxReader.Read(PathOf("packed.idx")).Data);
    }

    [Fact]
    public void LargeGzipArrayReadsBackAcrossChunks()
    {
        var data = new byte[10_000_003];
        new Random(1).NextBytes(data);
        IdxWriter.Write(PathOf("big.gz"), new IdxArray([data.Length], data), compress: true);
        Assert.Equal(data, IdxReader.Read(PathOf("big.gz")).Data);
    }

    [Fact]
    public void WrongMagicIsRejected() =>
        Assert.Contains("wrong magic number 0x12340801", ReadFails("bad-magic", [0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]).Message);

    [Fact]
    public void UnsupportedTypeIsRejected() =>
        Assert.Contains("unsupported IDX data type 0x0D (float32)", ReadFails("floats", Idx(0x0D, [1], [0, 0, 0, 0])).Message);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void BadDimensionCountIsRejected(int ndims) =>
        Assert.Contains($"invalid number of dimensions {ndims}", ReadFails("ndims", [0, 0, 8, (byte)ndims, 0, 0, 0, 1, 7]).Message);

    [Fact]
    public void NegativeDimensionIsRejected() =>
        Assert.Contains("dimension 1 is negative (-5)", ReadFails("negative", Idx(0x08, [2, -5], [])).Message);

    [Fact]
    public void HugeDimensionsAreRejected() =>
        Assert.Contains("describe more than", ReadFails("huge", Idx(0x08, [1 << 30, 1 << 30, 4], [])).Message);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ShortDataIsTruncated(bool compress)
    {
        var content = Idx(0x08, [60000, 28, 28], new byte[1000]);
        var e = ReadFails("short", compress ? Gzip(content) : content);
        Assert.EndsWith("truncated: expected 47040000 bytes of data, found 1000", e.Message);
    }

    [Fact]
    public void GiantHeaderInSmallGzipFileIsTruncatedNotAllocated()
    {
        var e = ReadFails("giant.gz", Gzip(Idx(0x08, [2_000_000_000], new byte[10])));
        Assert.EndsWith("truncated: expected 2000000000 bytes of data, found 10", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsRejected() =>
        Assert.Contains("truncated header", ReadFails("head", [0, 0, 8, 3, 0, 0]).Message);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingGarbageIsRejected(bool compress)
    {
        var content = Idx(0x08, [2, 2], [1, 2, 3, 4, 99, 98, 97]);
        var e = ReadFails("trailing", compress ? Gzip(content) : content);
        Assert.Contains("trailing garbage: 3 bytes after the 4 bytes of data", e.Message);
    }

    [Fact]
    public void CorruptGzipIsRejected()
    {
        var gz = Gzip(Idx(0x08, [100], new byte[100]));
        for (int i = 10; i < gz.Length - 8; i++) gz[i] = 0xFF;
        Assert.Contains("corrupt gzip stream", ReadFails("corrupt.gz", gz).Message);
    }

    [Fact]
    public void CutGzipIsRejected()
    {
        var data = new byte[50_000];
        new Random(2).NextBytes(data);
        var gz = Gzip(Idx(0x08, [data.Length], data));
        ReadFails("cut.gz", gz[..(gz.Length / 2)]);
    }

    [Fact]
    public void EmptyAndMissingFilesAreRejected()
    {
        Assert.Contains("empty", ReadFails("empty", []).Message);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(PathOf("absent")));
        Assert.Contains("absent", e.Message);
    }

    [Fact]
    public void StreamsAreReadWithTheGivenName()
    {
        using var stream = new MemoryStream(Gzip(Idx(0x08, [2], [5, 6])));
        Assert.Equal([5, 6], IdxReader.Read(stream, "memory").Data);
        using var bad = new MemoryStream([1, 2, 3, 4]);
        Assert.StartsWith("memory:", Assert.Throws<DataFormatException>(() => IdxReader.Read(bad, "memory")).Message);
    }

    // Regression tests for what the fuzz campaign (Fuzz/FuzzTests.cs) found in the gzip path: .NET's GZipStream
    // stops quietly at the end of its input and ignores bytes after a member, so the trailer is checked here.

    [Fact]
    public void Gzip_TruncatedInItsTrailer_IsRefused()
    {
        var gz = Gzip(Idx(0x08, [4, 5], new byte[20]));
        for (int cut = 1; cut <= 8; cut++)
            Assert.Contains("gzip trailer", ReadFails($"cut{cut}.gz", gz[..^cut]).Message);
    }

    [Fact]
    public void Gzip_WithBytesAfterItsEnd_IsRefused()
    {
        var gz = Gzip(Idx(0x08, [4, 5], new byte[20]));
        Assert.Contains("gzip trailer", ReadFails("junk.gz", [.. gz, 1, 2, 3]).Message);
        Assert.Contains("gzip trailer", ReadFails("zeros.gz", [.. gz, 0, 0, 0, 0]).Message);
    }

    [Fact]
    public void Gzip_ClaimingHugeDimensions_AllocatesWhatItHolds()
    {
        // 60000×28×28 claimed (47 MB) in a file of a few dozen bytes: the reader must stop at the data actually present.
        var gz = Gzip(Idx(0x08, [60000, 28, 28], new byte[100]));
        string path = PathOf("huge.gz");
        File.WriteAllBytes(path, gz);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("truncated", e.Message);
        Assert.InRange(allocated, 0, 1 << 20);
    }
}

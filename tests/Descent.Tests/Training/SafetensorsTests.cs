using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Tests.Training;

public sealed class SafetensorsTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static Tensor Floats(int[] shape, float start)
    {
        var t = Tensor.Zeros(new Shape(shape));
        for (int i = 0; i < t.Size; i++) t.Floats[i] = start + i * 0.37f;
        return t;
    }

    private static Tensor Doubles(int[] shape, double start)
    {
        var t = Tensor.Zeros(new Shape(shape), DType.Float64);
        for (int i = 0; i < t.Size; i++) t.Doubles[i] = start - i / 3.0;
        return t;
    }

    private static void AssertSame(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        if (expected.DType == DType.Float32)
            Assert.Equal(expected.Floats.ToArray().Select(BitConverter.SingleToInt32Bits), actual.Floats.ToArray().Select(BitConverter.SingleToInt32Bits));
        else
            Assert.Equal(expected.Doubles.ToArray().Select(BitConverter.DoubleToInt64Bits), actual.Doubles.ToArray().Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void RoundTrip_KeepsOrderShapesValuesAndMetadata()
    {
        var special = Tensor.From(new[] { float.NaN, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue }, 6);
        var tensors = new List<(string, Tensor)>
        {
            ("z.first", Floats([2, 3], 1f)),
            ("scalar", Tensor.Scalar(2.5)),
            ("double scalar", Doubles([], Math.E)),
            ("empty", Tensor.Zeros(new Shape(0))),
            ("empty2d", Tensor.Zeros(new Shape(0, 3), DType.Float64)),
            ("rank4", Doubles([2, 1, 3, 2], -4)),
            ("odd/name \"quoted\" Δθ", Floats([5], -1f)),
            ("special", special),
        };
        var metadata = new Dictionary<string, string>
        {
            ["step"] = "1200",
            ["json"] = "{\"lr\": 0.1, \"rng\": [1, 2]}",
            ["unicode \n key"] = "∇f → 0\t\"done\"",
        };
        string path = dir.File("a.safetensors");
        Safetensors.Write(path, tensors, metadata);
        var (read, meta) = Safetensors.Read(path);

        Assert.Equal(tensors.Select(t => t.Item1), read.Keys);
        foreach (var (name, t) in tensors) AssertSame(t, read[name]);
        Assert.Equal(metadata, meta);
    }

    [Fact]
    public void RoundTrip_NoTensorsNoMetadata()
    {
        string path = dir.File("empty.safetensors");
        Safetensors.Write(path, [], null, checksums: false);
        var (read, meta) = Safetensors.Read(path);
        Assert.Empty(read);
        Assert.Empty(meta);
        // As in the reference implementation: "{}" padded with spaces to 8 bytes (without Descent's checksums).
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void WrittenFile_FollowsTheSpecLayout()
    {
        var w = Tensor.From(new[] { 1.5f, -2f, 0.25f }, 3);
        var d = Tensor.From(new[] { 1.0, -0.5 }, 2, 1);
        string path = dir.File("layout.safetensors");
        Safetensors.Write(path, [("w", w), ("d", d)], new Dictionary<string, string> { ["k"] = "v" });
        byte[] bytes = File.ReadAllBytes(path);

        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", header);
        string json = header.TrimEnd(' ');
        Assert.EndsWith("}", json);
        Assert.InRange(header.Length - json.Length, 0, 7);
        using var doc = JsonDocument.Parse(header);
        var root = doc.RootElement;
        Assert.Equal(["__metadata__", "w", "d"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("v", root.GetProperty("__metadata__").GetProperty("k").GetString());
        Assert.Equal("F32", root.GetProperty("w").GetProperty("dtype").GetString());
        Assert.Equal("F64", root.GetProperty("d").GetProperty("dtype").GetString());
        Assert.Equal([2, 1], root.GetProperty("d").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));

        // Float64 data first (aligned to 8), then float32; contiguous and covering the data area.
        long[] DOff(string name) => root.GetProperty(name).GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal([0L, 16L], DOff("d"));
        Assert.Equal([16L, 28L], DOff("w"));
        Assert.Equal(8 + n + 28, bytes.Length);
        var data = bytes.AsSpan(8 + (int)n);
        Assert.Equal(1.0, BinaryPrimitives.ReadDoubleLittleEndian(data));
        Assert.Equal(-0.5, BinaryPrimitives.ReadDoubleLittleEndian(data[8..]));
        Assert.Equal(new byte[] { 0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0x80, 0x3E }, data[16..].ToArray());
    }

    [Fact]
    public void ReadsTheReferenceFileWrittenByPython()
    {
        // tests/Descent.Tests/Training/Data/reference.safetensors, from tools/safetensors_check.py
        // (struct + json, independently of Descent's writer). The header lists tensors by name with
        // the metadata last; the data holds float64 tensors first; non-ASCII metadata is \u-escaped.
        var (t, meta) = Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "Training", "Data", "reference.safetensors"));
        Assert.Equal(["empty", "layer.bias", "layer.weight", "moments", "scale"], t.Keys);

        Assert.Equal(new Shape(2, 3), t["layer.weight"].Shape);
        Assert.Equal(DType.Float32, t["layer.weight"].DType);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => i * 0.25f - 0.5f), t["layer.weight"].Floats.ToArray());
        Assert.Equal([1.5f, -2f, 0.1f], t["layer.bias"].Floats.ToArray());
        Assert.Equal(new Shape(0, 4), t["empty"].Shape);
        Assert.Equal(0, t["empty"].Size);
        Assert.Equal(0, t["scale"].Rank);
        Assert.Equal(DType.Float64, t["scale"].DType);
        Assert.Equal(Math.PI, t["scale"].Item());
        Assert.Equal(new Shape(2, 2, 2), t["moments"].Shape);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => 1.0 / (i + 1)), t["moments"].Doubles.ToArray());

        Assert.Equal(3, meta.Count);
        Assert.Equal("pt", meta["format"]);
        Assert.Equal("Δθ → ∇f", meta["unicode"]);
    }

    [Fact]
    public void LargeRoundTrip_StreamsWithoutCopyingTheData()
    {
        const int n = 10_000_000;
        var big = new float[n];
        for (int i = 0; i < n; i++) big[i] = i * 1e-3f;
        var tensors = new List<(string, Tensor)> { ("big", Tensor.Wrap(big, 1000, 10_000)), ("small", Tensor.From(new[] { 1.0, 2.0 }, 2)) };
        string path = dir.File("big.safetensors");
        long dataBytes = 4L * n;

        long start = GC.GetAllocatedBytesForCurrentThread();
        Safetensors.Write(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        long afterWrite = GC.GetAllocatedBytesForCurrentThread();
        var (read, _) = Safetensors.Read(path);
        long afterRead = GC.GetAllocatedBytesForCurrentThread();

        Assert.True(afterWrite - start < 1 << 20, $"writing allocated {afterWrite - start} bytes");
        Assert.True(afterRead - start < 2 * dataBytes, $"the round trip allocated {afterRead - start} bytes for {dataBytes} bytes of data");
        Assert.InRange(new FileInfo(path).Length, 8 + dataBytes + 16, 8 + dataBytes + 16 + 512);
        Assert.True(read["big"].Floats.SequenceEqual(big));
        Assert.Equal([1.0, 2.0], read["small"].Doubles.ToArray());
    }

    [Fact]
    public void Write_RejectsBadNames()
    {
        var t = Tensor.Zeros(new Shape(2));
        string path = dir.File("bad.safetensors");
        Assert.Throws<ArgumentException>(() => Safetensors.Write(path, [("a", t), ("a", t)]));
        Assert.Throws<ArgumentException>(() => Safetensors.Write(path, [("__metadata__", t)]));
        Assert.Throws<ArgumentException>(() => Safetensors.Write(path, [("", t)]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Read_MissingFile_IsADataFormatErrorNamingIt()
    {
        string path = dir.File("missing.safetensors");
        var e = Assert.Throws<DataFormatException>(() => Safetensors.Read(path));
        Assert.Contains(path, e.Message);
    }
}

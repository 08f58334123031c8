using System.Buffers.Binary;
using System.Text;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>Corrupt files, made by editing the bytes of a good one, must each give a
/// <see cref="DataFormatException"/> that names the file and the problem — never another exception.</summary>
public sealed class SafetensorsCorruptionTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    // Header of the good file: {"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[16,40]},
    // "b":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}} padded with spaces; data area 40 bytes. It has no
    // checksums: these tests are about the format's own checks (SafetensorsChecksumTests covers the checksums).
    private static byte[] Good()
    {
        var ms = new MemoryStream();
        Safetensors.Write(ms,
            [("a", Tensor.From(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 2, 3)), ("b", Tensor.From(new[] { -1.0, 0.5 }, 2))],
            new Dictionary<string, string> { ["k"] = "v" }, checksums: false);
        return ms.ToArray();
    }

    private static int HeaderLength(byte[] file) => (int)BinaryPrimitives.ReadUInt64LittleEndian(file);

    /// <summary>The good file with its header text edited (the size prefix follows) and extra data appended.</summary>
    private static byte[] EditHeader(string from, string to, int appendBytes = 0)
    {
        var good = Good();
        int n = HeaderLength(good);
        string header = Encoding.UTF8.GetString(good, 8, n);
        Assert.Contains(from, header);
        var edited = Encoding.UTF8.GetBytes(header.Replace(from, to));
        var result = new byte[8 + edited.Length + good.Length - 8 - n + appendBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)edited.Length);
        edited.CopyTo(result, 8);
        good.AsSpan(8 + n).CopyTo(result.AsSpan(8 + edited.Length));
        return result;
    }

    private static byte[] EditBytes(Action<byte[]> edit)
    {
        var b = Good();
        edit(b);
        return b;
    }

    private static byte[] Corrupt(string kind) => kind switch
    {
        "empty file" => [],
        "5-byte file" => Good()[..5],
        "header size beyond the file" => EditBytes(b => BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)b.Length)),
        "absurd header size" => EditBytes(b => BinaryPrimitives.WriteUInt64LittleEndian(b, ulong.MaxValue)),
        "header size 200 MB" => EditBytes(b => BinaryPrimitives.WriteUInt64LittleEndian(b, 200_000_000)),
        "header size too small" => EditBytes(b => BinaryPrimitives.WriteUInt64LittleEndian(b, 10)),
        "invalid UTF-8" => EditBytes(b => b[Encoding.UTF8.GetString(b, 8, HeaderLength(b)).IndexOf("\"k\"", StringComparison.Ordinal) + 9] = 0xFF),
        "invalid JSON" => EditHeader("\"a\":{", "\"a\"{"),
        "header not an object" => EditHeader(Encoding.UTF8.GetString(Good(), 8, HeaderLength(Good())), "[1, 2]"),
        "missing dtype" => EditHeader("\"dtype\":\"F32\",", ""),
        "missing shape" => EditHeader("\"shape\":[2,3],", ""),
        "missing data_offsets" => EditHeader(",\"data_offsets\":[16,40]", ""),
        "unknown dtype" => EditHeader("\"F32\"", "\"Q99\""),
        "unsupported dtype" => EditHeader("\"F32\"", "\"F16\""),
        "dtype not a string" => EditHeader("\"F32\"", "32"),
        "shape does not match the offsets" => EditHeader("[2,3]", "[2,4]"),
        "negative dimension" => EditHeader("[2,3]", "[-2,3]"),
        "fractional dimension" => EditHeader("[2,3]", "[2.5,3]"),
        "dimension beyond int" => EditHeader("[2,3]", "[99999999999,3]"),
        "too many elements" => EditHeader("[2,3]", "[65536,65536]"),
        "offsets outside the data" => EditHeader("[16,40]", "[16,48]"),
        "offsets reversed" => EditHeader("[16,40]", "[40,16]"),
        "offsets not a pair" => EditHeader("[16,40]", "[16]"),
        "offsets not numbers" => EditHeader("[16,40]", "[\"16\",\"40\"]"),
        "negative offset" => EditHeader("[16,40]", "[-16,40]"),
        "overlapping tensors" => EditHeader("[16,40]", "[8,32]"),
        "hole between tensors" => EditHeader("[16,40]", "[24,48]", appendBytes: 8),
        "duplicate names" => EditHeader("\"b\":", "\"a\":"),
        "tensor not an object" => EditHeader("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}", "5"),
        "metadata value not a string" => EditHeader("\"k\":\"v\"", "\"k\":1"),
        "metadata not an object" => EditHeader("{\"k\":\"v\"}", "[\"v\"]"),
        "trailing bytes" => [.. Good(), 1, 2, 3, 4],
        "truncated data" => Good()[..^4],
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [InlineData("empty file", "too short")]
    [InlineData("5-byte file", "too short")]
    [InlineData("header size beyond the file", "larger than the")]
    [InlineData("absurd header size", "100 MB")]
    [InlineData("header size 200 MB", "100 MB")]
    [InlineData("header size too small", "not valid JSON")]
    [InlineData("invalid UTF-8", "UTF-8")]
    [InlineData("invalid JSON", "not valid JSON")]
    [InlineData("header not an object", "not an object")]
    [InlineData("missing dtype", "no \"dtype\"")]
    [InlineData("missing shape", "no \"shape\"")]
    [InlineData("missing data_offsets", "no \"data_offsets\"")]
    [InlineData("unknown dtype", "\"Q99\"")]
    [InlineData("unsupported dtype", "\"F16\"; Descent reads only F32 and F64")]
    [InlineData("dtype not a string", "not a string")]
    [InlineData("shape does not match the offsets", "needs 32 bytes")]
    [InlineData("negative dimension", "negative dimension -2")]
    [InlineData("fractional dimension", "not an integer")]
    [InlineData("dimension beyond int", "larger than 2^31")]
    [InlineData("too many elements", "more than 2^31")]
    [InlineData("offsets outside the data", "past the end of the data area")]
    [InlineData("offsets reversed", "end before they begin")]
    [InlineData("offsets not a pair", "expected [begin, end]")]
    [InlineData("offsets not numbers", "not non-negative integers")]
    [InlineData("negative offset", "not non-negative integers")]
    [InlineData("overlapping tensors", "overlaps tensor 'b'")]
    [InlineData("hole between tensors", "hole of 8 bytes")]
    [InlineData("duplicate names", "'a' twice")]
    [InlineData("tensor not an object", "not an object")]
    [InlineData("metadata value not a string", "must be strings")]
    [InlineData("metadata not an object", "must be an object")]
    [InlineData("trailing bytes", "4 trailing bytes")]
    [InlineData("truncated data", "past the end of the data area")]
    public void CorruptFile_GivesDataFormatExceptionNamingFileAndProblem(string kind, string expected)
    {
        string path = dir.File(kind.Replace(' ', '-') + ".safetensors");
        File.WriteAllBytes(path, Corrupt(kind));
        var e = Assert.Throws<DataFormatException>(() => Safetensors.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void GoodFile_ReadsBack()
    {
        var (t, meta) = Safetensors.Read(new MemoryStream(Good()), "good");
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t["a"].Floats.ToArray());
        Assert.Equal([-1.0, 0.5], t["b"].Doubles.ToArray());
        Assert.Equal("v", meta["k"]);
    }

    [Fact]
    public void EveryTruncation_IsADataFormatException()
    {
        var good = Good();
        for (int len = 0; len < good.Length; len++)
            Assert.Throws<DataFormatException>(() => Safetensors.Read(new MemoryStream(good, 0, len), "cut"));
    }

    [Fact]
    public void RandomByteDamage_GivesOnlyDataFormatExceptionsOrAValidRead()
    {
        var good = Good();
        var rng = new Random(12345);
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var b = (byte[])good.Clone();
            int edits = 1 + rng.Next(3);
            for (int k = 0; k < edits; k++)
                b[rng.Next(Math.Min(b.Length, trial % 2 == 0 ? 8 + HeaderLength(good) : b.Length))] = (byte)rng.Next(256);
            try
            {
                var (t, _) = Safetensors.Read(new MemoryStream(b), "damaged");
                Assert.All(t.Values, x => Assert.True(x.Size >= 0));
            }
            catch (DataFormatException e)
            {
                Assert.StartsWith("damaged: ", e.Message);
                failures++;
            }
        }
        Assert.True(failures > 100, $"only {failures} of the damaged files were rejected");
    }

    [Fact]
    public void StreamEndingBeforeItsLength_IsADataFormatException()
    {
        var good = Good();
        var e = Assert.Throws<DataFormatException>(() => Safetensors.Read(new ShortStream(good, good.Length - 10), "shrunk"));
        Assert.Contains("shrunk: the file ended early", e.Message);
    }

    /// <summary>Claims the full length but delivers only the first <c>available</c> bytes, like a file
    /// truncated by another process while being read.</summary>
    private sealed class ShortStream(byte[] data, int available) : MemoryStream(data, 0, data.Length)
    {
        // MemoryStream routes Read(Span) of a subclass through this overload.
        public override int Read(byte[] buffer, int offset, int count)
        {
            int left = (int)Math.Max(0, available - Position);
            return base.Read(buffer, offset, Math.Min(count, left));
        }
    }
}

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>
/// The CRC-32 checksums Descent records in safetensors metadata: they are the CRC-32 of zlib (checked
/// against an independent bitwise implementation), a file with them reads back verified and without them in
/// its metadata, and a damaged byte is refused with a message that names the file and the damaged part.
/// </summary>
public sealed class SafetensorsChecksumTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>CRC-32 bit by bit (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), as in
    /// RFC 1952 §8, independent of System.IO.Hashing.</summary>
    internal static uint BitwiseCrc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320 : c >> 1;
        }
        return ~c;
    }

    private static readonly (string, Tensor)[] Tensors =
        [("w", Tensor.From(new[] { 1.5f, -2f, 0.25f, 8f }, 2, 2)), ("d", Tensor.From(new[] { Math.PI, -0.5 }, 2))];

    private static readonly Dictionary<string, string> Meta = new() { ["note"] = "Δθ → ∇f", ["format"] = "pt" };

    private string Written(string name = "c.safetensors")
    {
        string path = dir.File(name);
        Safetensors.Write(path, Tensors, Meta);
        return path;
    }

    [Fact]
    public void BitwiseCrc32_HasTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, BitwiseCrc32("123456789"u8)); // the CRC-32 "check" value of the catalogue of CRCs

    [Fact]
    public void RecordedChecksums_AreTheCrc32OfTheStoredBytes()
    {
        byte[] file = File.ReadAllBytes(Written());
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        byte[] header = file[8..(8 + n)];
        using var doc = JsonDocument.Parse(header);
        var meta = doc.RootElement.GetProperty("__metadata__");
        string Hex(uint x) => x.ToString("x8");
        foreach (var (name, _) in Tensors)
        {
            var offsets = doc.RootElement.GetProperty(name).GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = file.AsSpan(8 + n + offsets[0], offsets[1] - offsets[0]);
            Assert.Equal(Hex(BitwiseCrc32(data)), meta.GetProperty("descent.crc32.tensor:" + name).GetString());
        }
        foreach (var (k, v) in Meta)
            Assert.Equal(Hex(BitwiseCrc32(Encoding.UTF8.GetBytes(v))), meta.GetProperty("descent.crc32.meta:" + k).GetString());
        // The header's own checksum: computed with its eight digits read as zeros.
        string recorded = meta.GetProperty(SafetensorsChecksums.HeaderKey).GetString()!;
        string text = Encoding.UTF8.GetString(header);
        string marker = $"\"{SafetensorsChecksums.HeaderKey}\":\"{recorded}\"";
        Assert.Single(text.Split(marker)[1..]);
        byte[] zeroed = Encoding.UTF8.GetBytes(text.Replace(marker, $"\"{SafetensorsChecksums.HeaderKey}\":\"00000000\"", StringComparison.Ordinal));
        Assert.Equal(Hex(BitwiseCrc32(zeroed)), recorded);
    }

    [Fact]
    public void FileWithChecksums_ReadsVerified_WithoutThemInItsMetadata()
    {
        var (tensors, meta, verified) = Safetensors.Read(Written());
        Assert.True(verified);
        Assert.Equal(Meta, meta);
        Assert.Equal([1.5f, -2f, 0.25f, 8f], tensors["w"].Floats.ToArray());
        Assert.Equal([Math.PI, -0.5], tensors["d"].Doubles.ToArray());
    }

    [Fact]
    public void FileWithoutChecksums_ReadsUnverified()
    {
        string path = dir.File("plain.safetensors");
        Safetensors.Write(path, Tensors, Meta, checksums: false);
        var content = Safetensors.Read(path);
        Assert.False(content.Verified);
        Assert.Equal(Meta, content.Metadata);
    }

    [Fact]
    public void ReservedMetadataPrefix_IsRejectedOnWrite() =>
        Assert.Throws<ArgumentException>(() => Safetensors.Write(dir.File("x.safetensors"), Tensors,
            new Dictionary<string, string> { [SafetensorsChecksums.Prefix + "mine"] = "1" }));

    /// <summary>The file with the byte at <paramref name="at"/> (counted from the start of the part) XOR-ed with a mask.</summary>
    private static byte[] Flip(byte[] file, int at, byte mask = 0x01)
    {
        var copy = (byte[])file.Clone();
        copy[at] ^= mask;
        return copy;
    }

    private static int DataStart(byte[] file) => 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);

    private static int IndexOf(byte[] file, string text) => file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("first data byte (tensor d, float64, first in the data area)", "tensor 'd' is damaged")]
    [InlineData("last data byte (tensor w)", "tensor 'w' is damaged")]
    [InlineData("a metadata value", "metadata 'note' does not match its recorded CRC-32")]
    [InlineData("a tensor's shape", "")] // caught by the layout checks or the header checksum
    [InlineData("a space of the padding turned into a tab", "the header does not match its recorded CRC-32")]
    [InlineData("a digit of a tensor checksum", "the header does not match its recorded CRC-32")]
    [InlineData("the case of a hex digit of the header checksum", "the header does not match its recorded CRC-32")]
    [InlineData("the name of the header checksum key", "records checksums but not its own")]
    [InlineData("a tensor name", "")]
    public void DamagedByte_IsRefused_NamingTheFileAndThePart(string where, string expected)
    {
        byte[] good = File.ReadAllBytes(Written());
        int data = DataStart(good);
        byte[] bad = where switch
        {
            "first data byte (tensor d, float64, first in the data area)" => Flip(good, data),
            "last data byte (tensor w)" => Flip(good, good.Length - 1, 0x80),
            "a metadata value" => Flip(good, IndexOf(good, "∇f")),
            "a tensor's shape" => Flip(good, IndexOf(good, "\"shape\":[2,2]") + 9),
            "a space of the padding turned into a tab" => PaddingToTab(good),
            "a digit of a tensor checksum" => Flip(good, IndexOf(good, "descent.crc32.tensor:w\":\"") + 25, 0x01),
            "the case of a hex digit of the header checksum" => HexCase(good),
            "the name of the header checksum key" => Flip(good, IndexOf(good, SafetensorsChecksums.HeaderKey) + 3, 0x01),
            "a tensor name" => Flip(good, IndexOf(good, "\"w\":{") + 1, 0x02),
            _ => throw new ArgumentException(where),
        };
        string path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, bad);
        var e = Assert.Throws<DataFormatException>(() => Safetensors.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    private static byte[] PaddingToTab(byte[] good)
    {
        int data = DataStart(good);
        Assert.Equal((byte)' ', good[data - 1]);
        var bad = (byte[])good.Clone();
        bad[data - 1] = (byte)'\t'; // still valid JSON with the same content
        return bad;
    }

    /// <summary>Turns a lowercase hex letter of the header checksum into uppercase (one bit: 0x20), which a
    /// case-insensitive comparison would miss. Writes a file whose header checksum has a letter (a few tries).</summary>
    private byte[] HexCase(byte[] _)
    {
        for (int i = 0; ; i++)
        {
            string path = dir.File($"hex{i}.safetensors");
            Safetensors.Write(path, Tensors, new Dictionary<string, string>(Meta) { ["try"] = i.ToString() });
            byte[] file = File.ReadAllBytes(path);
            int at = IndexOf(file, SafetensorsChecksums.HeaderKey + "\":\"") + SafetensorsChecksums.HeaderKey.Length + 3;
            for (int k = 0; k < 8; k++)
                if (file[at + k] is >= (byte)'a' and <= (byte)'f') return Flip(file, at + k, 0x20);
        }
    }
}

using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// The CRC-32 checksums Descent records in the metadata of every safetensors file it writes, so that a
/// damaged file is refused when it is read instead of silently yielding wrong numbers. The metadata stays
/// string-to-string, so any safetensors reader still opens the file; the checksums are ordinary entries:
/// <list type="bullet">
/// <item><c>descent.crc32.tensor:NAME</c> — of each tensor's data bytes as stored (little-endian);</item>
/// <item><c>descent.crc32.meta:KEY</c> — of each other metadata value's UTF-8 bytes (the run state of a
/// checkpoint among them);</item>
/// <item><c>descent.crc32.header</c> — of the whole header as written (the JSON text and its padding),
/// computed while this entry's value reads <c>00000000</c>. It covers the names, dtypes, shapes, offsets,
/// the other checksums and every byte of padding.</item>
/// </list>
/// Each value is eight lowercase hexadecimal digits of the CRC-32 of zlib, gzip and PNG (polynomial
/// 0x04C11DB7, reflected; Python's <c>zlib.crc32</c>). A CRC-32 detects every error burst of at most 32
/// bits with certainty, so any single damaged byte, anywhere in the file, is detected; the 8-byte size
/// prefix is checked by the layout (a changed size leaves bytes over or missing).
/// </summary>
public static class SafetensorsChecksums
{
    /// <summary>The prefix of every checksum key; metadata keys that start with it are reserved.</summary>
    public const string Prefix = "descent.crc32.";

    /// <summary>The key of the header's checksum.</summary>
    public const string HeaderKey = Prefix + "header";

    /// <summary>The prefix of a tensor's checksum key (followed by the tensor's name).</summary>
    public const string TensorPrefix = Prefix + "tensor:";

    /// <summary>The prefix of a metadata value's checksum key (followed by the metadata key).</summary>
    public const string MetadataPrefix = Prefix + "meta:";

    private const string Placeholder = "00000000";

    private static ReadOnlySpan<byte> HeaderMarker => "\"descent.crc32.header\":\""u8;

    /// <summary>A checksum as it is recorded: eight lowercase hexadecimal digits.</summary>
    public static string Format(uint crc) => crc.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>The CRC-32 of a tensor's bytes as a safetensors file stores them (little-endian).</summary>
    public static uint OfTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.DType == DType.Float32 ? OfLittleEndian(tensor.Floats) : OfLittleEndian(tensor.Doubles);
    }

    private static uint OfLittleEndian<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        if (BitConverter.IsLittleEndian) return Crc32.HashToUInt32(bytes);
        var crc = new Crc32();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            for (int start = 0; start < bytes.Length; start += buffer.Length)
            {
                int len = Math.Min(buffer.Length, bytes.Length - start);
                var chunk = buffer.AsSpan(0, len);
                bytes.Slice(start, len).CopyTo(chunk);
                for (int j = 0; j < len; j += size) chunk.Slice(j, size).Reverse();
                crc.Append(chunk);
            }
            return crc.GetCurrentHashAsUInt32();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The caller's metadata followed by the checksums of its values, of the tensors, and the
    /// header's placeholder (filled in by <see cref="Seal"/> once the header is built).</summary>
    /// <exception cref="ArgumentException">A metadata key starts with the reserved <see cref="Prefix"/>.</exception>
    internal static Dictionary<string, string> Add(IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = metadata ?? new Dictionary<string, string>();
        foreach (var (k, v) in values)
        {
            if (k.StartsWith(Prefix, StringComparison.Ordinal))
                throw new ArgumentException($"Metadata key '{k}' starts with '{Prefix}', which Descent reserves for checksums; rename it.", nameof(metadata));
            result[k] = v;
        }
        foreach (var (k, v) in values) result[MetadataPrefix + k] = Format(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(v)));
        foreach (var (name, t) in tensors) result[TensorPrefix + name] = Format(OfTensor(t));
        result[HeaderKey] = Placeholder;
        return result;
    }

    /// <summary>Writes the header's checksum into its placeholder in <paramref name="header"/>.</summary>
    internal static void Seal(byte[] header)
    {
        int at = LocateHeaderChecksum(header)
            ?? throw new InvalidOperationException("The header has no single checksum placeholder.");
        uint crc = Crc32.HashToUInt32(header);
        Encoding.ASCII.GetBytes(Format(crc), header.AsSpan(at, 8));
    }

    /// <summary>
    /// Checks a parsed header against its checksums and removes them from <paramref name="metadata"/>.
    /// Returns null when the file records no checksums (it was not written by Descent, or by an older
    /// version), else the expected checksum of each tensor, by name, for <see cref="CheckTensor"/>.
    /// </summary>
    /// <exception cref="DataFormatException">A metadata value or the header does not match its checksum,
    /// or a checksum is missing or refers to nothing.</exception>
    internal static Dictionary<string, string>? CheckHeader(byte[] header, IReadOnlyList<SafetensorsEntry> entries,
        Dictionary<string, string> metadata, string file)
    {
        if (!metadata.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal))) return null;
        // The values that carry their own checksum first, so that the message can name them.
        foreach (var (key, value) in metadata)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            if (metadata.TryGetValue(MetadataPrefix + key, out var recorded))
            {
                string actual = Format(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(value)));
                if (actual != recorded)
                    throw Damaged(file, $"metadata '{key}' does not match its recorded CRC-32 (recorded {Shown(recorded)}, computed {actual})");
            }
        }
        if (!metadata.TryGetValue(HeaderKey, out var recordedHeader))
            throw Damaged(file, $"the header records checksums but not its own ('{HeaderKey}'): it is damaged");
        int at = LocateHeaderChecksum(header)
            ?? throw Damaged(file, $"the header's checksum ('{HeaderKey}') cannot be located in the header text: the header is damaged, or another program rewrote it");
        var copy = (byte[])header.Clone();
        Encoding.ASCII.GetBytes(Placeholder, copy.AsSpan(at, 8));
        string actualHeader = Format(Crc32.HashToUInt32(copy));
        if (actualHeader != recordedHeader || Encoding.ASCII.GetString(header, at, 8) != recordedHeader)
            throw Damaged(file, $"the header does not match its recorded CRC-32 (recorded {Shown(recordedHeader)}, computed {actualHeader}): names, shapes, offsets or metadata are damaged");

        // The header is as written; now every tensor and value must have a checksum and every checksum a subject.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!metadata.TryGetValue(TensorPrefix + e.Name, out var crc))
                throw Damaged(file, $"tensor '{e.Name}' has no recorded CRC-32 ('{TensorPrefix}{e.Name}') although the file records checksums");
            expected[e.Name] = crc;
        }
        var names = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in metadata.Keys.ToList())
        {
            if (key.StartsWith(TensorPrefix, StringComparison.Ordinal) && !names.Contains(key[TensorPrefix.Length..]))
                throw Damaged(file, $"the checksum '{key}' names no tensor of the file");
            if (key.StartsWith(MetadataPrefix, StringComparison.Ordinal) && !metadata.ContainsKey(key[MetadataPrefix.Length..]))
                throw Damaged(file, $"the checksum '{key}' names no metadata entry of the file");
            if (!key.StartsWith(Prefix, StringComparison.Ordinal) && !metadata.ContainsKey(MetadataPrefix + key))
                throw Damaged(file, $"metadata '{key}' has no recorded CRC-32 although the file records checksums");
        }
        foreach (var key in metadata.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).ToList()) metadata.Remove(key);
        return expected;
    }

    /// <summary>Checks one tensor's bytes (as read, before any byte swapping) against its recorded checksum.</summary>
    /// <exception cref="DataFormatException">They differ.</exception>
    internal static void CheckTensor(string name, ReadOnlySpan<byte> bytes, string recorded, string file)
    {
        string actual = Format(Crc32.HashToUInt32(bytes));
        if (actual != recorded)
            throw Damaged(file, $"tensor '{name}' is damaged: its bytes do not match the CRC-32 recorded when the file was written (recorded {Shown(recorded)}, computed {actual})");
    }

    /// <summary>The position of the header checksum's eight digits, or null unless the key occurs exactly
    /// once with an eight-character value.</summary>
    private static int? LocateHeaderChecksum(ReadOnlySpan<byte> header)
    {
        int first = header.IndexOf(HeaderMarker);
        if (first < 0 || header.LastIndexOf(HeaderMarker) != first) return null;
        int at = first + HeaderMarker.Length;
        if (at + 9 > header.Length || header[at + 8] != (byte)'"') return null;
        return at;
    }

    private static string Shown(string recorded) => recorded.Length <= 16 ? $"'{recorded}'" : $"'{recorded[..16]}…'";

    private static DataFormatException Damaged(string file, string problem) =>
        new($"{file}: {problem}");
}

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// Reads and writes the safetensors format of Hugging Face (github.com/huggingface/safetensors), so
/// that weights saved here open in Python (<c>safetensors.torch.load_file</c>) and back:
/// <list type="bullet">
/// <item>8 bytes: <c>N</c>, the header size, an unsigned 64-bit little-endian integer;</item>
/// <item><c>N</c> bytes: a UTF-8 JSON object
/// <c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …}</c>,
/// padded with spaces so that the data starts at a multiple of 8 bytes;</item>
/// <item>the data area: each tensor's elements, row-major, little-endian, at
/// <c>[begin, end)</c> relative to the start of the data area. The tensors tile the area exactly
/// (no holes, no overlaps, nothing after the last); a scalar has shape <c>[]</c>, an empty tensor
/// spans zero bytes.</item>
/// </list>
/// Descent writes and reads <c>F32</c> and <c>F64</c> tensors. Writing streams each tensor's memory
/// straight to the file (no copy of the whole content), atomically through <see cref="AtomicFile"/>,
/// and records CRC-32 checksums of every tensor, metadata value and of the header in the metadata
/// (<see cref="SafetensorsChecksums"/>). Reading checks every size in the header against the file's
/// length before allocating anything, as the reference implementation does (header at most 100 MB,
/// offsets contiguous and covering the data), and verifies the checksums of a file that records them.
/// </summary>
public static class Safetensors
{
    /// <summary>The largest header accepted: 100 MB, the limit of the reference implementation.</summary>
    public const long MaxHeaderSize = 100_000_000;

    /// <summary>The key under which the string-to-string metadata is stored in the header.</summary>
    public const string MetadataKey = SafetensorsHeader.MetadataKey;

    /// <summary>
    /// Writes <paramref name="tensors"/> (in this order in the header) and <paramref name="metadata"/>
    /// to <paramref name="path"/> atomically (temporary file, flush, rename). In the data area the
    /// float64 tensors come first, then the float32 ones, so that every tensor is aligned to its
    /// element size. With <paramref name="checksums"/> (the default) the metadata also records the
    /// CRC-32 checksums of <see cref="SafetensorsChecksums"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated, or is <c>__metadata__</c>; a metadata
    /// key starts with <see cref="SafetensorsChecksums.Prefix"/>.</exception>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, bool checksums = true)
    {
        var (header, layout) = Prepare(tensors, metadata, checksums);
        AtomicFile.Write(path, s => WriteContent(s, header, layout, tensors));
    }

    /// <summary>Like <see cref="Write(string, IReadOnlyList{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string}?, bool)"/>,
    /// but when <paramref name="path"/> already exists it becomes <paramref name="previousPath"/> in the same
    /// atomic replacement (see <see cref="AtomicFile.Write(string, Action{Stream}, string?)"/>): the last two
    /// versions are kept, and at every instant <paramref name="path"/> holds a complete file.</summary>
    public static void Write(string path, string previousPath, IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (header, layout) = Prepare(tensors, metadata, checksums: true);
        AtomicFile.Write(path, s => WriteContent(s, header, layout, tensors), previousPath);
    }

    /// <summary>Writes the safetensors content to <paramref name="stream"/> (not atomically; see
    /// <see cref="Write(string, IReadOnlyList{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string}?, bool)"/>).</summary>
    public static void Write(Stream stream, IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, bool checksums = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (header, layout) = Prepare(tensors, metadata, checksums);
        WriteContent(stream, header, layout, tensors);
    }

    /// <summary>
    /// Reads the safetensors file at <paramref name="path"/>: its tensors (in header order; each has
    /// its own unpooled memory), its metadata (empty when the file has none; without the checksums) and
    /// whether it recorded checksums, which were then all verified.
    /// </summary>
    /// <exception cref="DataFormatException">The file cannot be opened, is truncated or corrupt, does not
    /// match its checksums, or holds a dtype other than F32/F64. The message names the file and the problem
    /// (and the damaged tensor).</exception>
    public static SafetensorsContent Read(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{path}: cannot open: {e.Message}", e);
        }
        using (file) return Read(file, path);
    }

    /// <summary>
    /// Reads safetensors content from a seekable <paramref name="stream"/>, from its current position to
    /// its end; <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <exception cref="DataFormatException">The content is truncated or corrupt, does not match its
    /// checksums, or holds a dtype other than F32/F64.</exception>
    public static SafetensorsContent Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("The stream must be seekable (its length is checked).", nameof(stream));
        long length = stream.Length - stream.Position;
        if (length < 8)
            throw SafetensorsHeader.Bad(name, $"the file is {length} bytes long, too short for the 8-byte header size that starts a safetensors file");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, name);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderSize)
            throw SafetensorsHeader.Bad(name, $"the header size {n} is larger than the 100 MB limit: this is not a safetensors file, or it is corrupt");
        if ((long)n > length - 8)
            throw SafetensorsHeader.Bad(name, $"the header size {n} is larger than the {length - 8} bytes that follow it: the file is truncated or not a safetensors file");
        var headerBytes = new byte[n];
        ReadExactly(stream, headerBytes, name);
        var (entries, metadata) = SafetensorsHeader.Parse(headerBytes, length - 8 - (long)n, name);
        var checksums = SafetensorsChecksums.CheckHeader(headerBytes, entries, metadata, name);

        // The header passed every check, so the data area holds exactly these tensors back to back.
        var tensors = new Tensor[entries.Count];
        foreach (int i in Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].Begin).ThenBy(i => entries[i].End))
        {
            var e = entries[i];
            int count = (int)((e.End - e.Begin) / e.DType.ElementSize());
            if (e.DType == DType.Float32)
            {
                var data = GC.AllocateUninitializedArray<float>(count);
                ReadExactly(stream, MemoryMarshal.AsBytes(data.AsSpan()), name);
                if (checksums is not null) SafetensorsChecksums.CheckTensor(e.Name, MemoryMarshal.AsBytes(data.AsSpan()), checksums[e.Name], name);
                if (!BitConverter.IsLittleEndian) ReverseInPlace(MemoryMarshal.Cast<float, int>(data.AsSpan()));
                tensors[i] = new Tensor(new Storage(data), 0, new Shape(e.Shape));
            }
            else
            {
                var data = GC.AllocateUninitializedArray<double>(count);
                ReadExactly(stream, MemoryMarshal.AsBytes(data.AsSpan()), name);
                if (checksums is not null) SafetensorsChecksums.CheckTensor(e.Name, MemoryMarshal.AsBytes(data.AsSpan()), checksums[e.Name], name);
                if (!BitConverter.IsLittleEndian) ReverseInPlace(MemoryMarshal.Cast<double, long>(data.AsSpan()));
                tensors[i] = new Tensor(new Storage(data), 0, new Shape(e.Shape));
            }
        }
        var result = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++) result.Add(entries[i].Name, tensors[i]);
        return new SafetensorsContent(result, metadata, checksums is not null);
    }

    private static (byte[] Header, int[] Layout) Prepare(IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata, bool checksums)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A tensor name is empty.", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for the metadata; rename the tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"The tensor name '{name}' appears twice.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, $"tensors['{name}']");
        }
        if (metadata is not null)
            foreach (var (k, v) in metadata)
                if (v is null) throw new ArgumentException($"Metadata value '{k}' is null; safetensors metadata values are strings.", nameof(metadata));
        // Stable: float64 tensors first, then float32, each group in the given order.
        int[] layout = Enumerable.Range(0, tensors.Count).OrderByDescending(i => tensors[i].Tensor.DType.ElementSize()).ToArray();
        if (!checksums) return (SafetensorsHeader.Build(tensors, metadata, layout), layout);
        var header = SafetensorsHeader.Build(tensors, SafetensorsChecksums.Add(tensors, metadata), layout);
        SafetensorsChecksums.Seal(header);
        return (header, layout);
    }

    private static void WriteContent(Stream stream, byte[] header, int[] layout, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (int i in layout)
        {
            var t = tensors[i].Tensor;
            if (t.DType == DType.Float32) WriteLittleEndian(stream, t.Floats);
            else WriteLittleEndian(stream, t.Doubles);
        }
    }

    private static void WriteLittleEndian<T>(Stream stream, ReadOnlySpan<T> values) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        // Big-endian hosts: swap a chunk at a time through a small rented buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var bytes = MemoryMarshal.AsBytes(values);
            int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            for (int start = 0; start < bytes.Length; start += buffer.Length)
            {
                int len = Math.Min(buffer.Length, bytes.Length - start);
                var chunk = buffer.AsSpan(0, len);
                bytes.Slice(start, len).CopyTo(chunk);
                for (int j = 0; j < len; j += size) chunk.Slice(j, size).Reverse();
                stream.Write(chunk);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReverseInPlace(Span<int> v) => BinaryPrimitives.ReverseEndianness(v, v);

    private static void ReverseInPlace(Span<long> v) => BinaryPrimitives.ReverseEndianness(v, v);

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"{name}: the file ended early (truncated while being read)", e);
        }
        catch (IOException e)
        {
            throw new DataFormatException($"{name}: read error: {e.Message}", e);
        }
    }
}

/// <summary>What <see cref="Safetensors.Read(string)"/> found in a file.</summary>
/// <param name="Tensors">The tensors by name, in header order.</param>
/// <param name="Metadata">The string metadata, without the checksums.</param>
/// <param name="Verified">True when the file recorded checksums (<see cref="SafetensorsChecksums"/>) and every one
/// matched; false for a file that records none (written by another program, or by an older Descent).</param>
public sealed record SafetensorsContent(Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata, bool Verified)
{
    /// <summary>The tensors and the metadata.</summary>
    public void Deconstruct(out Dictionary<string, Tensor> tensors, out Dictionary<string, string> metadata)
    {
        tensors = Tensors;
        metadata = Metadata;
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Descent.Data;

/// <summary>
/// An array read from an IDX file (the MNIST format) of unsigned bytes: its dimensions, outermost
/// first, and its elements in row-major order.
/// </summary>
/// <param name="Dimensions">The sizes of the dimensions, outermost first (1 to 4 of them).</param>
/// <param name="Data">The elements, row-major; its length is the product of the dimensions.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Data)
{
    /// <summary>The size of the outermost dimension (the number of items: images, labels).</summary>
    public int Count => Dimensions[0];

    /// <summary>The number of elements in one item: the product of the inner dimensions (1 for a vector).</summary>
    public int ItemLength
    {
        get
        {
            int n = 1;
            for (int i = 1; i < Dimensions.Length; i++) n *= Dimensions[i];
            return n;
        }
    }

    /// <summary>The dimensions written as <c>60000×28×28</c>.</summary>
    public string ShapeText => string.Join('×', Dimensions);
}

/// <summary>
/// Reads IDX files: a magic number <c>00 00 type ndims</c>, <c>ndims</c> big-endian int32
/// dimensions, then the elements. Gzip compression is detected by the content (bytes 1f 8b), not by
/// the file name; a gzip file must be one complete member, whose trailer (the CRC-32 and length of the
/// decompressed bytes, RFC 1952) is checked, so a truncated or damaged file is refused even where the
/// decompressor itself stops quietly. Only the unsigned-byte type (0x08) is supported. Every size in
/// the header is checked against the data actually present; memory is allocated only as data arrives,
/// so a corrupt header cannot cause a giant allocation.
/// </summary>
public static class IdxReader
{
    /// <summary>The IDX type code of unsigned bytes, the only one supported.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>The largest number of dimensions accepted.</summary>
    public const int MaxDimensions = 4;

    private const int ChunkSize = 1 << 22;

    /// <summary>The first allocation for compressed data, doubled as more data arrives.</summary>
    private const int InitialChunk = 1 << 16;

    /// <summary>The smallest gzip member: a 10-byte header, an empty deflate block (2 bytes) and the 8-byte trailer.</summary>
    private const int MinimalGzip = 20;

    /// <summary>Reads the IDX file at <paramref name="path"/>, raw or gzip-compressed.</summary>
    /// <exception cref="DataFormatException">The file is missing, corrupt, truncated, has trailing
    /// data, or holds a type other than unsigned bytes. The message names the file.</exception>
    public static IdxArray Read(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{path}: cannot open: {e.Message}", e);
        }
        using (file) return Read(file, path);
    }

    /// <summary>
    /// Reads an IDX array from a seekable <paramref name="stream"/>, raw or gzip-compressed;
    /// <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <exception cref="DataFormatException">The content is corrupt, truncated, has trailing data,
    /// or holds a type other than unsigned bytes.</exception>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("The stream must be seekable.", nameof(stream));
        long start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        int got = ReadFully(stream, magic, name);
        stream.Position = start;
        if (got == 0) throw new DataFormatException($"{name}: the file is empty");
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (!gzip) return ReadPayload(stream, name, stream.Length - start);

        long length = stream.Length - start;
        if (length < MinimalGzip)
            throw new DataFormatException($"{name}: truncated gzip file: {length} bytes, fewer than the {MinimalGzip} of the smallest gzip stream");
        Span<byte> trailer = stackalloc byte[8];
        stream.Position = stream.Length - 8;
        ReadFully(stream, trailer, name);
        stream.Position = start;
        uint expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint expectedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        using var inflated = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
        var hashed = new HashingReader(inflated);
        var array = ReadPayload(hashed, name, null);
        if (hashed.Crc.GetCurrentHashAsUInt32() != expectedCrc || (uint)hashed.Count != expectedSize)
            throw new DataFormatException(
                $"{name}: the gzip trailer (CRC-32 and length of the content) does not match the {hashed.Count} decompressed bytes: the file is truncated, damaged, has data after its end, or holds several gzip members");
        return array;
    }

    private static IdxArray ReadPayload(Stream s, string name, long? rawLength)
    {
        Span<byte> head = stackalloc byte[4];
        int got = ReadFully(s, head, name);
        if (got < 4) throw new DataFormatException($"{name}: truncated header: expected 4 bytes of magic number, found {got}");
        if (head[0] != 0 || head[1] != 0)
        {
            uint m = BinaryPrimitives.ReadUInt32BigEndian(head);
            throw new DataFormatException($"{name}: wrong magic number 0x{m:X8}: not an IDX file (expected 00 00, a type code and the number of dimensions)");
        }
        byte type = head[2];
        if (type != UnsignedByteType)
            throw new DataFormatException($"{name}: unsupported IDX data type 0x{type:X2} ({TypeName(type)}); only 0x08 (unsigned byte) is supported");
        int ndims = head[3];
        if (ndims is 0 or > MaxDimensions)
            throw new DataFormatException($"{name}: invalid number of dimensions {ndims}; expected 1 to {MaxDimensions}");

        Span<byte> dimBytes = stackalloc byte[4 * MaxDimensions];
        dimBytes = dimBytes[..(4 * ndims)];
        got = ReadFully(s, dimBytes, name);
        if (got < dimBytes.Length)
            throw new DataFormatException($"{name}: truncated header: expected {ndims} dimensions ({4 * ndims} bytes), found {got} bytes");
        var dims = new int[ndims];
        long size = 1;
        for (int i = 0; i < ndims; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes[(4 * i)..]);
            if (dims[i] < 0) throw new DataFormatException($"{name}: dimension {i} is negative ({dims[i]})");
            size *= dims[i];
            if (size > Array.MaxLength)
                throw new DataFormatException($"{name}: dimensions {string.Join('×', dims[..(i + 1)])}… describe more than {Array.MaxLength} elements");
        }

        long headerLength = 4 + 4L * ndims;
        if (rawLength is long total && total - headerLength != size)
        {
            long found = total - headerLength;
            if (found < size)
                throw new DataFormatException($"{name}: truncated: expected {size} bytes of data, found {found}");
            throw new DataFormatException($"{name}: trailing garbage: {found - size} bytes after the {size} bytes of data");
        }
        byte[] data = ReadData(s, name, (int)size, sizeChecked: rawLength is not null);
        long extra = CountRemaining(s, name);
        if (extra > 0)
        {
            string count = extra >= ChunkSize ? $"at least {extra}" : $"{extra}";
            throw new DataFormatException($"{name}: trailing garbage: {count} bytes after the {size} bytes of data");
        }
        return new IdxArray(dims, data);
    }

    /// <summary>Reads exactly <paramref name="size"/> bytes. Unless the size was checked against the file's
    /// length (<paramref name="sizeChecked"/>), the buffer starts small and doubles as data arrives, so memory
    /// follows the data actually present rather than the header's claim.</summary>
    private static byte[] ReadData(Stream s, string name, int size, bool sizeChecked)
    {
        var data = new byte[sizeChecked ? size : Math.Min(size, InitialChunk)];
        int read = 0;
        while (true)
        {
            int got = ReadFully(s, data.AsSpan(read), name);
            read += got;
            if (read < data.Length) throw new DataFormatException($"{name}: truncated: expected {size} bytes of data, found {read}");
            if (read == size) return data;
            Array.Resize(ref data, (int)Math.Min(size, 2L * data.Length));
        }
    }

    /// <summary>Counts the bytes left in the stream, stopping at one chunk's worth.</summary>
    private static long CountRemaining(Stream s, string name)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long count = 0;
        while (count < ChunkSize)
        {
            int got = ReadFully(s, scratch, name);
            count += got;
            if (got < scratch.Length) break;
        }
        return count;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the count.
    /// Turns a corrupt compressed stream into a <see cref="DataFormatException"/>.</summary>
    private static int ReadFully(Stream s, Span<byte> buffer, string name)
    {
        try
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n = s.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{name}: corrupt gzip stream: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"{name}: truncated gzip stream: {e.Message}", e);
        }
    }

    /// <summary>Passes reads through and keeps the CRC-32 and count of every byte read.</summary>
    private sealed class HashingReader(Stream inner) : Stream
    {
        public Crc32 Crc { get; } = new();

        public long Count { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Crc.Append(buffer[..n]);
            Count += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type code",
    };
}

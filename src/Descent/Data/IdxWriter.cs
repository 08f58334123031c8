using System.Buffers.Binary;
using System.IO.Compression;

namespace Descent.Data;

/// <summary>
/// Writes unsigned-byte IDX files (the MNIST format), raw or gzip-compressed; the inverse of
/// <see cref="IdxReader"/>.
/// </summary>
public static class IdxWriter
{
    /// <summary>
    /// Writes <paramref name="array"/> to <paramref name="path"/>, gzip-compressed when
    /// <paramref name="compress"/> is true (whatever the file name).
    /// </summary>
    /// <exception cref="ArgumentException">The array's dimensions are invalid or disagree with its data length.</exception>
    public static void Write(string path, IdxArray array, bool compress = false)
    {
        Validate(array);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        if (compress)
        {
            using var gz = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            WriteTo(gz, array);
        }
        else
        {
            WriteTo(file, array);
        }
    }

    /// <summary>Writes <paramref name="array"/> uncompressed to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">The array's dimensions are invalid or disagree with its data length.</exception>
    public static void Write(Stream stream, IdxArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Validate(array);
        WriteTo(stream, array);
    }

    private static void WriteTo(Stream stream, IdxArray array)
    {
        var header = new byte[4 + 4 * array.Dimensions.Length];
        header[2] = IdxReader.UnsignedByteType;
        header[3] = (byte)array.Dimensions.Length;
        for (int i = 0; i < array.Dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), array.Dimensions[i]);
        stream.Write(header);
        stream.Write(array.Data);
    }

    private static void Validate(IdxArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        int[] dims = array.Dimensions;
        if (dims.Length is 0 or > IdxReader.MaxDimensions)
            throw new ArgumentException($"An IDX array has 1 to {IdxReader.MaxDimensions} dimensions, not {dims.Length}.", nameof(array));
        long size = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentException($"Dimension {d} is negative.", nameof(array));
            size *= d;
        }
        if (size != array.Data.Length)
            throw new ArgumentException($"Dimensions {string.Join('×', dims)} need {size} bytes of data, not {array.Data.Length}.", nameof(array));
    }
}

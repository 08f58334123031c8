using System.IO.Compression;

namespace Descent.Tests.Cli;

/// <summary>A minimal PNG decoder (8-bit RGB or RGBA, non-interlaced, as Chromium writes screenshots), for checking
/// what a page looked like.</summary>
public sealed class PngImage
{
    private PngImage(int width, int height, byte[] rgb)
    {
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major RGB triples.</summary>
    public byte[] Rgb { get; }

    /// <summary>The pixel at (x, y).</summary>
    public (byte R, byte G, byte B) this[int x, int y] => (Rgb[(y * Width + x) * 3], Rgb[(y * Width + x) * 3 + 1], Rgb[(y * Width + x) * 3 + 2]);

    /// <summary>Decodes a PNG file.</summary>
    public static PngImage Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        byte[] signature = [137, 80, 78, 71, 13, 10, 26, 10];
        if (!bytes.AsSpan(0, 8).SequenceEqual(signature)) throw new InvalidDataException($"{path} is not a PNG file");
        int pos = 8, width = 0, height = 0, colourType = 0;
        using var idat = new MemoryStream();
        while (pos < bytes.Length)
        {
            int length = BigEndian(bytes, pos);
            string type = System.Text.Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (type == "IHDR")
            {
                width = BigEndian(bytes, pos + 8);
                height = BigEndian(bytes, pos + 12);
                if (bytes[pos + 16] != 8 || bytes[pos + 20] != 0) throw new InvalidDataException("only 8-bit, non-interlaced PNG files are supported");
                colourType = bytes[pos + 17];
            }
            else if (type == "IDAT") idat.Write(bytes, pos + 8, length);
            else if (type == "IEND") break;
            pos += 12 + length;
        }
        int channels = colourType switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"PNG colour type {colourType} is not supported") };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * channels;
        var raw = new byte[height * (stride + 1)];
        z.ReadExactly(raw);
        var cur = new byte[stride];
        var prev = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int x = raw[y * (stride + 1) + 1 + i];
                int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                cur[i] = (byte)(filter switch
                {
                    0 => x,
                    1 => x + a,
                    2 => x + b,
                    3 => x + (a + b) / 2,
                    4 => x + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
            for (int px = 0; px < width; px++)
                for (int k = 0; k < 3; k++) rgb[(y * width + px) * 3 + k] = cur[px * channels + k];
            (prev, cur) = (cur, prev);
        }
        return new PngImage(width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static int BigEndian(byte[] b, int i) => (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
}

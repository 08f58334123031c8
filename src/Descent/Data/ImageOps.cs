namespace Descent.Data;

/// <summary>
/// Geometric operations on one H×W single-channel image stored row-major in a span (pixel (y, x) at
/// y·W + x). Pixels that come from outside the source image are 0. The augmentations apply them to
/// every channel of every image in a batch.
/// </summary>
public static class ImageOps
{
    /// <summary>Translates by (<paramref name="dy"/>, <paramref name="dx"/>) pixels: dst(y, x) = src(y − dy, x − dx),
    /// so the pixel at (y, x) moves to (y + dy, x + dx); vacated pixels become 0.</summary>
    public static void Translate(ReadOnlySpan<float> src, Span<float> dst, int height, int width, int dy, int dx)
    {
        Check(src, dst, height, width);
        dst.Clear();
        int x0 = Math.Max(0, dx), x1 = Math.Min(width, width + dx);
        if (x1 <= x0) return;
        for (int y = Math.Max(0, dy); y < Math.Min(height, height + dy); y++)
            src.Slice((y - dy) * width + x0 - dx, x1 - x0).CopyTo(dst.Slice(y * width + x0, x1 - x0));
    }

    /// <summary>Mirrors left to right: dst(y, x) = src(y, W − 1 − x).</summary>
    public static void FlipHorizontal(ReadOnlySpan<float> src, Span<float> dst, int height, int width)
    {
        Check(src, dst, height, width);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                dst[y * width + x] = src[y * width + width - 1 - x];
    }

    /// <summary>
    /// Resamples through a displacement field: dst(y, x) = src(y + fieldY(y, x), x + fieldX(y, x)) with
    /// bilinear interpolation and zeros outside (at integer displacements it copies pixels exactly).
    /// </summary>
    public static void Warp(ReadOnlySpan<float> src, Span<float> dst, int height, int width,
        ReadOnlySpan<float> fieldY, ReadOnlySpan<float> fieldX)
    {
        Check(src, dst, height, width);
        if (fieldY.Length != src.Length || fieldX.Length != src.Length)
            throw new ShapeException($"Warp: displacement fields of {fieldY.Length} and {fieldX.Length} values for a {height}×{width} image.");
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                dst[i] = Bilinear(src, height, width, y + fieldY[i], x + fieldX[i]);
            }
    }

    /// <summary>The bilinear interpolation of <paramref name="src"/> at (<paramref name="sy"/>, <paramref name="sx"/>), with zeros outside.</summary>
    public static float Bilinear(ReadOnlySpan<float> src, int height, int width, double sy, double sx)
    {
        double fy0 = Math.Floor(sy), fx0 = Math.Floor(sx);
        if (!(fy0 >= -1 && fy0 < height && fx0 >= -1 && fx0 < width)) return 0; // also NaN
        int y0 = (int)fy0, x0 = (int)fx0;
        double ty = sy - fy0, tx = sx - fx0;
        double v = (1 - ty) * ((1 - tx) * Pixel(src, height, width, y0, x0) + tx * Pixel(src, height, width, y0, x0 + 1))
                 + ty * ((1 - tx) * Pixel(src, height, width, y0 + 1, x0) + tx * Pixel(src, height, width, y0 + 1, x0 + 1));
        return (float)v;
    }

    /// <summary>
    /// Smooths <paramref name="image"/> in place with a Gaussian of standard deviation <paramref name="sigma"/>
    /// pixels (separable, truncated at 3σ, normalized; zeros outside the image). σ = 0 leaves it unchanged.
    /// <paramref name="scratch"/> must hold H·W values.
    /// </summary>
    public static void GaussianBlur(Span<float> image, Span<float> scratch, int height, int width, double sigma)
    {
        Check(image, scratch, height, width);
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), "sigma must be ≥ 0.");
        if (sigma == 0) return;
        int radius = (int)Math.Ceiling(3 * sigma);
        Span<float> kernel = stackalloc float[2 * radius + 1];
        double sum = 0;
        for (int t = -radius; t <= radius; t++) sum += Math.Exp(-0.5 * t * t / (sigma * sigma));
        for (int t = -radius; t <= radius; t++) kernel[t + radius] = (float)(Math.Exp(-0.5 * t * t / (sigma * sigma)) / sum);
        for (int y = 0; y < height; y++) // rows: image → scratch
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                for (int t = Math.Max(-radius, -x); t <= Math.Min(radius, width - 1 - x); t++) acc += kernel[t + radius] * image[y * width + x + t];
                scratch[y * width + x] = acc;
            }
        for (int y = 0; y < height; y++) // columns: scratch → image
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                for (int t = Math.Max(-radius, -y); t <= Math.Min(radius, height - 1 - y); t++) acc += kernel[t + radius] * scratch[(y + t) * width + x];
                image[y * width + x] = acc;
            }
    }

    private static float Pixel(ReadOnlySpan<float> src, int height, int width, int y, int x) =>
        (uint)y < (uint)height && (uint)x < (uint)width ? src[y * width + x] : 0f;

    private static void Check(ReadOnlySpan<float> src, ReadOnlySpan<float> dst, int height, int width)
    {
        if (height <= 0 || width <= 0 || src.Length != height * width || dst.Length != height * width)
            throw new ShapeException($"Image operation on a {height}×{width} image with spans of {src.Length} and {dst.Length} values.");
    }
}

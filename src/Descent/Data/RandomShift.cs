using Descent.Tensors;

namespace Descent.Data;

/// <summary>
/// Random translations: each image moves by (dy, dx), each drawn uniformly from −k..k pixels, with
/// zeros filling the vacated border (the "jitter" of LeCun et al. 1998 and Simard et al. 2003).
/// </summary>
/// <param name="MaxShift">k, the largest shift in pixels along each axis (≥ 0).</param>
/// <param name="Height">Image height for [N, H·W] batches (0: square).</param>
/// <param name="Width">Image width for [N, H·W] batches (0: square).</param>
public sealed record RandomShift(int MaxShift, int Height = 0, int Width = 0) : IAugmentation
{
    /// <inheritdoc/>
    public string Name => $"shift({MaxShift})";

    /// <inheritdoc/>
    public Tensor Apply(Tensor images, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (MaxShift < 0) throw new ConfigurationException($"The random shift {MaxShift} must be ≥ 0 pixels.");
        var layout = ImageLayout.Of(images, Height, Width);
        var output = Tensor.Empty(images.Shape);
        var src = images.Floats;
        var dst = output.Floats;
        int plane = layout.PlaneSize;
        for (int i = 0; i < layout.Count; i++)
        {
            int dy = rng.NextInt(2 * MaxShift + 1) - MaxShift, dx = rng.NextInt(2 * MaxShift + 1) - MaxShift;
            for (int c = 0; c < layout.Channels; c++)
            {
                int at = (i * layout.Channels + c) * plane;
                ImageOps.Translate(src.Slice(at, plane), dst.Slice(at, plane), layout.Height, layout.Width, dy, dx);
            }
        }
        return output;
    }
}

/// <summary>Mirrors each image left to right with probability <paramref name="Probability"/>.
/// Meant for data with mirror symmetry (clothes, natural images), not for digits or text.</summary>
/// <param name="Probability">The chance of flipping each image, in [0, 1].</param>
/// <param name="Height">Image height for [N, H·W] batches (0: square).</param>
/// <param name="Width">Image width for [N, H·W] batches (0: square).</param>
public sealed record RandomFlip(double Probability = 0.5, int Height = 0, int Width = 0) : IAugmentation
{
    /// <inheritdoc/>
    public string Name => $"flip({Probability:G3})";

    /// <inheritdoc/>
    public Tensor Apply(Tensor images, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(Probability >= 0 && Probability <= 1))
            throw new ConfigurationException($"The flip probability {Probability} must be in [0, 1].");
        var layout = ImageLayout.Of(images, Height, Width);
        var output = Tensor.Empty(images.Shape);
        var src = images.Floats;
        var dst = output.Floats;
        int plane = layout.PlaneSize, stride = layout.Channels * plane;
        for (int i = 0; i < layout.Count; i++)
        {
            bool flip = rng.NextDouble() < Probability;
            if (!flip) { src.Slice(i * stride, stride).CopyTo(dst.Slice(i * stride, stride)); continue; }
            for (int c = 0; c < layout.Channels; c++)
            {
                int at = i * stride + c * plane;
                ImageOps.FlipHorizontal(src.Slice(at, plane), dst.Slice(at, plane), layout.Height, layout.Width);
            }
        }
        return output;
    }
}

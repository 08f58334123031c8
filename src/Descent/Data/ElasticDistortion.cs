using Descent.Tensors;

namespace Descent.Data;

/// <summary>
/// Elastic distortions (Simard, Steinkraus &amp; Platt 2003, "Best practices for convolutional neural
/// networks applied to visual document analysis", §2): for each image, two fields of displacements
/// drawn uniformly from [−1, 1] per pixel are smoothed by a Gaussian of standard deviation
/// <paramref name="Sigma"/> pixels, scaled by <paramref name="Alpha"/>, and the image is resampled
/// through them with bilinear interpolation (zeros outside). Simard et al. used σ = 4, α = 34 on
/// MNIST; small σ gives random noise, large σ almost a translation. α = 0 is the identity.
/// </summary>
/// <param name="Alpha">The scale α of the smoothed displacement fields, in pixels (≥ 0).</param>
/// <param name="Sigma">The Gaussian's standard deviation σ in pixels (≥ 0; 0 leaves the fields unsmoothed).</param>
/// <param name="Height">Image height for [N, H·W] batches (0: square).</param>
/// <param name="Width">Image width for [N, H·W] batches (0: square).</param>
public sealed record ElasticDistortion(double Alpha = 34, double Sigma = 4, int Height = 0, int Width = 0) : IAugmentation
{
    /// <inheritdoc/>
    public string Name => $"elastic(alpha={Alpha:G3}, sigma={Sigma:G3})";

    /// <inheritdoc/>
    public Tensor Apply(Tensor images, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(Alpha >= 0) || !(Sigma >= 0))
            throw new ConfigurationException($"Elastic distortion needs alpha ≥ 0 and sigma ≥ 0, got alpha={Alpha}, sigma={Sigma}.");
        var layout = ImageLayout.Of(images, Height, Width);
        var output = Tensor.Empty(images.Shape);
        var src = images.Floats;
        var dst = output.Floats;
        int plane = layout.PlaneSize;
        var fieldY = new float[plane];
        var fieldX = new float[plane];
        var scratch = new float[plane];
        for (int i = 0; i < layout.Count; i++)
        {
            DrawField(fieldY, scratch, layout, rng);
            DrawField(fieldX, scratch, layout, rng);
            for (int c = 0; c < layout.Channels; c++)
            {
                int at = (i * layout.Channels + c) * plane;
                ImageOps.Warp(src.Slice(at, plane), dst.Slice(at, plane), layout.Height, layout.Width, fieldY, fieldX);
            }
        }
        return output;
    }

    private void DrawField(Span<float> field, Span<float> scratch, ImageLayout layout, Rng rng)
    {
        for (int j = 0; j < field.Length; j++) field[j] = (float)(2 * rng.NextDouble() - 1);
        ImageOps.GaussianBlur(field, scratch, layout.Height, layout.Width, Sigma);
        System.Numerics.Tensors.TensorPrimitives.Multiply(field, (float)Alpha, field);
    }
}

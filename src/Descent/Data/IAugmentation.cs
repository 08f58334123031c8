using Descent.Tensors;

namespace Descent.Data;

/// <summary>
/// A random, label-preserving change of the training images of a batch (data augmentation,
/// Goodfellow et al. 2016, §7.4). Images are [N, C, H, W], [N, H, W], or [N, H·W] with the image size
/// given to the augmentation (or square). Every channel of an image gets the same change.
/// </summary>
public interface IAugmentation
{
    /// <summary>A short description ("shift(2)").</summary>
    string Name { get; }

    /// <summary>A new batch of the same shape with each image changed at random (rented inside a scope;
    /// not recorded for autograd). All randomness comes from <paramref name="rng"/>.</summary>
    /// <exception cref="ShapeException">The batch is not a batch of images.</exception>
    Tensor Apply(Tensor images, Rng rng);
}

/// <summary>
/// Applies augmentations in order to training batches, drawing from its own named stream
/// <c>Rng.Stream(seed, "augmentation")</c>. Evaluation batches pass through unchanged. Its random
/// state is small (<see cref="GetState"/>) and goes into checkpoints so a resumed run draws the same changes.
/// </summary>
public sealed class Augmenter
{
    private readonly IAugmentation[] steps;
    private readonly Rng rng;

    /// <summary>An augmenter applying <paramref name="steps"/> in order.</summary>
    public Augmenter(ulong seed, params IAugmentation[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        this.steps = steps.ToArray();
        rng = Rng.Stream(seed, "augmentation");
    }

    /// <summary>The augmentations, in order.</summary>
    public IReadOnlyList<IAugmentation> Steps => steps;

    /// <summary>The batch augmented when <paramref name="training"/>; otherwise the batch itself.</summary>
    public Tensor Apply(Tensor images, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!training) return images;
        foreach (var step in steps) images = step.Apply(images, rng);
        return images;
    }

    /// <summary>The random stream's state (see <see cref="Rng.GetState"/>).</summary>
    public ulong[] GetState() => rng.GetState();

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    /// <exception cref="DataFormatException">The state has the wrong size.</exception>
    public void SetState(ReadOnlySpan<ulong> state) => rng.SetState(state);
}

/// <summary>The layout of a batch of images: N images of C channels of H×W pixels.</summary>
/// <param name="Count">N.</param>
/// <param name="Channels">C.</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
public readonly record struct ImageLayout(int Count, int Channels, int Height, int Width)
{
    /// <summary>Pixels per channel plane (H·W).</summary>
    public int PlaneSize => Height * Width;

    /// <summary>
    /// The layout of <paramref name="images"/>: [N, C, H, W], [N, H, W], or [N, D] with D =
    /// <paramref name="height"/>·<paramref name="width"/> (when both are 0, D must be a square).
    /// </summary>
    /// <exception cref="ShapeException">The tensor is not a float batch of images of that size.</exception>
    public static ImageLayout Of(Tensor images, int height = 0, int width = 0)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.DType != DType.Float32)
            throw new ShapeException($"Augmentation needs float32 images, got {images.DType.Name()}; convert with To(DType.Float32).");
        var s = images.Shape;
        switch (images.Rank)
        {
            case 4: return new ImageLayout(s[0], s[1], s[2], s[3]);
            case 3: return new ImageLayout(s[0], 1, s[1], s[2]);
            case 2:
                int d = s[1];
                if (height == 0 && width == 0)
                {
                    int side = (int)Math.Round(Math.Sqrt(d));
                    if (side * side != d)
                        throw new ShapeException($"Augmentation: rows of {d} values are not square images; give the image height and width.");
                    return new ImageLayout(s[0], 1, side, side);
                }
                if (height <= 0 || width <= 0 || d % (height * width) != 0)
                    throw new ShapeException($"Augmentation: rows of {d} values do not hold {height}×{width} images.");
                return new ImageLayout(s[0], d / (height * width), height, width);
            default:
                throw new ShapeException($"Augmentation needs images [N, C, H, W], [N, H, W] or [N, H·W], got shape {s}.");
        }
    }
}

namespace Descent.Data;

/// <summary>
/// An MNIST-format image classification set in plain arrays: 28×28 grey images scaled to [0, 1]
/// (row-major, one image after another) and their class labels. Returned by
/// <see cref="FashionMnist.Load(string?)"/> and <see cref="Mnist.Load(string?)"/>.
/// </summary>
public sealed class FashionMnistData
{
    /// <summary>Image height in pixels.</summary>
    public const int ImageHeight = 28;

    /// <summary>Image width in pixels.</summary>
    public const int ImageWidth = 28;

    /// <summary>Pixels in one image (28 × 28 = 784).</summary>
    public const int PixelCount = ImageHeight * ImageWidth;

    /// <summary>Number of classes; every label is below it.</summary>
    public const int ClassCount = 10;

    /// <summary>Training images, <see cref="TrainCount"/> × 784 values in [0, 1], row-major.</summary>
    public required float[] TrainImages { get; init; }

    /// <summary>Training labels, one per image, each in 0..9.</summary>
    public required byte[] TrainLabels { get; init; }

    /// <summary>Test images, <see cref="TestCount"/> × 784 values in [0, 1], row-major.</summary>
    public required float[] TestImages { get; init; }

    /// <summary>Test labels, one per image, each in 0..9.</summary>
    public required byte[] TestLabels { get; init; }

    /// <summary>The names of the ten classes, indexed by label.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Where the data came from (a directory or the bundled sample), for the user's output.</summary>
    public required string Source { get; init; }

    /// <summary>True when the data is the small sample bundled with Descent rather than the full set.</summary>
    public required bool IsSample { get; init; }

    /// <summary>Number of training images.</summary>
    public int TrainCount => TrainLabels.Length;

    /// <summary>Number of test images.</summary>
    public int TestCount => TestLabels.Length;

    /// <summary>The 784 pixels of training image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> TrainImage(int index) => TrainImages.AsSpan(checked(index * PixelCount), PixelCount);

    /// <summary>The 784 pixels of test image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> TestImage(int index) => TestImages.AsSpan(checked(index * PixelCount), PixelCount);
}

using Descent.Data;
using Descent.Tensors;

namespace Descent.Tests.Data;

public sealed class AugmentationTests
{
    private const int H = 9, W = 11;

    private static float[] Impulse(int y, int x)
    {
        var img = new float[H * W];
        img[y * W + x] = 1;
        return img;
    }

    private static Tensor RandomImages(int n, int channels, ulong seed) =>
        Tensor.Rand(new Shape(n, channels, H, W), new Rng(seed)).CloneUnscoped();

    [Fact]
    public void TranslateMovesAKnownPixelAndFillsWithZeros()
    {
        var dst = new float[H * W];
        ImageOps.Translate(Impulse(4, 5), dst, H, W, dy: 2, dx: -3);
        Assert.Equal(1, dst[6 * W + 2]);
        Assert.Equal(1, dst.Sum());
        ImageOps.Translate(Impulse(4, 5), dst, H, W, dy: 0, dx: 6); // moved out of the image
        Assert.Equal(0, dst.Sum());
        var ones = Enumerable.Repeat(1f, H * W).ToArray();
        ImageOps.Translate(ones, dst, H, W, dy: -1, dx: 2);
        Assert.Equal((H - 1) * (W - 2), dst.Sum());
        Assert.Equal(0, dst[(H - 1) * W + 5]); // the vacated bottom row
        Assert.Equal(0, dst[3 * W + 1]);       // the vacated left columns
    }

    [Fact]
    public void RandomShiftMovesEachImageByAtMostK()
    {
        const int n = 60, k = 2;
        var batch = Tensor.ZerosUnscoped(new Shape(n, H * W));
        for (int i = 0; i < n; i++) batch[i, 4 * W + 5] = 1;
        var shifted = new RandomShift(k, H, W).Apply(batch, new Rng(1)).ToArray();
        var offsets = new HashSet<(int, int)>();
        for (int i = 0; i < n; i++)
        {
            var img = shifted.AsSpan(i * H * W, H * W);
            int at = img.IndexOf(1f);
            Assert.Equal(1, img.ToArray().Sum());
            int dy = at / W - 4, dx = at % W - 5;
            Assert.InRange(dy, -k, k);
            Assert.InRange(dx, -k, k);
            offsets.Add((dy, dx));
        }
        Assert.True(offsets.Count > 10, $"only {offsets.Count} distinct shifts among 25 possible");
        var same = new RandomShift(0).Apply(RandomImages(3, 2, 4), new Rng(2));
        Assert.Equal(RandomImages(3, 2, 4).ToArray(), same.ToArray());
    }

    [Fact]
    public void FlippingTwiceIsTheIdentity()
    {
        var images = RandomImages(5, 3, 7);
        var flip = new RandomFlip(1);
        var once = flip.Apply(images, new Rng(0));
        Assert.Equal(images[2, 1, 3, 0], once[2, 1, 3, W - 1]);
        Assert.NotEqual(images.ToArray(), once.ToArray());
        Assert.Equal(images.ToArray(), flip.Apply(once, new Rng(0)).ToArray());
        Assert.Equal(images.ToArray(), new RandomFlip(0).Apply(images, new Rng(0)).ToArray());
        var mixed = new RandomFlip(0.5).Apply(RandomImages(40, 1, 8), new Rng(3)).ToArray();
        var source = RandomImages(40, 1, 8).ToArray();
        int flipped = Enumerable.Range(0, 40).Count(i => !mixed.AsSpan(i * H * W, H * W).SequenceEqual(source.AsSpan(i * H * W, H * W)));
        Assert.InRange(flipped, 8, 32);
    }

    [Fact]
    public void ElasticWithZeroAlphaIsTheIdentityAndKeepsShape()
    {
        var images = RandomImages(4, 1, 9);
        var same = new ElasticDistortion(Alpha: 0, Sigma: 2).Apply(images, new Rng(1));
        Assert.Equal(images.Shape, same.Shape);
        Assert.Equal(images.ToArray(), same.ToArray());
        var flat = images.Reshape(4, H * W);
        var flatSame = new ElasticDistortion(0, 2, H, W).Apply(flat, new Rng(1));
        Assert.Equal(new Shape(4, H * W), flatSame.Shape);
        Assert.Equal(images.ToArray(), flatSame.ToArray());
    }

    [Fact]
    public void ElasticDistortionDeformsSmoothlyAndReproducibly()
    {
        var square = Tensor.From(Enumerable.Range(0, 28 * 28).Select(p => p / 28 is > 8 and < 20 && p % 28 is > 8 and < 20 ? 1f : 0f).ToArray(), 1, 1, 28, 28);
        var warp = new ElasticDistortion(Alpha: 34, Sigma: 4);
        var a = warp.Apply(square, new Rng(5)).ToArray();
        var b = warp.Apply(square, new Rng(5)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(square.ToArray(), a);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f)); // bilinear interpolation of 0/1 pixels
        Assert.InRange(a.Sum(), 0.5 * 121, 1.5 * 121); // the shape is distorted, not destroyed
    }

    [Fact]
    public void GaussianBlurOfAnImpulseIsANormalizedSymmetricBump()
    {
        var img = Impulse(4, 5);
        var scratch = new float[H * W];
        ImageOps.GaussianBlur(img, scratch, H, W, sigma: 1);
        Assert.Equal(1, img.Sum(), 4);
        Assert.Equal(img[4 * W + 4], img[4 * W + 6], 6);
        Assert.Equal(img[3 * W + 5], img[5 * W + 5], 6);
        Assert.True(img[4 * W + 5] > img[4 * W + 6]);
    }

    [Fact]
    public void AugmenterAppliesOnlyInTrainingAndResumesFromItsState()
    {
        var images = RandomImages(6, 1, 11);
        var aug = new Augmenter(seed: 3, new RandomShift(2), new RandomFlip(), new ElasticDistortion(8, 3));
        Assert.Same(images, aug.Apply(images, training: false));
        aug.Apply(images);
        var state = aug.GetState();
        var next = aug.Apply(images).ToArray();
        var resumed = new Augmenter(seed: 999, new RandomShift(2), new RandomFlip(), new ElasticDistortion(8, 3));
        resumed.SetState(state);
        Assert.Equal(next, resumed.Apply(images).ToArray());
    }

    [Fact]
    public void LayoutsAreCheckedWithClearErrors()
    {
        Assert.Equal(new ImageLayout(3, 1, 28, 28), ImageLayout.Of(Tensor.ZerosUnscoped(new Shape(3, 784))));
        Assert.Equal(new ImageLayout(3, 2, 4, 5), ImageLayout.Of(Tensor.ZerosUnscoped(new Shape(3, 40)), 4, 5));
        Assert.Throws<ShapeException>(() => ImageLayout.Of(Tensor.ZerosUnscoped(new Shape(3, 10))));
        Assert.Throws<ShapeException>(() => ImageLayout.Of(Tensor.ZerosUnscoped(new Shape(3, 784), DType.Float64)));
        Assert.Throws<ConfigurationException>(() => new RandomShift(-1).Apply(Tensor.ZerosUnscoped(new Shape(1, 4)), new Rng(0)));
    }
}

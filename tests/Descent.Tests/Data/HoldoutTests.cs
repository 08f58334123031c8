using Descent.Data;
using Descent.Tensors;

namespace Descent.Tests.Data;

public sealed class HoldoutTests
{
    private static void AssertPartition(int n, int[] kept, int[] held)
    {
        Assert.Empty(kept.Intersect(held));
        Assert.Equal(Enumerable.Range(0, n), kept.Concat(held).Order());
        Assert.Equal(kept.Order(), kept);
        Assert.Equal(held.Order(), held);
    }

    [Fact]
    public void RandomHoldoutHasTheRequestedSizeAndPartitionsTheIndices()
    {
        var (kept, held) = Holdout.Split(1000, 0.1, seed: 5);
        Assert.Equal(100, held.Length);
        AssertPartition(1000, kept, held);
    }

    [Fact]
    public void StratifiedHoldoutKeepsEachClassShare()
    {
        var labels = Enumerable.Range(0, 600).Select(i => i < 300 ? 0 : i < 500 ? 1 : 2).ToArray();
        var (kept, held) = Holdout.Split(600, 0.1, seed: 1, labels);
        AssertPartition(600, kept, held);
        Assert.Equal(30, held.Count(i => labels[i] == 0));
        Assert.Equal(20, held.Count(i => labels[i] == 1));
        Assert.Equal(10, held.Count(i => labels[i] == 2));
    }

    [Fact]
    public void HoldoutIsReproducibleBySeedAndChangesWithIt()
    {
        var labels = Enumerable.Range(0, 500).Select(i => i % 5).ToArray();
        var a = Holdout.Split(500, 0.2, 42, labels);
        var b = Holdout.Split(500, 0.2, 42, labels);
        var c = Holdout.Split(500, 0.2, 43, labels);
        Assert.Equal(a.HeldOut, b.HeldOut);
        Assert.NotEqual(a.HeldOut, c.HeldOut);
    }

    [Fact]
    public void LastMethodHoldsOutTheTail()
    {
        var (kept, held) = Holdout.Split(95, 0.1, seed: 0, method: HoldoutMethod.Last);
        Assert.Equal(Enumerable.Range(85, 10), held);
        AssertPartition(95, kept, held);
    }

    [Fact]
    public void BadFractionsAreRejected()
    {
        Assert.Throws<ConfigurationException>(() => Holdout.Split(10, 1.0, 0));
        Assert.Throws<ConfigurationException>(() => Holdout.Split(10, -0.1, 0));
        Assert.Throws<ConfigurationException>(() => Holdout.Split(10, double.NaN, 0));
    }

    [Fact]
    public void FashionMnistSplitsCarveValidationOutOfTrainingOnly()
    {
        var fm = FashionMnist.LoadSample();
        var splits = DataSplits.FashionMnist(fm, new SplitOptions(ValidationFraction: 0.1, Seed: 3));
        Assert.Equal(fm.TrainCount, splits.Train.Count + splits.Validation.Count);
        Assert.Equal(fm.TrainCount / 10, splits.Validation.Count);
        Assert.Equal(fm.TestCount, splits.Test.Count);
        Assert.True(splits.IsSample);
        Assert.Equal(fm.Source, splits.Source);
        // Stratified: the sample has 600 images per class, so 60 of each are held out.
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(60, splits.Validation.Labels!.Count(y => y == c)));
        // Train and validation together are exactly the original training images (as a multiset).
        var parts = Rows(splits.Train.Features).Concat(Rows(splits.Validation.Features)).Order(StringComparer.Ordinal);
        Assert.Equal(Rows(Dataset.FashionMnistTrain(fm).Features).Order(StringComparer.Ordinal), parts);
        var again = DataSplits.FashionMnist(fm, new SplitOptions(ValidationFraction: 0.1, Seed: 3));
        Assert.Equal(splits.Validation.Features.ToArray(), again.Validation.Features.ToArray());
        var images = DataSplits.FashionMnist(fm, new SplitOptions(Images: true));
        Assert.Equal(new Shape(1, 28, 28), images.Train.ExampleShape);
    }

    [Fact]
    public void OneDatasetSplitsThreeWays()
    {
        var x = Tensor.Wrap(Enumerable.Range(0, 200).Select(i => (float)i).ToArray(), 200, 1);
        var all = new Dataset(x, Enumerable.Range(0, 200).Select(i => i % 2).ToArray(), name: "toy");
        var s = DataSplits.FromDataset(all, testFraction: 0.25, new SplitOptions(ValidationFraction: 0.2, Seed: 9));
        Assert.Equal(50, s.Test.Count);
        Assert.Equal(30, s.Validation.Count);
        Assert.Equal(120, s.Train.Count);
        var ids = s.Train.Features.ToArray().Concat(s.Validation.Features.ToArray()).Concat(s.Test.Features.ToArray());
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (float)i), ids.Order());
    }

    /// <summary>Each example's pixels as a string key (content identity).</summary>
    private static IEnumerable<string> Rows(Tensor features)
    {
        int n = features.Shape[0], d = features.Size / n;
        var f = features.ToArray();
        for (int i = 0; i < n; i++) yield return Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.AsSpan(i * d, d)));
    }
}

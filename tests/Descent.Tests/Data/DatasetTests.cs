using Descent.Data;
using Descent.Tensors;

namespace Descent.Tests.Data;

public sealed class DatasetTests
{
    /// <summary>N examples of D features where feature j of example i is 1000·i + j, labels i mod 3.</summary>
    private static Dataset Numbered(int n, int d)
    {
        var x = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i * d + j] = 1000 * i + j;
        return new Dataset(Tensor.Wrap(x, n, d), Enumerable.Range(0, n).Select(i => i % 3).ToArray(), name: "numbered");
    }

    [Fact]
    public void BatchGathersRowsAndLabelsInIndexOrderWithRepeats()
    {
        var data = Numbered(10, 4);
        var batch = data.Batch([7, 2, 7]);
        Assert.Equal(new Shape(3, 4), batch.Inputs.Shape);
        Assert.Equal(3, batch.Count);
        Assert.Equal([7 % 3, 2 % 3, 7 % 3], batch.Labels!);
        Assert.Equal(7003, batch.Inputs[0, 3]);
        Assert.Equal(2000, batch.Inputs[1, 0]);
        Assert.Equal(7001, batch.Inputs[2, 1]);
        Assert.Null(batch.Targets);
        Assert.Throws<ShapeException>(() => data.Batch([10]));
    }

    [Fact]
    public void ConstructorRejectsMismatchedCountsAndBadLabels()
    {
        var x = Tensor.ZerosUnscoped(new Shape(4, 2));
        Assert.Throws<ShapeException>(() => new Dataset(x, [0, 1, 2]));
        Assert.Throws<ShapeException>(() => new Dataset(x, [0, 1, 2, -1]));
        Assert.Throws<ShapeException>(() => new Dataset(x, [0, 1, 2, 5], classCount: 3));
        Assert.Throws<ShapeException>(() => new Dataset(x, targets: Tensor.ZerosUnscoped(new Shape(3, 1))));
        Assert.Equal(6, new Dataset(x, [0, 1, 5, 2]).ClassCount);
    }

    [Fact]
    public void SubsetCopiesTheChosenExamplesOutsideAnyScope()
    {
        var data = Numbered(10, 3);
        Dataset subset;
        using (TensorScope.Begin()) subset = data.Subset([9, 0, 4]);
        Assert.Equal(3, subset.Count);
        Assert.Equal(9000, subset.Features[0, 0]); // still readable after the scope ended
        Assert.Equal(4002, subset.Features[2, 2]);
        Assert.Equal([0, 0, 1], subset.Labels!);
        Assert.False(subset.Features.SharesStorageWith(data.Features));
        Assert.Throws<ShapeException>(() => data.Subset([3, 10]));
    }

    [Fact]
    public void WithExampleShapeIsAViewOfTheSameMemory()
    {
        var data = Numbered(5, 12);
        var images = data.WithExampleShape(3, 2, 2);
        Assert.Equal(new Shape(5, 3, 2, 2), images.Features.Shape);
        Assert.Equal(new Shape(3, 2, 2), images.ExampleShape);
        Assert.Equal(12, images.FeatureCount);
        Assert.True(images.Features.SharesStorageWith(data.Features));
        Assert.Equal(4011, images.Features[4, 2, 1, 1]);
        Assert.Throws<ShapeException>(() => data.WithExampleShape(5, 5));
    }

    [Fact]
    public void FashionMnistSampleBecomesFlatOrImageDatasets()
    {
        var fm = FashionMnist.LoadSample();
        var flat = Dataset.FashionMnistTrain(fm);
        var images = Dataset.FashionMnistTest(fm, images: true);
        Assert.Equal(new Shape(fm.TrainCount, 784), flat.Features.Shape);
        Assert.Equal(new Shape(fm.TestCount, 1, 28, 28), images.Features.Shape);
        Assert.Equal(10, flat.ClassCount);
        Assert.Equal(fm.TrainLabels[123], flat.Labels![123]);
        Assert.Equal(fm.TestImages[5 * 784 + 300], images.Features[5, 0, 300 / 28, 300 % 28]);
    }

    [Fact]
    public void CsvDataBecomesClassificationOrRegressionSets()
    {
        var csv = new CsvLabeledData(["a", "b"], "y", [1, 2, 3, 4, 5, 6], [0, 2, 1], 3);
        var cls = Dataset.FromCsv(csv, CsvTargetKind.Classification);
        Assert.Equal([0, 2, 1], cls.Labels!);
        Assert.Equal(3, cls.ClassCount);
        Assert.Equal(4, cls.Features[1, 1]);
        var reg = Dataset.FromCsv(csv, CsvTargetKind.Regression, DType.Float64);
        Assert.Null(reg.Labels);
        Assert.Equal(new Shape(3, 1), reg.Targets!.Shape);
        var batch = reg.Batch([2, 0]);
        Assert.Equal(1, batch.Targets![0, 0]);
        Assert.Equal(DType.Float64, batch.Inputs.DType);
        var bad = csv with { Labels = [0, 1.5, 1] };
        var e = Assert.Throws<DataFormatException>(() => Dataset.FromCsv(bad, CsvTargetKind.Classification));
        Assert.Contains("'y'", e.Message);
    }

    [Fact]
    public void BatchInsideAScopeRentsInsteadOfAllocatingAfterTheFirstStep()
    {
        // An unusual size so that no concurrently running test shares the pool bucket.
        const int rows = 173, d = 37;
        var data = Numbered(500, d);
        var indices = Enumerable.Range(0, rows).Select(i => (i * 7) % 500).ToArray();
        long second = 0;
        for (int step = 0; step < 3; step++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (var scope = TensorScope.Begin())
            {
                var batch = data.Batch(indices);
                Assert.Equal(1, scope.RentedCount);
                Assert.Equal(1000 * indices[5] + 2, batch.Inputs[5, 2]);
            }
            if (step == 1) second = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(second < rows * d * sizeof(float) / 4,
            $"the second Batch allocated {second} bytes; the batch tensor alone is {rows * d * sizeof(float)}");
    }
}

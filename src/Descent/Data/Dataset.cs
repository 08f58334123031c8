using Descent.Tensors;

namespace Descent.Data;

/// <summary>
/// An in-memory data set: a feature tensor <see cref="Features"/> of shape [N, …] (for example
/// [N, 784] or, as a view, [N, 1, 28, 28]) and the targets of each example: class indices
/// (<see cref="Labels"/>, for classification) and/or a target tensor (<see cref="Targets"/>, [N, …],
/// for regression). The tensors are never rented from a <see cref="TensorScope"/>, so a data set
/// outlives any training step; <see cref="Batch"/> gathers rows into scope-rented memory.
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a data set over <paramref name="features"/> (kept as is, not copied: pass a tensor
    /// that outlives every scope, e.g. from <see cref="Tensor.Wrap(float[], int[])"/> or
    /// <see cref="Tensor.CloneUnscoped"/>).</summary>
    /// <param name="features">[N, …] features.</param>
    /// <param name="labels">N class indices in [0, <paramref name="classCount"/>), or null.</param>
    /// <param name="targets">[N, …] regression targets, or null.</param>
    /// <param name="classCount">Number of classes (0 infers it as the largest label + 1).</param>
    /// <param name="name">A name for messages ("Fashion-MNIST train").</param>
    /// <exception cref="ShapeException">Counts differ, or a label is out of range.</exception>
    public Dataset(Tensor features, int[]? labels = null, Tensor? targets = null, int classCount = 0, string name = "data set")
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank == 0) throw new ShapeException($"{name}: features must have shape [N, …], got a scalar.");
        int n = features.Shape[0];
        if (labels is not null && labels.Length != n)
            throw new ShapeException($"{name}: {labels.Length} labels for {n} examples; give one label per feature row.");
        if (targets is not null && (targets.Rank == 0 || targets.Shape[0] != n))
            throw new ShapeException($"{name}: targets of shape {targets.Shape} for {n} examples; the first dimension must be {n}.");
        if (labels is not null)
        {
            int max = labels.Length == 0 ? -1 : labels.Max();
            if (classCount == 0) classCount = max + 1;
            foreach (int y in labels)
                if (y < 0 || y >= classCount)
                    throw new ShapeException($"{name}: label {y} is outside [0, {classCount}); labels must be class indices.");
        }
        Features = features;
        Labels = labels;
        Targets = targets;
        ClassCount = labels is null ? 0 : classCount;
        Name = name;
    }

    /// <summary>The features, [N, …].</summary>
    public Tensor Features { get; }

    /// <summary>Class indices, one per example, or null for a regression set.</summary>
    public int[]? Labels { get; }

    /// <summary>Regression targets, [N, …], or null.</summary>
    public Tensor? Targets { get; }

    /// <summary>Number of classes (0 without labels).</summary>
    public int ClassCount { get; }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>Number of examples N.</summary>
    public int Count => Features.Shape[0];

    /// <summary>The shape of one example (the feature shape without its first axis).</summary>
    public Shape ExampleShape => new(Features.Shape.Dims[1..].ToArray());

    /// <summary>Number of feature values per example (the product of <see cref="ExampleShape"/>).</summary>
    public int FeatureCount => Count == 0 ? ExampleShape.Size : Features.Size / Count;

    /// <summary>
    /// The examples at <paramref name="indices"/> (repeats allowed), gathered with
    /// <see cref="Tensor.IndexRows"/>: inside a <see cref="TensorScope"/> the batch tensors are rented
    /// from the pool, so a training loop allocates no large arrays after its first step.
    /// </summary>
    /// <exception cref="ShapeException">An index is outside [0, N).</exception>
    public DataBatch Batch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var inputs = Features.IndexRows(indices);
        int[]? labels = null;
        if (Labels is not null)
        {
            labels = new int[indices.Length];
            for (int i = 0; i < indices.Length; i++) labels[i] = Labels[indices[i]];
        }
        return new DataBatch(inputs, labels, Targets?.IndexRows(indices));
    }

    /// <summary>A new data set holding copies of the examples at <paramref name="indices"/>, in that order
    /// (memory not tied to any scope).</summary>
    /// <exception cref="ShapeException">An index is outside [0, N).</exception>
    public Dataset Subset(int[] indices, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var features = GatherUnscoped(Features, indices); // checks the indices
        int[]? labels = Labels is null ? null : Array.ConvertAll(indices, i => Labels[i]);
        return new Dataset(features, labels,
            Targets is null ? null : GatherUnscoped(Targets, indices), ClassCount, name ?? Name);
    }

    /// <summary>The same data with each example viewed as <paramref name="exampleShape"/> (no copy),
    /// e.g. <c>WithExampleShape(1, 28, 28)</c> for a convolutional network.</summary>
    /// <exception cref="ShapeException">The shape does not hold <see cref="FeatureCount"/> values.</exception>
    public Dataset WithExampleShape(params int[] exampleShape)
    {
        var dims = new int[exampleShape.Length + 1];
        dims[0] = Count;
        exampleShape.CopyTo(dims, 1);
        if (new Shape(exampleShape).Size != FeatureCount)
            throw new ShapeException($"{Name}: an example has {FeatureCount} values, which cannot be viewed as {new Shape(exampleShape)}.");
        return new Dataset(Features.Reshape(dims), Labels, Targets, ClassCount, Name);
    }

    /// <summary>The same targets with new features (for example normalized ones).</summary>
    /// <exception cref="ShapeException">The new features have a different number of rows.</exception>
    public Dataset WithFeatures(Tensor features, string? name = null) =>
        new(features, Labels, Targets, ClassCount, name ?? Name);

    /// <summary>The Fashion-MNIST (or MNIST) training images as a data set of [N, 784] floats in [0, 1], or
    /// [N, 1, 28, 28] with <paramref name="images"/>. The pixels are shared with <paramref name="data"/>, not copied.</summary>
    public static Dataset FashionMnistTrain(FashionMnistData data, bool images = false) =>
        FromImages(data.TrainImages, data.TrainLabels, images, "Fashion-MNIST train");

    /// <summary>The Fashion-MNIST (or MNIST) test images, like <see cref="FashionMnistTrain"/>.</summary>
    public static Dataset FashionMnistTest(FashionMnistData data, bool images = false) =>
        FromImages(data.TestImages, data.TestLabels, images, "Fashion-MNIST test");

    /// <summary>
    /// A data set from a CSV file's features and label column. For
    /// <see cref="CsvTargetKind.Classification"/> every label must be a non-negative integer (a class
    /// index); for <see cref="CsvTargetKind.Regression"/> the labels become an [N, 1] target tensor.
    /// </summary>
    /// <exception cref="DataFormatException">A classification label is not a non-negative integer.</exception>
    public static Dataset FromCsv(CsvLabeledData data, CsvTargetKind kind, DType dtype = DType.Float32, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        name ??= "CSV data";
        int n = data.RowCount, d = data.FeatureCount;
        var features = Tensor.ZerosUnscoped(new Shape(n, d), dtype);
        if (dtype == DType.Float64) data.Features.AsSpan().CopyTo(features.Doubles);
        else
        {
            var f = features.Floats;
            for (int i = 0; i < f.Length; i++) f[i] = (float)data.Features[i];
        }
        if (kind == CsvTargetKind.Regression)
        {
            var targets = Tensor.ZerosUnscoped(new Shape(n, 1), dtype);
            for (int i = 0; i < n; i++) targets.SetRaw(i, data.Labels[i]);
            return new Dataset(features, null, targets, 0, name);
        }
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double y = data.Labels[i];
            if (y < 0 || y != Math.Floor(y) || y > int.MaxValue)
                throw new DataFormatException(
                    $"{name}: label column '{data.LabelName}' row {i + 1} holds {y}, not a class index (a non-negative integer); use regression for continuous targets.");
            labels[i] = (int)y;
        }
        return new Dataset(features, labels, null, 0, name);
    }

    private static Dataset FromImages(float[] pixels, byte[] labels, bool images, string name)
    {
        int n = labels.Length;
        var features = images
            ? Tensor.Wrap(pixels, n, 1, FashionMnistData.ImageHeight, FashionMnistData.ImageWidth)
            : Tensor.Wrap(pixels, n, FashionMnistData.PixelCount);
        return new Dataset(features, labels.Select(b => (int)b).ToArray(), null, FashionMnistData.ClassCount, name);
    }

    /// <summary>The rows of <paramref name="source"/> at <paramref name="indices"/>, in memory no scope owns.</summary>
    private static Tensor GatherUnscoped(Tensor source, int[] indices)
    {
        int n = source.Shape[0], inner = n == 0 ? 0 : source.Size / n;
        var dims = source.Shape.ToArray();
        dims[0] = indices.Length;
        var o = Tensor.ZerosUnscoped(new Shape(dims), source.DType);
        for (int r = 0; r < indices.Length; r++)
        {
            int i = indices[r];
            if ((uint)i >= (uint)n) throw new ShapeException($"Subset: index {i} is outside [0, {n}).");
            if (source.DType == DType.Float32) source.Floats.Slice(i * inner, inner).CopyTo(o.Floats.Slice(r * inner, inner));
            else source.Doubles.Slice(i * inner, inner).CopyTo(o.Doubles.Slice(r * inner, inner));
        }
        return o;
    }
}

/// <summary>One mini-batch: the inputs and the matching targets.</summary>
/// <param name="Inputs">The gathered features, [B, …].</param>
/// <param name="Labels">The class indices, or null for regression.</param>
/// <param name="Targets">The regression targets, [B, …], or null.</param>
public readonly record struct DataBatch(Tensor Inputs, int[]? Labels, Tensor? Targets)
{
    /// <summary>Number of examples in the batch.</summary>
    public int Count => Inputs.Shape[0];
}

/// <summary>How a CSV label column is used.</summary>
public enum CsvTargetKind
{
    /// <summary>The labels are class indices 0, 1, 2, ….</summary>
    Classification,

    /// <summary>The labels are real-valued targets.</summary>
    Regression,
}

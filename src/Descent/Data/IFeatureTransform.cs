using Descent.Tensors;

namespace Descent.Data;

/// <summary>
/// A preprocessing map fitted once on training features and then applied, unchanged, to any split or
/// mini-batch (normalization, whitening). Fitting on the training set alone keeps statistics of the
/// validation and test data out of training (see <see cref="DataSplits.Normalize"/>).
/// </summary>
public interface IFeatureTransform
{
    /// <summary>A short description ("standardize", "zca(eps=0.01)").</summary>
    string Name { get; }

    /// <summary>The shape of one transformed example, given the shape of one input example.</summary>
    /// <exception cref="ShapeException">The input does not have the number of features the transform was fitted on.</exception>
    Shape OutputExampleShape(Shape inputExample);

    /// <summary>Transforms a batch [B, …] (recorded for autograd like any tensor op; rented inside a scope).</summary>
    /// <exception cref="ShapeException">The batch does not have the number of features the transform was fitted on.</exception>
    Tensor Apply(Tensor features);
}

/// <summary>Applying a <see cref="IFeatureTransform"/> to a whole <see cref="Dataset"/>.</summary>
public static class FeatureTransformExtensions
{
    /// <summary>Rows transformed per chunk when a whole data set is transformed.</summary>
    public const int ChunkRows = 4096;

    /// <summary>
    /// The data set with every example transformed, written in chunks of <see cref="ChunkRows"/> rows
    /// (temporaries go back to the pool) into memory that no scope owns. Targets are kept.
    /// </summary>
    public static Dataset Transform(this Dataset data, IFeatureTransform transform)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(transform);
        var example = transform.OutputExampleShape(data.ExampleShape);
        var dims = new int[example.Rank + 1];
        dims[0] = data.Count;
        example.Dims.CopyTo(dims.AsSpan(1));
        var result = Tensor.ZerosUnscoped(new Shape(dims), data.Features.DType);
        using (Autograd.Autodiff.NoGrad())
            for (int start = 0; start < data.Count; start += ChunkRows)
            {
                using var scope = TensorScope.Begin();
                int rows = Math.Min(ChunkRows, data.Count - start);
                result.Rows(start, rows).CopyFrom(transform.Apply(data.Features.Rows(start, rows)));
            }
        return data.WithFeatures(result, data.Name);
    }
}

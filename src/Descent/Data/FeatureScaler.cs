using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Data;

/// <summary>
/// An affine per-feature normalization y_j = (x_j − shift_j) · scale_j whose statistics come from the
/// training set only: centering, standardization per feature, per-channel and global standardization.
/// Statistics are computed in double with the population variance (1/N). Standardizing divides by
/// √(σ² + ε), so constant features (e.g. always-black border pixels) map to 0 instead of dividing by 0
/// (LeCun, Bottou, Orr &amp; Müller 1998, "Efficient BackProp", §4.3: centred inputs of similar variance
/// make the Hessian better conditioned).
/// </summary>
public sealed class FeatureScaler : IFeatureTransform
{
    private readonly Tensor shiftF, scaleF, shiftD, scaleD;

    private FeatureScaler(string name, double[] shift, double[] scale)
    {
        Name = name;
        Shift = shift;
        Scale = scale;
        shiftF = Tensor.Wrap(Array.ConvertAll(shift, v => (float)v));
        scaleF = Tensor.Wrap(Array.ConvertAll(scale, v => (float)v));
        shiftD = Tensor.Wrap((double[])shift.Clone());
        scaleD = Tensor.Wrap((double[])scale.Clone());
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The value subtracted from each feature (the training mean, or 0).</summary>
    public IReadOnlyList<double> Shift { get; }

    /// <summary>The factor applied to each centred feature (1/√(σ² + ε), or 1).</summary>
    public IReadOnlyList<double> Scale { get; }

    /// <summary>Number of features per example the scaler was fitted on.</summary>
    public int FeatureCount => Shift.Count;

    /// <summary>Subtracts the per-feature training mean: x − μ.</summary>
    public static FeatureScaler Centering(Dataset train)
    {
        var (mean, _) = FeatureMoments(train);
        return new FeatureScaler("center", mean, Enumerable.Repeat(1.0, mean.Length).ToArray());
    }

    /// <summary>Per-feature standardization (x − μ) / √(σ² + ε) with μ, σ² of the training set.</summary>
    /// <exception cref="ConfigurationException">ε is negative.</exception>
    public static FeatureScaler Standardization(Dataset train, double epsilon = 1e-6)
    {
        CheckEpsilon(epsilon);
        var (mean, variance) = FeatureMoments(train);
        return new FeatureScaler($"standardize(eps={epsilon:G3})", mean, variance.Select(v => 1 / Math.Sqrt(v + epsilon)).ToArray());
    }

    /// <summary>
    /// Per-channel standardization: one mean and variance per channel (axis 1 of [N, C, …] features,
    /// over all examples and positions), as is usual for images. Features of rank 2 ([N, D]) count as
    /// one channel, which is <see cref="Global"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">ε is negative.</exception>
    public static FeatureScaler PerChannel(Dataset train, double epsilon = 1e-6)
    {
        CheckEpsilon(epsilon);
        int channels = train.Features.Rank >= 3 ? train.Features.Shape[1] : 1;
        return Grouped(train, channels, epsilon, "per-channel");
    }

    /// <summary>Global standardization: one mean and one variance over every value of the training features.</summary>
    /// <exception cref="ConfigurationException">ε is negative.</exception>
    public static FeatureScaler Global(Dataset train, double epsilon = 1e-6)
    {
        CheckEpsilon(epsilon);
        return Grouped(train, 1, epsilon, "global");
    }

    /// <inheritdoc/>
    public Shape OutputExampleShape(Shape inputExample)
    {
        if (inputExample.Size != FeatureCount)
            throw new ShapeException($"{Name}: fitted on {FeatureCount} features per example, given examples of shape {inputExample}.");
        return inputExample;
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int n = features.Rank == 0 ? 0 : features.Shape[0];
        if (features.Rank == 0 || features.Size != n * FeatureCount)
            throw new ShapeException($"{Name}: fitted on {FeatureCount} features per example, given a batch of shape {features.Shape}.");
        bool f32 = features.DType == DType.Float32;
        var flat = features.Reshape(n, FeatureCount);
        return ((flat - (f32 ? shiftF : shiftD)) * (f32 ? scaleF : scaleD)).Reshape(features.Shape.ToArray());
    }

    /// <summary>Per-feature mean and population variance of the training features, in double.</summary>
    internal static (double[] Mean, double[] Variance) FeatureMoments(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        int n = train.Count, d = train.FeatureCount;
        if (n == 0) throw new ConfigurationException($"{train.Name}: cannot fit a normalization on an empty training set.");
        var mean = new double[d];
        var variance = new double[d];
        var row = new double[d];
        for (int i = 0; i < n; i++)
        {
            ReadRow(train.Features, i, row);
            TP.Add(mean, row, mean);
        }
        TP.Divide(mean, n, mean);
        for (int i = 0; i < n; i++)
        {
            ReadRow(train.Features, i, row);
            TP.Subtract(row, mean, row);
            TP.MultiplyAdd(row, row, variance, variance);
        }
        for (int j = 0; j < d; j++) variance[j] /= n;
        return (mean, variance);
    }

    /// <summary>Copies example <paramref name="i"/> of <paramref name="features"/> ([N, …], float or double) into <paramref name="row"/>.</summary>
    internal static void ReadRow(Tensor features, int i, Span<double> row)
    {
        int d = row.Length;
        if (features.DType == DType.Float64) features.Doubles.Slice(i * d, d).CopyTo(row);
        else
        {
            var f = features.Floats.Slice(i * d, d);
            for (int j = 0; j < d; j++) row[j] = f[j];
        }
    }

    private static FeatureScaler Grouped(Dataset train, int groups, double epsilon, string name)
    {
        var (mean, variance) = FeatureMoments(train);
        int d = mean.Length, inner = d / groups;
        var shift = new double[d];
        var scale = new double[d];
        for (int g = 0; g < groups; g++)
        {
            // Pool the per-feature moments: E[x] = mean of means, Var = mean of (σ_j² + μ_j²) − E[x]².
            double m = 0, s2 = 0;
            for (int j = g * inner; j < (g + 1) * inner; j++) { m += mean[j]; s2 += variance[j] + mean[j] * mean[j]; }
            m /= inner;
            double v = Math.Max(0, s2 / inner - m * m), k = 1 / Math.Sqrt(v + epsilon);
            for (int j = g * inner; j < (g + 1) * inner; j++) { shift[j] = m; scale[j] = k; }
        }
        return new FeatureScaler($"{name}(eps={epsilon:G3})", shift, scale);
    }

    private static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon >= 0)) throw new ConfigurationException($"The normalization epsilon {epsilon} must be ≥ 0.");
    }
}

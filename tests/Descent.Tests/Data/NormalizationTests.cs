using Descent.Data;
using Descent.Tensors;

namespace Descent.Tests.Data;

public sealed class NormalizationTests
{
    /// <summary>N examples of correlated features: x = μ + z·M with z standard normal and M a fixed mixing matrix.</summary>
    private static Dataset Correlated(int n, int d, ulong seed, double offset = 0, DType dtype = DType.Float32)
    {
        var rng = new Rng(seed);
        var mix = new Rng(77); // the same mixing for every seed
        var m = Enumerable.Range(0, d * d).Select(_ => mix.NextNormal()).ToArray();
        var x = new double[n * d];
        var z = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < d; k++) z[k] = rng.NextNormal();
            for (int j = 0; j < d; j++)
            {
                double v = offset + j;
                for (int k = 0; k < d; k++) v += z[k] * m[k * d + j];
                x[i * d + j] = v;
            }
        }
        var t = Tensor.Wrap(x, n, d);
        return new Dataset(dtype == DType.Float64 ? t : t.To(DType.Float32), name: "correlated");
    }

    private static (double[] Mean, double[,] Cov) Moments(Tensor features)
    {
        int n = features.Shape[0], d = features.Size / n;
        var x = features.ToDoubleArray();
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
        var cov = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                for (int k = 0; k < d; k++) cov[j, k] += (x[i * d + j] - mean[j]) * (x[i * d + k] - mean[k]) / n;
        return (mean, cov);
    }

    [Fact]
    public void StandardizationGivesZeroMeanUnitVarianceAndSurvivesConstantFeatures()
    {
        var data = Correlated(400, 4, 1);
        var x = data.Features.ToArray();
        for (int i = 0; i < 400; i++) x[i * 4 + 2] = 0.5f; // a constant feature, like a border pixel
        data = data.WithFeatures(Tensor.Wrap(x, 400, 4));
        var scaler = FeatureScaler.Standardization(data);
        var (mean, cov) = Moments(data.Transform(scaler).Features);
        for (int j = 0; j < 4; j++)
        {
            Assert.Equal(0, mean[j], 4);
            Assert.Equal(j == 2 ? 0 : 1, cov[j, j], 3);
        }
        Assert.Equal(0.5, scaler.Shift[2], 6);
        var centred = Moments(data.Transform(FeatureScaler.Centering(data)).Features);
        Assert.All(centred.Mean, m => Assert.Equal(0, m, 4));
        Assert.Equal(Moments(data.Features).Cov[1, 1], centred.Cov[1, 1], 3);
    }

    [Fact]
    public void StatisticsComeFromTheTrainingSetOnly()
    {
        var train = Correlated(300, 3, 1);
        var splitsA = new DataSplits(train, Correlated(50, 3, 2, offset: 10), Correlated(60, 3, 3, offset: -20), "toy");
        var splitsB = splitsA with { Test = Correlated(60, 3, 4, offset: 500) }; // only the test set differs
        IFeatureTransform? fitted = null;
        var a = splitsA.Normalize(d => fitted = FeatureScaler.Standardization(d));
        var b = splitsB.Normalize(d => FeatureScaler.Standardization(d));
        Assert.Equal(Moments(train.Features).Mean, ((FeatureScaler)fitted!).Shift.ToArray(), (p, q) => Math.Abs(p - q) < 1e-5);
        Assert.Equal(a.Train.Features.ToArray(), b.Train.Features.ToArray()); // test data cannot change training inputs
        Assert.Equal(a.Validation.Features.ToArray(), b.Validation.Features.ToArray());
        Assert.All(Moments(a.Train.Features).Mean, m => Assert.Equal(0, m, 4));
        Assert.All(Moments(a.Test.Features).Mean, m => Assert.True(m < -3)); // shifted by the train statistics, not re-centred
    }

    [Fact]
    public void PerChannelAndGlobalScalingPoolTheirGroups()
    {
        var rng = new Rng(5);
        const int n = 200;
        var x = new float[n * 2 * 3 * 3];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 2; c++)
                for (int p = 0; p < 9; p++) x[(i * 2 + c) * 9 + p] = (float)(c * 10 + (c + 1) * rng.NextNormal() + 0.1 * p);
        var data = new Dataset(Tensor.Wrap(x, n, 2, 3, 3));
        var scaled = data.Transform(FeatureScaler.PerChannel(data)).Features;
        Assert.Equal(data.Features.Shape, scaled.Shape);
        var v = scaled.ToArray();
        for (int c = 0; c < 2; c++)
        {
            var values = Enumerable.Range(0, n).SelectMany(i => v.Skip((i * 2 + c) * 9).Take(9)).Select(f => (double)f).ToArray();
            double mean = values.Average();
            Assert.Equal(0, mean, 4);
            Assert.Equal(1, values.Average(t => (t - mean) * (t - mean)), 3);
        }
        var global = data.Transform(FeatureScaler.Global(data)).Features.ToDoubleArray();
        double gm = global.Average();
        Assert.Equal(0, gm, 4);
        Assert.Equal(1, global.Average(t => (t - gm) * (t - gm)), 3);
        Assert.Throws<ShapeException>(() => FeatureScaler.Global(data).Apply(Tensor.ZerosUnscoped(new Shape(2, 5))));
    }

    [Theory]
    [InlineData(WhiteningKind.Pca, DType.Float32)]
    [InlineData(WhiteningKind.Zca, DType.Float32)]
    [InlineData(WhiteningKind.Zca, DType.Float64)]
    public void WhitenedTrainingCovarianceIsTheIdentity(WhiteningKind kind, DType dtype)
    {
        const int d = 6;
        var train = Correlated(2000, d, 1, dtype: dtype);
        var white = Whitening.Fit(train, kind, epsilon: 1e-10);
        var (mean, cov) = Moments(train.Transform(white).Features);
        double tol = dtype == DType.Float32 ? 2e-3 : 1e-8;
        for (int j = 0; j < d; j++)
        {
            Assert.True(Math.Abs(mean[j]) < tol, $"mean[{j}] = {mean[j]}");
            for (int k = 0; k < d; k++) Assert.True(Math.Abs(cov[j, k] - (j == k ? 1 : 0)) < tol, $"cov[{j},{k}] = {cov[j, k]}");
        }
        var w = white.Matrix.ToDoubleArray();
        if (kind == WhiteningKind.Zca)
            for (int j = 0; j < d; j++) for (int k = 0; k < d; k++) Assert.Equal(w[j * d + k], w[k * d + j], 9); // symmetric
    }

    [Fact]
    public void WhiteningCovarianceMatchesTheDefinitionAndPcaCanTruncate()
    {
        var train = Correlated(1100, 5, 2); // more than two blocks of 512 rows
        var white = Whitening.Fit(train, WhiteningKind.Pca, epsilon: 1e-9, components: 3);
        var (mean, cov) = Moments(train.Features);
        var sigma = Whitening.Covariance(train, mean);
        for (int j = 0; j < 5; j++) for (int k = 0; k < 5; k++) Assert.Equal(cov[j, k], sigma[j * 5 + k], 4);
        var y = train.Transform(white).Features;
        Assert.Equal(new Shape(1100, 3), y.Shape);
        var (_, c3) = Moments(y);
        for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) Assert.Equal(j == k ? 1 : 0, c3[j, k], 3);
        Assert.True(white.Eigenvalues[0] >= white.Eigenvalues[4]);
        Assert.Throws<ConfigurationException>(() => Whitening.Fit(train, WhiteningKind.Pca, components: 6));
    }

    [Fact]
    public void ZcaKeepsImageShapeAndEpsilonShrinksWeakDirections()
    {
        var data = Correlated(500, 4, 3).WithExampleShape(1, 2, 2);
        var strong = Whitening.Fit(data, WhiteningKind.Zca, epsilon: 100);
        var y = data.Transform(strong).Features;
        Assert.Equal(new Shape(500, 1, 2, 2), y.Shape);
        var (_, cov) = Moments(y);
        var lambda = strong.Eigenvalues;
        double traceExpected = lambda.Sum(l => l / (l + 100)); // W Σ Wᵀ = U diag(λ/(λ+ε)) Uᵀ
        Assert.Equal(traceExpected, Enumerable.Range(0, 4).Sum(j => cov[j, j]), 3);
    }
}

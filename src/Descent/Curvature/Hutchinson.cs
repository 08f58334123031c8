using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Curvature;

/// <summary>A Monte Carlo trace estimate with its confidence interval.</summary>
/// <param name="Trace">The estimate: the mean of the probes' zᵀCz.</param>
/// <param name="StandardError">The sample standard deviation of zᵀCz over √S.</param>
/// <param name="Lower">Lower end of the confidence interval (Student's t with S − 1 degrees of freedom).</param>
/// <param name="Upper">Upper end of the confidence interval.</param>
/// <param name="Confidence">The interval's confidence level, e.g. 0.95.</param>
/// <param name="Samples">Number of probes S.</param>
/// <param name="Products">Curvature products spent (one per probe).</param>
/// <param name="Values">Each probe's zᵀCz.</param>
public sealed record TraceEstimate(double Trace, double StandardError, double Lower, double Upper, double Confidence, int Samples,
    long Products, IReadOnlyList<double> Values)
{
    /// <summary>True if <paramref name="value"/> lies in the interval.</summary>
    public bool Covers(double value) => value >= Lower && value <= Upper;
}

/// <summary>A Monte Carlo estimate of a curvature's diagonal.</summary>
/// <param name="Diagonal">The estimate of each Cᵢᵢ.</param>
/// <param name="Samples">Number of probes.</param>
/// <param name="Products">Curvature products spent.</param>
public sealed record DiagonalEstimate(double[] Diagonal, int Samples, long Products);

/// <summary>
/// Hutchinson's estimators with Rademacher probes z (entries ±1, drawn from a seeded stream):
/// tr(C) ≈ (1/S) Σ zᵀCz (Hutchinson 1990; PyHessian's <c>trace</c>), unbiased with variance
/// 2(‖C‖²_F − Σ Cᵢᵢ²)/S, and diag(C) ≈ (1/S) Σ z ⊙ Cz (Bekas, Kokiopoulou &amp; Saad 2007). One product per probe.
/// </summary>
public static class Hutchinson
{
    /// <summary>Estimates tr(C) with <paramref name="samples"/> probes (at least 2) and a two-sided
    /// <paramref name="confidence"/> interval.</summary>
    /// <exception cref="ConfigurationException">Fewer than 2 samples, or a confidence outside (0, 1).</exception>
    public static TraceEstimate Trace(ICurvature c, int samples = 100, ulong seed = 0, double confidence = 0.95,
        IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (samples < 2) throw new ConfigurationException($"Hutchinson's trace needs at least 2 samples for an interval, got {samples}.");
        if (!(confidence > 0 && confidence < 1)) throw new ConfigurationException($"The confidence level must lie in (0, 1), got {confidence}.");
        var rng = Rng.Stream(seed, "hutchinson");
        var z = new double[c.Dimension];
        var cz = new double[c.Dimension];
        var values = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            Rademacher(rng, z);
            c.Apply(z, cz);
            values[s] = TP.Dot<double>(z, cz);
            progress?.Report(new AnalysisProgress("hutchinson", s + 1, samples, $"trace ≈ {values.Take(s + 1).Average():G5}"));
        }
        double mean = values.Average();
        double var = values.Sum(v => (v - mean) * (v - mean)) / (samples - 1);
        double se = Math.Sqrt(var / samples);
        double t = StudentT.Quantile(0.5 + confidence / 2, samples - 1);
        return new TraceEstimate(mean, se, mean - t * se, mean + t * se, confidence, samples, samples, values);
    }

    /// <summary>Estimates diag(C) with <paramref name="samples"/> probes.</summary>
    /// <exception cref="ConfigurationException">Fewer than 1 sample.</exception>
    public static DiagonalEstimate Diagonal(ICurvature c, int samples = 100, ulong seed = 0, IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (samples < 1) throw new ConfigurationException($"Hutchinson's diagonal needs at least 1 sample, got {samples}.");
        var rng = Rng.Stream(seed, "hutchinson-diagonal");
        int n = c.Dimension;
        var z = new double[n];
        var cz = new double[n];
        var d = new double[n];
        for (int s = 0; s < samples; s++)
        {
            Rademacher(rng, z);
            c.Apply(z, cz);
            for (int i = 0; i < n; i++) d[i] += z[i] * cz[i];
            progress?.Report(new AnalysisProgress("hutchinson-diagonal", s + 1, samples));
        }
        for (int i = 0; i < n; i++) d[i] /= samples;
        return new DiagonalEstimate(d, samples, samples);
    }

    /// <summary>Fills <paramref name="z"/> with independent ±1 entries (64 per random word).</summary>
    public static void Rademacher(Rng rng, Span<double> z)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < z.Length; i += 64)
        {
            ulong bits = rng.NextUInt64();
            int m = Math.Min(64, z.Length - i);
            for (int j = 0; j < m; j++) z[i + j] = ((bits >> j) & 1) == 0 ? 1.0 : -1.0;
        }
    }
}

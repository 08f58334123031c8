using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>One probe's Gauss quadrature: the Ritz values of its Lanczos run and their weights (summing to 1).</summary>
/// <param name="Nodes">The Ritz values θⱼ.</param>
/// <param name="Weights">τⱼ = (first component of the j-th eigenvector of T)².</param>
public sealed record QuadratureRule(double[] Nodes, double[] Weights);

/// <summary>An estimate of the eigenvalue density of a curvature.</summary>
/// <param name="Grid">The eigenvalue axis.</param>
/// <param name="Density">The density φ(t) on <paramref name="Grid"/> (integrates to 1; n·φ counts eigenvalues).</param>
/// <param name="Sigma">Standard deviation of the Gaussian kernel each node is spread with.</param>
/// <param name="Probes">Number of random probes.</param>
/// <param name="Steps">Lanczos steps per probe.</param>
/// <param name="Products">Curvature products spent.</param>
/// <param name="Rules">Each probe's quadrature (nodes and weights).</param>
/// <param name="Trace">The trace estimate n·Σ τⱼθⱼ averaged over the probes (a by-product).</param>
/// <param name="Dimension">The matrix order n.</param>
public sealed record SpectralDensity(double[] Grid, double[] Density, double Sigma, int Probes, int Steps, long Products,
    IReadOnlyList<QuadratureRule> Rules, double Trace, int Dimension)
{
    /// <summary>The estimated number of eigenvalues below <paramref name="threshold"/>: n·Σ over probes and nodes
    /// θⱼ &lt; threshold of τⱼ, averaged (the quadrature's count, without the kernel's blur).</summary>
    public double CountBelow(double threshold) =>
        Dimension * Rules.Average(r => r.Nodes.Select((t, j) => t < threshold ? r.Weights[j] : 0).Sum());
}

/// <summary>
/// The spectral density of a curvature by stochastic Lanczos quadrature (Lin, Saad &amp; Yang 2016; Ubaru, Chen
/// &amp; Saad 2017; Ghorbani, Krishnan &amp; Xiao 2019, as in PyHessian's <c>density</c>): for each random unit
/// probe v, m Lanczos steps give T whose eigenpairs (θⱼ, sⱼ) make a Gauss quadrature vᵀg(C)v ≈ Σ τⱼ g(θⱼ) with
/// τⱼ = sⱼ[0]²; averaging over probes and replacing g by a Gaussian kernel of width σ gives the smoothed
/// density φ(t) = (1/P) Σ_p Σⱼ τⱼ N(t; θⱼ, σ²).
/// </summary>
public static class SpectralDensityEstimator
{
    /// <summary>Estimates the density with <paramref name="probes"/> probes of <paramref name="steps"/> Lanczos
    /// steps each, on <paramref name="gridPoints"/> points; σ defaults to 1% of the spectrum's width.</summary>
    /// <exception cref="ConfigurationException">Probes, steps or grid points below 1, or σ not positive.</exception>
    public static SpectralDensity Estimate(ICurvature c, int probes = 4, int steps = 60, double? sigma = null, int gridPoints = 400,
        ulong seed = 0, IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (probes < 1) throw new ConfigurationException($"The spectral density needs at least 1 probe, got {probes}.");
        if (steps < 1) throw new ConfigurationException($"The spectral density needs at least 1 Lanczos step per probe, got {steps}.");
        if (gridPoints < 2) throw new ConfigurationException($"The density grid needs at least 2 points, got {gridPoints}.");
        if (sigma is double s0 && !(s0 > 0)) throw new ConfigurationException($"The kernel width σ must be positive, got {s0}.");
        int n = c.Dimension;
        steps = Math.Min(steps, n);
        long before = c.Products;
        var rng = Rng.Stream(seed, "slq");
        var rules = new List<QuadratureRule>();
        for (int p = 0; p < probes; p++)
        {
            var v = new double[n];
            Hutchinson.Rademacher(rng, v);
            var process = new LanczosProcess(c, v, rng);
            while (process.Steps < steps && !process.Exhausted)
            {
                process.Step();
                progress?.Report(new AnalysisProgress("density", p * steps + process.Steps, probes * steps, $"probe {p + 1} of {probes}"));
            }
            var t = process.Ends();
            rules.Add(new QuadratureRule(t.Values, t.First.Select(f => f * f).ToArray()));
        }
        double lo = rules.Min(r => r.Nodes.Min()), hi = rules.Max(r => r.Nodes.Max());
        double width = Math.Max(hi - lo, 1e-12 * Math.Max(1, Math.Abs(hi)));
        double s = sigma ?? 0.01 * width;
        double a = lo - 5 * s, b = hi + 5 * s;
        var grid = new double[gridPoints];
        var density = new double[gridPoints];
        double norm = 1 / (s * Math.Sqrt(2 * Math.PI) * rules.Count);
        for (int i = 0; i < gridPoints; i++)
        {
            double x = a + (b - a) * i / (gridPoints - 1);
            grid[i] = x;
            double sum = 0;
            foreach (var r in rules)
                for (int j = 0; j < r.Nodes.Length; j++)
                {
                    double d = (x - r.Nodes[j]) / s;
                    sum += r.Weights[j] * Math.Exp(-0.5 * d * d);
                }
            density[i] = sum * norm;
        }
        double trace = n * rules.Average(r => r.Nodes.Select((t, j) => t * r.Weights[j]).Sum());
        return new SpectralDensity(grid, density, s, probes, steps, c.Products - before, rules, trace, n);
    }
}

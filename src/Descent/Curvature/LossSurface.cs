namespace Descent.Curvature;

/// <summary>The objective along a line θ₀ + α·d.</summary>
/// <param name="Alphas">The positions α.</param>
/// <param name="Objective">f (mean loss + penalties) at each α.</param>
/// <param name="Loss">The mean loss at each α.</param>
/// <param name="Accuracy">The accuracy at each α (NaN without class labels).</param>
public sealed record LossLine(double[] Alphas, double[] Objective, double[] Loss, double[] Accuracy);

/// <summary>The objective on a plane θ₀ + α·d₁ + β·d₂ (row i is βᵢ, column j is αⱼ).</summary>
/// <param name="Alphas">The positions along d₁.</param>
/// <param name="Betas">The positions along d₂.</param>
/// <param name="Objective">f at (αⱼ, βᵢ).</param>
/// <param name="Loss">The mean loss at (αⱼ, βᵢ).</param>
/// <param name="Accuracy">The accuracy at (αⱼ, βᵢ).</param>
public sealed record LossPlane(double[] Alphas, double[] Betas, double[,] Objective, double[,] Loss, double[,] Accuracy);

/// <summary>
/// Evaluates an objective on lines and planes through parameter space (1-D interpolation between two solutions,
/// Goodfellow, Vinyals &amp; Saxe 2015; 1-D and 2-D slices, Li et al. 2018). The model's parameters are put back
/// afterwards.
/// </summary>
public static class LossSurface
{
    /// <summary><paramref name="count"/> points evenly spaced on [<paramref name="from"/>, <paramref name="to"/>].</summary>
    /// <exception cref="ConfigurationException">Fewer than 2 points or an empty range.</exception>
    public static double[] Grid(double from, double to, int count)
    {
        if (count < 2) throw new ConfigurationException($"A grid needs at least 2 points, got {count}.");
        if (!(to > from) || !double.IsFinite(from) || !double.IsFinite(to)) throw new ConfigurationException($"A grid needs a range from < to, got [{from}, {to}].");
        return Enumerable.Range(0, count).Select(i => from + (to - from) * i / (count - 1)).ToArray();
    }

    /// <summary>f(θ₀ + α·d) for every α in <paramref name="alphas"/>.</summary>
    public static LossLine Line(DatasetObjective f, double[] origin, double[] direction, double[] alphas, IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        Check(f, origin, direction);
        var saved = f.Parameters;
        var obj = new double[alphas.Length];
        var loss = new double[alphas.Length];
        var acc = new double[alphas.Length];
        try
        {
            var p = new double[origin.Length];
            for (int k = 0; k < alphas.Length; k++)
            {
                for (int i = 0; i < p.Length; i++) p[i] = origin[i] + alphas[k] * direction[i];
                f.Parameters = p;
                (obj[k], loss[k], acc[k]) = f.Evaluate();
                progress?.Report(new AnalysisProgress("line", k + 1, alphas.Length));
            }
        }
        finally
        {
            f.Parameters = saved;
        }
        return new LossLine(alphas, obj, loss, acc);
    }

    /// <summary>f(θ₀ + α·d₁ + β·d₂) on the grid <paramref name="alphas"/> × <paramref name="betas"/>.</summary>
    public static LossPlane Plane(DatasetObjective f, double[] origin, double[] d1, double[] d2, double[] alphas, double[] betas,
        IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        Check(f, origin, d1);
        Check(f, origin, d2);
        var saved = f.Parameters;
        var obj = new double[betas.Length, alphas.Length];
        var loss = new double[betas.Length, alphas.Length];
        var acc = new double[betas.Length, alphas.Length];
        try
        {
            var p = new double[origin.Length];
            int done = 0, total = alphas.Length * betas.Length;
            for (int r = 0; r < betas.Length; r++)
                for (int c = 0; c < alphas.Length; c++)
                {
                    for (int i = 0; i < p.Length; i++) p[i] = origin[i] + alphas[c] * d1[i] + betas[r] * d2[i];
                    f.Parameters = p;
                    (obj[r, c], loss[r, c], acc[r, c]) = f.Evaluate();
                    progress?.Report(new AnalysisProgress("plane", ++done, total));
                }
        }
        finally
        {
            f.Parameters = saved;
        }
        return new LossPlane(alphas, betas, obj, loss, acc);
    }

    private static void Check(DatasetObjective f, double[] origin, double[] direction)
    {
        int n = f.Model.Flat.Count;
        if (origin.Length != n || direction.Length != n)
            throw new ShapeException($"A point of length {origin.Length} and a direction of length {direction.Length} for a model of {n} parameters.");
    }
}

using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// Extreme eigenvalues of a curvature by the Lanczos method with full reorthogonalization
/// (<see cref="LanczosProcess"/>), stopping when every requested Ritz pair has a relative residual
/// ‖Cv − λv‖ / max(|λ|, floor) below the tolerance. Lanczos uses all the Krylov vectors it has made, where power
/// iteration keeps only the last one, so it needs far fewer products for the same residual (compare
/// <see cref="PowerIteration"/>); and it finds both ends of the spectrum in one run.
/// </summary>
public static class Lanczos
{
    /// <summary>The <see cref="EigenOptions.Top"/> largest and <see cref="EigenOptions.Bottom"/> smallest eigenvalues of <paramref name="c"/>.</summary>
    /// <exception cref="ConfigurationException">Invalid options.</exception>
    public static EigenResult Eigenvalues(ICurvature c, EigenOptions? options = null, IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        options ??= new EigenOptions();
        int n = c.Dimension;
        options.Validate(n);
        int maxIter = Math.Min(n, options.MaxIterations ?? 300);
        long before = c.Products;
        var rng = Rng.Stream(options.Seed, "lanczos");
        var process = new LanczosProcess(c, VectorMath.RandomUnit(rng, n), rng);
        Data.TridiagonalEigenResult t = default!;
        string message;
        bool converged;
        while (true)
        {
            process.Step();
            t = process.Ends();
            int m = t.Values.Length;
            converged = m >= Math.Min(n, options.Top + options.Bottom) && Wanted(t, options).All(k => Relative(process, t, k, options) <= options.Tolerance);
            double worst = m >= options.Top + options.Bottom ? Wanted(t, options).Max(k => Relative(process, t, k, options)) : double.PositiveInfinity;
            progress?.Report(new AnalysisProgress("lanczos", m, maxIter, $"λ_max ≈ {t.Values[0]:G6}, worst relative residual {worst:G2}"));
            if (converged) { message = $"converged: every requested relative residual ≤ {options.Tolerance:G3}"; break; }
            if (process.Exhausted) { converged = true; message = "the Krylov space is the whole space: the Ritz values are the eigenvalues"; break; }
            if (m >= maxIter) { message = $"stopped after {maxIter} iterations (the iteration limit) before every residual reached {options.Tolerance:G3}"; break; }
        }
        int count = t.Values.Length;
        var topIdx = Enumerable.Range(0, Math.Min(options.Top, count)).ToArray();
        var bottomIdx = Enumerable.Range(0, Math.Min(options.Bottom, count)).Select(i => count - 1 - i).ToArray();
        var vectors = options.Vectors || options.VerifyResiduals ? process.RitzVectors([.. topIdx, .. bottomIdx]) : null;
        var top = topIdx.Select((k, i) => Pair(c, process, t, k, vectors?[i], options)).ToArray();
        var bottom = bottomIdx.Select((k, i) => Pair(c, process, t, k, vectors?[topIdx.Length + i], options)).ToArray();
        if (options.VerifyResiduals) converged = top.Concat(bottom).All(p => p.Converged);
        return new EigenResult("lanczos", top, bottom, t.Values.Length, c.Products - before, converged, message, options.Tolerance, n);
    }

    private static IEnumerable<int> Wanted(Data.TridiagonalEigenResult t, EigenOptions o) =>
        Enumerable.Range(0, Math.Min(o.Top, t.Values.Length)).Concat(Enumerable.Range(0, Math.Min(o.Bottom, t.Values.Length)).Select(i => t.Values.Length - 1 - i)).Distinct();

    private static double Floor(Data.TridiagonalEigenResult t, EigenOptions o) =>
        o.ScaleFloor * Math.Max(Math.Abs(t.Values[0]), Math.Abs(t.Values[^1]));

    private static double Relative(LanczosProcess p, Data.TridiagonalEigenResult t, int k, EigenOptions o) =>
        p.RitzResidual(t, k) / Math.Max(Math.Max(Math.Abs(t.Values[k]), Floor(t, o)), double.Epsilon);

    private static EigenPair Pair(ICurvature c, LanczosProcess p, Data.TridiagonalEigenResult t, int k, double[]? y, EigenOptions o)
    {
        double value = t.Values[k];
        double residual = p.RitzResidual(t, k);
        if (o.VerifyResiduals)
        {
            var cy = c.Apply(y!);
            VectorMath.Axpy(-value, y!, cy);
            residual = VectorMath.Norm(cy);
        }
        double rel = residual / Math.Max(Math.Max(Math.Abs(value), Floor(t, o)), double.Epsilon);
        return new EigenPair(value, residual, rel, rel <= o.Tolerance, o.Vectors ? y : null);
    }
}

using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The dominant eigenvalues by power iteration, as PyHessian computes the top Hessian eigenvalue: v ← Cv/‖Cv‖,
/// λ = vᵀCv, with the eigenvectors found so far projected out (deflation) for the k-th. Each iteration costs one
/// product and gives the residual ‖Cv − λv‖ for free; it stops when the relative residual is below the
/// tolerance, the same rule as <see cref="Lanczos"/>, so their product counts compare directly. It converges
/// like |λ₂/λ₁|ᵗ, and finds the eigenvalue largest in magnitude (which may be negative).
/// </summary>
public static class PowerIteration
{
    /// <summary>The <see cref="EigenOptions.Top"/> eigenvalues of largest magnitude (Bottom is ignored).</summary>
    public static EigenResult Eigenvalues(ICurvature c, EigenOptions? options = null, IProgress<AnalysisProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        options ??= new EigenOptions();
        options = options with { Bottom = 0, Top = Math.Max(1, options.Top) };
        int n = c.Dimension;
        options.Validate(n);
        int maxIter = options.MaxIterations ?? 1000;
        long before = c.Products;
        var rng = Rng.Stream(options.Seed, "power-iteration");
        var found = new List<double[]>();
        var pairs = new List<EigenPair>();
        int iterations = 0;
        bool all = true;
        var w = new double[n];
        for (int k = 0; k < options.Top; k++)
        {
            var v = VectorMath.RandomUnit(rng, n);
            VectorMath.Orthogonalize(v, found);
            VectorMath.Scale(v, 1 / VectorMath.Norm(v));
            double lambda = 0, residual = double.PositiveInfinity, rel = double.PositiveInfinity;
            for (int it = 1; it <= maxIter; it++)
            {
                iterations++;
                c.Apply(v, w);
                VectorMath.Orthogonalize(w, found);
                lambda = VectorMath.Dot(v, w);
                var r = (double[])w.Clone();
                VectorMath.Axpy(-lambda, v, r);
                residual = VectorMath.Norm(r);
                double floor = options.ScaleFloor * Math.Max(Math.Abs(lambda), pairs.Count > 0 ? Math.Abs(pairs[0].Value) : 0);
                rel = residual / Math.Max(Math.Max(Math.Abs(lambda), floor), double.Epsilon);
                progress?.Report(new AnalysisProgress("power", it, maxIter, $"λ{k + 1} ≈ {lambda:G6}, relative residual {rel:G2}"));
                if (rel <= options.Tolerance) break;
                double norm = VectorMath.Norm(w);
                if (norm == 0) break;
                w.AsSpan().CopyTo(v);
                VectorMath.Scale(v, 1 / norm);
            }
            bool ok = rel <= options.Tolerance;
            all &= ok;
            pairs.Add(new EigenPair(lambda, residual, rel, ok, options.Vectors ? (double[])v.Clone() : null));
            found.Add((double[])v.Clone());
        }
        string message = all ? $"converged: every relative residual ≤ {options.Tolerance:G3}"
            : $"stopped after {maxIter} iterations for some eigenvalue before its residual reached {options.Tolerance:G3}";
        return new EigenResult("power", pairs, [], iterations, c.Products - before, all, message, options.Tolerance, n);
    }
}

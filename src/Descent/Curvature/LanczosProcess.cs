using System.Runtime.InteropServices;
using Descent.Data;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The symmetric Lanczos process with full reorthogonalization (Lanczos 1950; Golub &amp; Van Loan §10.1;
/// Paige 1972 on why reorthogonalization is needed in floating point): from a unit start vector q₀ it builds an
/// orthonormal basis Q of the Krylov space and the tridiagonal T = QᵀCQ (α on the diagonal, β beside it), one
/// curvature product per step. The eigenpairs (θ, s) of T give Ritz pairs (θ, Qs) whose residual is
/// ‖C Qs − θ Qs‖ = β_last·|s_last| without another product. When the space becomes invariant (β ≈ 0) before
/// it reaches the full dimension, the process continues from a fresh random vector orthogonal to Q (so
/// repeated eigenvalues are found too).
/// </summary>
internal sealed class LanczosProcess
{
    private readonly ICurvature c;
    private readonly Rng rng;
    private readonly List<double> alpha = [];
    private readonly List<double> beta = [];
    private double[]? next;

    public LanczosProcess(ICurvature c, double[] start, Rng rng)
    {
        this.c = c;
        this.rng = rng;
        next = (double[])start.Clone();
        VectorMath.Scale(next, 1 / VectorMath.Norm(next));
    }

    /// <summary>The basis vectors so far (one per step).</summary>
    public List<double[]> Basis { get; } = [];

    /// <summary>Steps taken (= products = size of T).</summary>
    public int Steps => alpha.Count;

    /// <summary>True once the basis spans the whole space.</summary>
    public bool Exhausted => next is null;

    /// <summary>The diagonal of T.</summary>
    public IReadOnlyList<double> Alpha => alpha;

    /// <summary>The off-diagonal of T and, last, the norm of the current residual vector.</summary>
    public IReadOnlyList<double> Beta => beta;

    /// <summary>One step: one product, then the next basis vector.</summary>
    public void Step()
    {
        if (next is null) throw new InvalidOperationException("The Lanczos basis already spans the space.");
        var q = next;
        Basis.Add(q);
        var w = new double[q.Length];
        c.Apply(q, w);
        double a = VectorMath.Dot(q, w);
        alpha.Add(a);
        VectorMath.Axpy(-a, q, w);
        if (Basis.Count > 1) VectorMath.Axpy(-beta[^1], Basis[^2], w);
        VectorMath.Orthogonalize(w, Basis);
        double b = VectorMath.Norm(w);
        double scale = alpha.Max(Math.Abs) + (beta.Count > 0 ? beta.Max() : 0);
        if (b > 1e-10 * Math.Max(scale, double.Epsilon))
        {
            beta.Add(b);
            VectorMath.Scale(w, 1 / b);
            next = w;
            return;
        }
        // An invariant subspace: exact Ritz pairs so far; restart orthogonally unless the space is exhausted.
        beta.Add(0);
        next = Basis.Count >= q.Length ? null : FreshDirection(q.Length);
    }

    private double[]? FreshDirection(int n)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var v = VectorMath.RandomUnit(rng, n);
            VectorMath.Orthogonalize(v, Basis);
            double norm = VectorMath.Norm(v);
            if (norm > 1e-8)
            {
                VectorMath.Scale(v, 1 / norm);
                return v;
            }
        }
        return null;
    }

    /// <summary>The eigenvalues of T (largest first) with the first and last components of its unit eigenvectors
    /// sₖ, in O(m²): Ritz values, quadrature weights sₖ[0]² and residual bounds.</summary>
    public TridiagonalEigenResult Ends() => SymmetricEigen.Tridiagonal(CollectionsMarshal.AsSpan(alpha), CollectionsMarshal.AsSpan(beta)[..(alpha.Count - 1)]);

    /// <summary>The residual norm of Ritz pair <paramref name="k"/>: β_last·|sₖ[last]|.</summary>
    public double RitzResidual(TridiagonalEigenResult t, int k) => Math.Abs(beta[^1] * t.Last[k]);

    /// <summary>The Ritz vectors Q·sₖ (unit length) for the pairs <paramref name="ks"/> of the values in
    /// <see cref="Ends"/>' order (one full decomposition of T).</summary>
    public double[][] RitzVectors(IReadOnlyList<int> ks)
    {
        int m = alpha.Count;
        var t = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            t[i * m + i] = alpha[i];
            if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i];
        }
        var full = SymmetricEigen.Decompose(t, m);
        return ks.Select(k =>
        {
            var s = full.Vector(k);
            var y = new double[Basis[0].Length];
            for (int j = 0; j < m; j++) VectorMath.Axpy(s[j], Basis[j], y);
            return y;
        }).ToArray();
    }
}

using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>When the linear conjugate-gradient solver stops.</summary>
/// <param name="MaxIterations">Iteration (matrix-vector product) budget.</param>
/// <param name="Tolerance">Stop when ‖r‖ ≤ tolerance·‖b‖ (0: off).</param>
/// <param name="ProgressEpsilon">Martens' (2010, §4.4) relative-progress rule: stop at iteration i when
/// i &gt; k, φ(x_i) &lt; 0 and (φ(x_i) − φ(x_{i−k}))/φ(x_i) &lt; k·ε with k = max(10, 0.1·i) (ε = 5·10⁻⁴ in the
/// paper; 0: off).</param>
public readonly record struct CgOptions(int MaxIterations, double Tolerance = 1e-10, double ProgressEpsilon = 0);

/// <summary>One iterate of the linear conjugate-gradient solver.</summary>
/// <param name="Iteration">i (from 1).</param>
/// <param name="X">x_i (a live buffer: copy it to keep it).</param>
/// <param name="Direction">The direction p that led to x_i (live).</param>
/// <param name="Value">φ(x_i).</param>
public readonly record struct CgIterate(int Iteration, Tensor X, Tensor Direction, double Value);

/// <summary>What the linear conjugate-gradient solver did.</summary>
/// <param name="Iterations">Iterations (one product with A each).</param>
/// <param name="ResidualNorm">‖b − Ax‖ at the end.</param>
/// <param name="Value">φ(x) = ½xᵀAx − bᵀx at the end.</param>
/// <param name="Reason">Why it stopped: <c>tolerance</c>, <c>progress</c>, <c>max-iterations</c> or
/// <c>negative-curvature</c>.</param>
public sealed record CgResult(int Iterations, double ResidualNorm, double Value, string Reason);

/// <summary>
/// The linear conjugate-gradient method for <c>Ax = b</c> with A symmetric positive definite, i.e. the
/// minimization of <c>φ(x) = ½xᵀAx − bᵀx</c> (Hestenes &amp; Stiefel 1952; Nocedal &amp; Wright Algorithm 5.2),
/// matrix-free: A is only applied to vectors. The directions are A-conjugate, so in exact arithmetic it
/// reaches the solution in at most n iterations. Used by Hessian-free (with Martens' stopping rule) and
/// natural-gradient steps; a direction of non-positive curvature pᵀAp ≤ 0 stops it (at the first iteration
/// after moving along the residual, as truncated Newton methods do).
/// </summary>
public static class LinearConjugateGradient
{
    /// <summary>Solves from the start <paramref name="x"/> (overwritten with the solution).</summary>
    /// <param name="apply">Writes A·v into its second argument.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="x">Start on entry (e.g. 0, or the previous solution), solution on exit.</param>
    /// <param name="options">Stopping rules.</param>
    /// <param name="onIterate">Sees each iterate.</param>
    public static CgResult Solve(Action<Tensor, Tensor> apply, Tensor b, Tensor x, CgOptions options, Action<CgIterate>? onIterate = null)
    {
        int n = b.Size;
        var r = FlatVector.Zeros(n, b.DType);
        var p = FlatVector.Zeros(n, b.DType);
        var ap = FlatVector.Zeros(n, b.DType);
        apply(x, ap);
        FlatVector.Subtract(b, ap, r);
        p.CopyFrom(r);
        double rr = FlatVector.Dot(r, r);
        double bNorm = FlatVector.Norm(b);
        var values = new List<double> { Phi(x, b, r) };
        string reason = "max-iterations";
        int i = 0;
        while (i < options.MaxIterations)
        {
            if (Math.Sqrt(rr) <= options.Tolerance * bNorm) { reason = "tolerance"; break; }
            apply(p, ap);
            double pap = FlatVector.Dot(p, ap);
            if (!(pap > 0))
            {
                if (i == 0)
                {
                    FlatVector.Axpy(1, r, x);      // p = r here, so A·r is at hand
                    FlatVector.Axpy(-1, ap, r);
                    rr = FlatVector.Dot(r, r);
                }
                reason = "negative-curvature";
                break;
            }
            double alpha = rr / pap;
            FlatVector.Axpy(alpha, p, x);
            FlatVector.Axpy(-alpha, ap, r);
            i++;
            double rrNew = FlatVector.Dot(r, r);
            values.Add(Phi(x, b, r));
            onIterate?.Invoke(new CgIterate(i, x, p, values[i]));
            if (options.ProgressEpsilon > 0)
            {
                int k = Math.Max(10, (int)(0.1 * i));
                double phi = values[i];
                if (i > k && phi < 0 && (phi - values[i - k]) / phi < k * options.ProgressEpsilon) { reason = "progress"; rr = rrNew; break; }
            }
            FlatVector.Combine(1, r, rrNew / rr, p, p);
            rr = rrNew;
        }
        if (i == options.MaxIterations && Math.Sqrt(rr) <= options.Tolerance * bNorm) reason = "tolerance";
        return new CgResult(i, Math.Sqrt(rr), Phi(x, b, r), reason);
    }

    /// <summary>φ(x) = ½xᵀAx − bᵀx = −½xᵀ(b + r) with r = b − Ax.</summary>
    private static double Phi(Tensor x, Tensor b, Tensor r) => -0.5 * (FlatVector.Dot(x, b) + FlatVector.Dot(x, r));
}

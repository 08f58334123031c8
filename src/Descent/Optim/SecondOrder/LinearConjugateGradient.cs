using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>When the linear conjugate-gradient solver stops.</summary>
/// <param name="MaxIterations">Iteration (matrix-vector product) budget.</param>
/// <param name="Tolerance">Stop when ‖r‖ ≤ tolerance·‖b‖ (0: off).</param>
/// <param name="ProgressEpsilon">Martens' (2010, §4.4) relative-progress rule: stop at iteration i when
/// i &gt; k, φ(x_{i−k}) &lt; 0 and (φ(x_i) − φ(x_{i−k}))/φ(x_i) &lt; k·ε with k = max(10, ⌈0.1·i⌉) (ε = 5·10⁻⁴ in
/// the paper; 0: off).</param>
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
/// <param name="InitialValue">φ at the start point (0 from zero; a warm start can make it positive).</param>
public sealed record CgResult(int Iterations, double ResidualNorm, double Value, string Reason, double InitialValue = 0);

/// <summary>
/// The linear conjugate-gradient method for <c>Ax = b</c> with A symmetric positive definite, i.e. the
/// minimization of <c>φ(x) = ½xᵀAx − bᵀx</c> (Hestenes &amp; Stiefel 1952; Nocedal &amp; Wright Algorithm 5.2),
/// matrix-free: A is only applied to vectors. The directions are A-conjugate, so in exact arithmetic it
/// reaches the solution in at most n iterations. With a diagonal preconditioner M (Nocedal &amp; Wright
/// Algorithm 5.3) it runs CG on M^−½AM^−½, which converges in fewer iterations when M captures A's diagonal
/// scaling. Used by Hessian-free (with Martens' stopping rule and preconditioner) and natural-gradient steps;
/// a direction of non-positive curvature pᵀAp ≤ 0 stops it (at the first iteration after moving along the
/// preconditioned residual, as truncated Newton methods do).
/// </summary>
public static class LinearConjugateGradient
{
    /// <summary>Solves from the start <paramref name="x"/> (overwritten with the solution).</summary>
    /// <param name="apply">Writes A·v into its second argument.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="x">Start on entry (e.g. 0, or the previous solution), solution on exit.</param>
    /// <param name="options">Stopping rules.</param>
    /// <param name="onIterate">Sees each iterate.</param>
    /// <param name="preconditioner">The diagonal of M (positive entries, same length as b; null: M = I). CG then
    /// works with y = M⁻¹r.</param>
    public static CgResult Solve(Action<Tensor, Tensor> apply, Tensor b, Tensor x, CgOptions options, Action<CgIterate>? onIterate = null,
        double[]? preconditioner = null)
    {
        int n = b.Size;
        if (preconditioner is not null && preconditioner.Length != n)
            throw new ArgumentException($"The preconditioner has {preconditioner.Length} entries for a system of {n}.", nameof(preconditioner));
        double[]? inverse = null;
        if (preconditioner is not null)
        {
            inverse = new double[n];
            for (int j = 0; j < n; j++)
            {
                if (!(preconditioner[j] > 0)) throw new ArgumentException($"The preconditioner's entry {j} is {preconditioner[j]}; all must be positive.", nameof(preconditioner));
                inverse[j] = 1 / preconditioner[j];
            }
        }
        var r = FlatVector.Zeros(n, b.DType);
        var y = preconditioner is null ? r : FlatVector.Zeros(n, b.DType);
        var p = FlatVector.Zeros(n, b.DType);
        var ap = FlatVector.Zeros(n, b.DType);
        apply(x, ap);
        FlatVector.Subtract(b, ap, r);
        Precondition(r, inverse, y);
        p.CopyFrom(y);
        double ry = FlatVector.Dot(r, y);
        double rNorm = FlatVector.Norm(r);
        double bNorm = FlatVector.Norm(b);
        var values = new List<double> { Phi(x, b, r) };
        string reason = "max-iterations";
        int i = 0;
        while (i < options.MaxIterations)
        {
            if (rNorm <= options.Tolerance * bNorm) { reason = "tolerance"; break; }
            apply(p, ap);
            double pap = FlatVector.Dot(p, ap);
            if (!(pap > 0))
            {
                if (i == 0)
                {
                    FlatVector.Axpy(1, p, x);      // p = M⁻¹r here, so A·p is at hand
                    FlatVector.Axpy(-1, ap, r);
                    rNorm = FlatVector.Norm(r);
                }
                reason = "negative-curvature";
                break;
            }
            double alpha = ry / pap;
            FlatVector.Axpy(alpha, p, x);
            FlatVector.Axpy(-alpha, ap, r);
            i++;
            Precondition(r, inverse, y);
            double ryNew = FlatVector.Dot(r, y);
            rNorm = FlatVector.Norm(r);
            values.Add(Phi(x, b, r));
            onIterate?.Invoke(new CgIterate(i, x, p, values[i]));
            if (options.ProgressEpsilon > 0)
            {
                int k = Math.Max(10, (int)Math.Ceiling(0.1 * i));
                double phi = values[i];
                if (i > k && values[i - k] < 0 && (phi - values[i - k]) / phi < k * options.ProgressEpsilon) { reason = "progress"; break; }
            }
            FlatVector.Combine(1, y, ryNew / ry, p, p);
            ry = ryNew;
        }
        if (i == options.MaxIterations && rNorm <= options.Tolerance * bNorm) reason = "tolerance";
        return new CgResult(i, rNorm, Phi(x, b, r), reason, values[0]);
    }

    /// <summary>y = M⁻¹r (nothing to do without a preconditioner: y is r then).</summary>
    private static void Precondition(Tensor r, double[]? inverse, Tensor y)
    {
        if (inverse is null) return;
        if (y.DType == DType.Float64)
        {
            var rs = r.Doubles;
            var ys = y.Doubles;
            for (int j = 0; j < ys.Length; j++) ys[j] = rs[j] * inverse[j];
        }
        else
        {
            var rs = r.Floats;
            var ys = y.Floats;
            for (int j = 0; j < ys.Length; j++) ys[j] = (float)(rs[j] * inverse[j]);
        }
    }

    /// <summary>φ(x) = ½xᵀAx − bᵀx = −½xᵀ(b + r) with r = b − Ax.</summary>
    private static double Phi(Tensor x, Tensor b, Tensor r) => -0.5 * (FlatVector.Dot(x, b) + FlatVector.Dot(x, r));
}

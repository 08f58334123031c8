using Descent.Tensors;

namespace Descent.Autograd;

/// <summary>The outcome of a gradient check: the largest discrepancy and where it occurred.</summary>
/// <param name="Passed">True if every element was within tolerance.</param>
/// <param name="MaxAbsError">Largest |analytic − numeric|.</param>
/// <param name="Input">Index of the input holding the worst element.</param>
/// <param name="Element">Flat index of the worst element within that input.</param>
/// <param name="Analytic">Analytic derivative at the worst element.</param>
/// <param name="Numeric">Central-difference derivative at the worst element.</param>
public sealed record GradCheckResult(bool Passed, double MaxAbsError, int Input, int Element, double Analytic, double Numeric)
{
    /// <inheritdoc />
    public override string ToString() => Passed
        ? $"gradient check passed (max error {MaxAbsError:G3})"
        : $"gradient check failed at input {Input}, element {Element}: analytic {Analytic:G10}, numeric {Numeric:G10} (error {MaxAbsError:G3})";
}

/// <summary>
/// Compares analytic gradients with central differences in double precision. The function's output is
/// reduced to a scalar with fixed random weights, so every output element is checked. The second-order
/// check differentiates the (recorded) gradient again: it validates every gradient rule's own gradient.
/// </summary>
public static class GradCheck
{
    /// <summary>Checks ∂f/∂inputs. Inputs must be <see cref="DType.Float64"/>.</summary>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5, ulong seed = 1)
    {
        foreach (var x in inputs)
            if (x.DType != DType.Float64) throw new ArgumentException("GradCheck needs float64 inputs.");
        var xs = inputs.Select(x => x.Clone().RequireGrad()).ToArray();
        Tensor? weights = null;
        Func<Tensor[], Tensor> scalar = a =>
        {
            var y = f(a);
            weights ??= Tensor.Rand(y.Shape, new Rng(seed), 0.5, 1.5, DType.Float64);
            return (y * weights).Sum();
        };
        var analytic = Autodiff.Grad([scalar(xs)], xs);
        var result = new GradCheckResult(true, 0, -1, -1, 0, 0);
        using var _ = Autodiff.NoGrad();
        for (int i = 0; i < xs.Length; i++)
        {
            var d = xs[i].Doubles;
            for (int j = 0; j < d.Length; j++)
            {
                double orig = d[j];
                d[j] = orig + eps;
                double fp = scalar(xs).Item();
                d[j] = orig - eps;
                double fm = scalar(xs).Item();
                d[j] = orig;
                double num = (fp - fm) / (2 * eps);
                double ana = analytic[i]?.GetRaw(j) ?? 0;
                double err = Math.Abs(ana - num);
                bool ok = err <= atol + rtol * Math.Abs(num);
                if ((!ok && result.Passed) || (ok == result.Passed && err > result.MaxAbsError) || double.IsNaN(err))
                    result = new GradCheckResult(ok && result.Passed && !double.IsNaN(err), err, i, j, ana, num);
            }
        }
        return result;
    }

    /// <summary>Checks the derivatives of the gradient (second order): the function
    /// <c>x ↦ Σ r ⊙ ∇ₓ(w·f(x))</c> is checked with <see cref="Check"/>, so every gradient rule's
    /// gradient is compared with finite differences of the analytic gradient.</summary>
    public static GradCheckResult CheckSecondOrder(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4, ulong seed = 2)
    {
        Tensor? w = null;
        Tensor[]? r = null;
        Tensor GradSum(Tensor[] xs)
        {
            // Analytic pass: record the gradient so it can be differentiated. Finite-difference passes
            // (run by Check with recording off) only need its value.
            bool record = GradMode.IsEnabled;
            using var _ = Autodiff.EnableGrad();
            var y = f(xs);
            w ??= Tensor.Rand(y.Shape, new Rng(seed), 0.5, 1.5, DType.Float64);
            r ??= xs.Select((x, i) => Tensor.Rand(x.Shape, new Rng(seed + 1 + (ulong)i), -1, 1, DType.Float64)).ToArray();
            var g = Autodiff.Grad([(y * w).Sum()], xs, createGraph: record);
            Tensor total = Tensor.Zeros(Shape.Scalar, DType.Float64);
            for (int i = 0; i < g.Length; i++)
                if (g[i] is not null) total = total + (g[i]! * r[i]).Sum();
            return total;
        }
        return Check(GradSum, inputs, eps, atol, rtol, seed + 100);
    }
}

using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Dense linear algebra for methods on small models (Newton, saddle-free Newton, BFGS), in double precision
/// on row-major n×n arrays: the Cholesky factorization and solve, and the dense Hessian assembled from n
/// Hessian-vector products with the unit vectors.
/// </summary>
internal static class Dense
{
    /// <summary>Factors the symmetric matrix A + shift·I = LLᵀ in place into <paramref name="l"/> (lower
    /// triangle); false if it is not positive definite (a pivot ≤ 0 or not finite).</summary>
    public static bool Cholesky(ReadOnlySpan<double> a, int n, double shift, Span<double> l)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * n + j] + (i == j ? shift : 0);
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                if (i == j)
                {
                    if (!(s > 0) || !double.IsFinite(s)) return false;
                    l[i * n + i] = Math.Sqrt(s);
                }
                else l[i * n + j] = s / l[j * n + j];
            }
            for (int j = i + 1; j < n; j++) l[i * n + j] = 0;
        }
        return true;
    }

    /// <summary>Solves LLᵀx = b in place (b becomes x) with the factor from <see cref="Cholesky"/>.</summary>
    public static void CholeskySolve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
            b[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>y = A·x for a row-major n×n A.</summary>
    public static void MatVec(ReadOnlySpan<double> a, int n, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            var row = a.Slice(i * n, n);
            for (int j = 0; j < n; j++) s += row[j] * x[j];
            y[i] = s;
        }
    }

    /// <summary>xᵀy.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>The dense Hessian of <paramref name="objective"/> at the current parameters, column by column
    /// from n Hessian-vector products (counted by the objective), symmetrized as (H + Hᵀ)/2.</summary>
    public static double[] Hessian(IObjective objective)
    {
        var flat = objective.Parameters;
        int n = flat.Count;
        var h = new double[n * n];
        var e = FlatVector.Zeros(n, flat.DType);
        for (int j = 0; j < n; j++)
        {
            using var scope = TensorScope.Begin();
            e.Zero();
            e.SetRaw(j, 1);
            var col = objective.HessianVectorProduct(e).ToDoubleArray();
            for (int i = 0; i < n; i++) h[i * n + j] = col[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
            {
                double s = 0.5 * (h[i * n + j] + h[j * n + i]);
                h[i * n + j] = s;
                h[j * n + i] = s;
            }
        return h;
    }

    /// <summary>
    /// The inverse of the symmetric positive definite matrix A + shift·I (row-major n×n): Cholesky A = LLᵀ with
    /// vectorized row dot products, X = L⁻¹ by forward substitution on rows, then A⁻¹ = XᵀX by GEMM. About n³
    /// flops; a 1,000×1,000 K-FAC factor takes a fraction of a second.
    /// </summary>
    /// <exception cref="DescentException">The matrix is not positive definite.</exception>
    public static double[] InverseSpd(double[] a, int n, double shift)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            var li = l.AsSpan(i * n, n);
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * n + j] + (i == j ? shift : 0) - TP.Dot(li[..j], l.AsSpan(j * n, j));
                if (i == j)
                {
                    if (!(s > 0) || !double.IsFinite(s))
                        throw new DescentException($"A damped curvature factor is not positive definite (pivot {s:G3} at row {i}); raise the damping.");
                    li[i] = Math.Sqrt(s);
                }
                else li[j] = s / l[j * n + j];
            }
        }
        var x = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            var xi = x.AsSpan(i * n, i + 1);
            xi[i] = 1;
            for (int k = 0; k < i; k++)
            {
                double c = l[i * n + k];
                if (c != 0) TP.MultiplyAdd(x.AsSpan(k * n, k + 1), -c, xi[..(k + 1)], xi[..(k + 1)]);
            }
            TP.Multiply(xi, 1 / l[i * n + i], xi);
        }
        var xt = Tensor.Wrap(x, n, n);
        return Tensor.MatMul(xt, xt, transA: true).ToDoubleArray();
    }

    /// <summary>Checks that a dense method can afford the model: n×n doubles and n Hessian-vector products per step.</summary>
    /// <exception cref="ConfigurationException">Too many parameters.</exception>
    public static void CheckSize(string method, int count, long maxParams, string alternative)
    {
        if (count > maxParams)
            throw new ConfigurationException($"{method} works with a dense {count}×{count} matrix, but max_params is {maxParams}; " +
                $"use {alternative}, or raise max_params (--set max_params={count}) if the memory and time are acceptable.");
    }
}

using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Data;

/// <summary>
/// The eigendecomposition A = U Λ Uᵀ of a real symmetric matrix, in double precision:
/// <see cref="Values"/> in decreasing order and the matching unit eigenvectors as the rows of
/// <see cref="Vectors"/> (so <see cref="Vectors"/> is Uᵀ, row-major).
/// </summary>
/// <param name="N">The matrix order n.</param>
/// <param name="Values">The n eigenvalues, largest first.</param>
/// <param name="Vectors">Uᵀ as an n×n row-major array: row k is the eigenvector of <c>Values[k]</c>.</param>
public sealed record SymmetricEigenResult(int N, double[] Values, double[] Vectors)
{
    /// <summary>Eigenvector <paramref name="k"/> (a row of Uᵀ).</summary>
    public ReadOnlySpan<double> Vector(int k) => Vectors.AsSpan(k * N, N);
}

/// <summary>The eigenvalues of a symmetric tridiagonal matrix with the ends of its eigenvectors.</summary>
/// <param name="Values">The eigenvalues, largest first.</param>
/// <param name="First">The first component of each unit eigenvector (aligned with <paramref name="Values"/>).</param>
/// <param name="Last">The last component of each unit eigenvector.</param>
public sealed record TridiagonalEigenResult(double[] Values, double[] First, double[] Last);

/// <summary>
/// Eigenvalues and eigenvectors of a symmetric matrix by Householder reduction to tridiagonal form
/// followed by the implicit QL algorithm with Wilkinson-style shifts (Golub &amp; Van Loan, Matrix
/// Computations, §8.3; Wilkinson &amp; Reinsch 1971). About 4n³ flops for the reduction and the
/// accumulation of the transformations and a few n³ for QL, all in contiguous row operations, so a
/// 784×784 covariance takes well under a few seconds.
/// </summary>
public static class SymmetricEigen
{
    private const int MaxIterationsPerValue = 60;

    /// <summary>Decomposes the symmetric n×n matrix <paramref name="matrix"/> (row-major; it is symmetrized as (A + Aᵀ)/2).</summary>
    /// <exception cref="ShapeException">The span does not hold n×n values.</exception>
    /// <exception cref="DescentException">A value is not finite, or QL did not converge.</exception>
    public static SymmetricEigenResult Decompose(ReadOnlySpan<double> matrix, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length != n * n) throw new ShapeException($"SymmetricEigen: {matrix.Length} values for a {n}×{n} matrix.");
        var a = Symmetrized(matrix, n);
        var d = new double[n];
        var e = new double[n];
        var beta = new double[n];
        Tridiagonalize(a, n, d, e, beta);
        var vt = AccumulateTransposed(a, n, beta);
        Ql(d, e, vt, n, n);
        return Sorted(d, vt, n);
    }

    /// <summary>The eigenvalues only of the symmetric n×n matrix <paramref name="matrix"/> (row-major; symmetrized),
    /// largest first: the Householder reduction and QL without accumulating eigenvectors, several times faster
    /// than <see cref="Decompose"/>.</summary>
    /// <exception cref="ShapeException">The span does not hold n×n values.</exception>
    /// <exception cref="DescentException">A value is not finite, or QL did not converge.</exception>
    public static double[] Values(ReadOnlySpan<double> matrix, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length != n * n) throw new ShapeException($"SymmetricEigen: {matrix.Length} values for a {n}×{n} matrix.");
        var a = Symmetrized(matrix, n);
        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(a, n, d, e, new double[n]);
        Ql(d, e, [], n, 0);
        return d.OrderDescending().ToArray();
    }

    /// <summary>
    /// The eigenvalues of the symmetric tridiagonal matrix with <paramref name="diagonal"/> (n values) and
    /// <paramref name="offDiagonal"/> (n − 1 values), largest first, with the first and the last component of each
    /// unit eigenvector: implicit QL tracking two columns only, O(n²). This is what a Lanczos iteration needs at
    /// every step (Ritz values, quadrature weights and the residual bounds).
    /// </summary>
    /// <exception cref="ShapeException">The off-diagonal does not have n − 1 values.</exception>
    public static TridiagonalEigenResult Tridiagonal(ReadOnlySpan<double> diagonal, ReadOnlySpan<double> offDiagonal)
    {
        int n = diagonal.Length;
        if (n == 0 || offDiagonal.Length != n - 1)
            throw new ShapeException($"SymmetricEigen: a tridiagonal matrix of order {n} needs {Math.Max(0, n - 1)} off-diagonal values, got {offDiagonal.Length}.");
        var d = diagonal.ToArray();
        var e = new double[n];
        offDiagonal.CopyTo(e);
        var ends = new double[2 * n];
        ends[0] = 1;
        ends[2 * n - 1] = 1;
        Ql(d, e, ends, n, 2);
        var order = Enumerable.Range(0, n).OrderByDescending(i => d[i]).ThenBy(i => i).ToArray();
        return new TridiagonalEigenResult(order.Select(i => d[i]).ToArray(), order.Select(i => ends[2 * i]).ToArray(),
            order.Select(i => ends[2 * i + 1]).ToArray());
    }

    private static double[] Symmetrized(ReadOnlySpan<double> matrix, int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double v = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
                if (!double.IsFinite(v)) throw new DescentException($"SymmetricEigen: element ({i}, {j}) is {matrix[i * n + j]}; the matrix must be finite.");
                a[i * n + j] = v;
            }
        return a;
    }

    /// <summary>
    /// Reduces A to tridiagonal T = Qᵀ A Q with Householder reflections H_k = I − β_k v_k v_kᵀ
    /// (Q = H_0 ⋯ H_{n−3}). Leaves the diagonal in <paramref name="d"/>, the off-diagonal (e[k] couples
    /// k and k+1) in <paramref name="e"/>, and v_k in row k of <paramref name="a"/> after the diagonal.
    /// </summary>
    private static void Tridiagonalize(double[] a, int n, double[] d, double[] e, double[] beta)
    {
        var p = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            int m = n - k - 1, s0 = k + 1;
            var v = a.AsSpan(k * n + s0, m); // x = A[k, k+1..], which becomes v
            d[k] = a[k * n + k];
            double sigma = TP.Norm<double>(v);
            if (sigma == 0) { e[k] = 0; beta[k] = 0; continue; }
            double x0 = v[0], alpha = x0 >= 0 ? -sigma : sigma;
            v[0] = x0 - alpha;
            double b = 1 / (sigma * sigma + sigma * Math.Abs(x0)); // 2 / vᵀv
            e[k] = alpha;
            beta[k] = b;
            // Trailing block S ← H S H = S − v wᵀ − w vᵀ with p = β S v, w = p − (β pᵀv / 2) v.
            var pw = p.AsSpan(0, m);
            for (int i = 0; i < m; i++) pw[i] = b * TP.Dot<double>(a.AsSpan((s0 + i) * n + s0, m), v);
            double kappa = 0.5 * b * TP.Dot<double>(pw, v);
            TP.MultiplyAdd(v, -kappa, pw, pw);
            for (int i = 0; i < m; i++)
            {
                var row = a.AsSpan((s0 + i) * n + s0, m);
                TP.MultiplyAdd(pw, -v[i], row, row);
                TP.MultiplyAdd(v, -pw[i], row, row);
            }
        }
        if (n >= 2)
        {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 2) * n + n - 1];
        }
        if (n >= 1) d[n - 1] = a[n * n - 1];
    }

    /// <summary>Qᵀ, built as Q = H_0 (H_1 (⋯ H_{n−3})) from the back (each step touches the trailing block only), then transposed.</summary>
    private static double[] AccumulateTransposed(double[] a, int n, double[] beta)
    {
        var q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;
        var u = new double[n];
        for (int k = n - 3; k >= 0; k--)
        {
            if (beta[k] == 0) continue;
            int m = n - k - 1, s0 = k + 1;
            var v = a.AsSpan(k * n + s0, m);
            var uw = u.AsSpan(0, m);
            uw.Clear();
            for (int i = 0; i < m; i++) TP.MultiplyAdd(q.AsSpan((s0 + i) * n + s0, m), v[i], uw, uw); // u = vᵀ S
            for (int i = 0; i < m; i++)
            {
                var row = q.AsSpan((s0 + i) * n + s0, m);
                TP.MultiplyAdd(uw, -beta[k] * v[i], row, row);
            }
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                (q[i * n + j], q[j * n + i]) = (q[j * n + i], q[i * n + j]);
        return q;
    }

    /// <summary>
    /// Implicit QL on the tridiagonal (d, e): chases a bulge from the bottom of each unreduced block
    /// with Givens rotations, shifting by the eigenvalue of the leading 2×2 closer to d[l]. Every rotation
    /// is applied to two rows of <paramref name="vt"/> (rows of <paramref name="width"/> values: all n columns of
    /// Qᵀ, or only the columns a caller tracks), which turns Qᵀ into Uᵀ.
    /// </summary>
    private static void Ql(double[] d, double[] e, double[] vt, int n, int width)
    {
        for (int l = 0; l < n; l++)
        {
            int iterations = 0;
            while (true)
            {
                int m = l;
                for (; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon + 2.3e-16 * dd) break;
                }
                if (m == l) break;
                if (++iterations > MaxIterationsPerValue)
                    throw new DescentException($"SymmetricEigen: QL did not converge for eigenvalue {l} of {n} after {MaxIterationsPerValue} iterations.");
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                double s = 1, c = 1, p = 0;
                bool deflated = false;
                for (int i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    Rotate(vt.AsSpan(i * width, width), vt.AsSpan((i + 1) * width, width), c, s);
                }
                if (deflated) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    /// <summary>(x, y) ← (c·x − s·y, s·x + c·y), element-wise.</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var xv = new Vector<double>(x[i..]);
                var yv = new Vector<double>(y[i..]);
                (vc * xv - vs * yv).CopyTo(x[i..]);
                (vs * xv + vc * yv).CopyTo(y[i..]);
            }
        }
        for (; i < x.Length; i++)
        {
            double xi = x[i], yi = y[i];
            x[i] = c * xi - s * yi;
            y[i] = s * xi + c * yi;
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }

    private static SymmetricEigenResult Sorted(double[] d, double[] vt, int n)
    {
        var order = Enumerable.Range(0, n).OrderByDescending(i => d[i]).ThenBy(i => i).ToArray();
        var values = new double[n];
        var vectors = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            values[k] = d[order[k]];
            vt.AsSpan(order[k] * n, n).CopyTo(vectors.AsSpan(k * n, n));
        }
        return new SymmetricEigenResult(n, values, vectors);
    }
}

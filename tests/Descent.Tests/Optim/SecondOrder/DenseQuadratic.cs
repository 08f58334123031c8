using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Optim.SecondOrder;

/// <summary>f(x) = ½xᵀAx − bᵀx in float64 with exact gradient Ax − b and Hessian-vector product Av (no
/// autograd), and a random symmetric positive definite A = MᵀM/n + I·shift of a seeded stream.</summary>
internal sealed class DenseQuadratic : IObjective
{
    public DenseQuadratic(double[,] a, double[] b, double[] x0)
    {
        A = a;
        B = b;
        Model = new FreeParameters(Tensor.From(x0, x0.Length).To(DType.Float64));
        Parameters = Model.Flat;
    }

    public static DenseQuadratic Random(int n, ulong seed, double shift = 0.1)
    {
        var rng = new Rng(seed);
        var m = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = rng.NextNormal();
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += m[k, i] * m[k, j];
                a[i, j] = s / n + (i == j ? shift : 0);
            }
        var b = Enumerable.Range(0, n).Select(_ => rng.NextNormal()).ToArray();
        return new DenseQuadratic(a, b, new double[n]);
    }

    public double[,] A { get; }

    public double[] B { get; }

    public FreeParameters Model { get; }

    public FlatParameters Parameters { get; }

    public int N => B.Length;

    public int FunctionEvaluations { get; private set; }

    public int GradientEvaluations { get; private set; }

    public int HessianVectorProducts { get; private set; }

    public double[] X => Parameters.Values.ToDoubleArray();

    public double[] Apply(double[] v)
    {
        var r = new double[N];
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) r[i] += A[i, j] * v[j];
        return r;
    }

    public double Evaluate(bool computeGradient = true)
    {
        FunctionEvaluations++;
        var x = X;
        var ax = Apply(x);
        double f = 0;
        for (int i = 0; i < N; i++) f += 0.5 * x[i] * ax[i] - B[i] * x[i];
        if (computeGradient)
        {
            GradientEvaluations++;
            var g = Parameters.Grads.Doubles;
            for (int i = 0; i < N; i++) g[i] = ax[i] - B[i];
        }
        return f;
    }

    public Tensor HessianVectorProduct(Tensor v)
    {
        HessianVectorProducts++;
        return Tensor.From(Apply(v.ToDoubleArray()), N);
    }

    /// <summary>The minimizer A⁻¹b by Gaussian elimination.</summary>
    public double[] Solution()
    {
        var m = (double[,])A.Clone();
        var x = (double[])B.Clone();
        for (int c = 0; c < N; c++)
        {
            int piv = Enumerable.Range(c, N - c).MaxBy(r => Math.Abs(m[r, c]));
            for (int k = 0; k < N; k++) (m[c, k], m[piv, k]) = (m[piv, k], m[c, k]);
            (x[c], x[piv]) = (x[piv], x[c]);
            for (int r = c + 1; r < N; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int k = c; k < N; k++) m[r, k] -= f * m[c, k];
                x[r] -= f * x[c];
            }
        }
        for (int r = N - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int k = r + 1; k < N; k++) s -= m[r, k] * x[k];
            x[r] = s / m[r, r];
        }
        return x;
    }
}

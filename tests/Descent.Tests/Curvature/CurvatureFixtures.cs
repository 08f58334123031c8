using Descent.Autograd;
using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Tests.Curvature;

/// <summary>Tiny float64 models for curvature tests, and dense reference matrices built independently of the
/// curvature layer from Jacobians and dense Hessians (<see cref="Derivatives"/>).</summary>
internal static class CurvatureFixtures
{
    public const DType F64 = DType.Float64;

    /// <summary>A 4-5-3 tanh network (43 parameters) on 7 examples.</summary>
    public static (Module Model, Tensor X, Targets Y) Tiny(ILoss loss, ulong seed = 1, int n = 7)
    {
        var model = new Sequential(new Linear(4, 5, rng: new Rng(seed), dtype: F64), new Tanh(), new Linear(5, 3, rng: new Rng(seed + 1), dtype: F64));
        var x = Tensor.Randn(new Shape(n, 4), new Rng(seed + 2), dtype: F64).CloneUnscoped();
        Targets y;
        var rng = new Rng(seed + 3);
        if (loss is MeanSquaredError) y = Tensor.Randn(new Shape(n, 3), rng, dtype: F64).CloneUnscoped();
        else if (loss is BinaryCrossEntropyWithLogits) y = Tensor.From(Enumerable.Range(0, n * 3).Select(_ => (double)rng.NextInt(2)).ToArray(), n, 3).CloneUnscoped();
        else y = Enumerable.Range(0, n).Select(_ => rng.NextInt(3)).ToArray();
        return (model, x, y);
    }

    /// <summary>The model's outputs as a function of the flat parameter vector θ (differentiable in θ).</summary>
    public static Func<Tensor, Tensor> OutputsOf(Module model, Tensor x) => theta =>
    {
        var flat = model.Flat;
        var parts = flat.Split(theta);
        var map = new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < parts.Length; i++) map[flat.Slots[i].Parameter] = parts[i];
        return Functional.Call(map, () => model.Forward(x)).Reshape(-1);
    };

    /// <summary>The dense Jacobian J [M, n] of the outputs (flattened) in θ.</summary>
    public static double[,] Jacobian(Module model, Tensor x) => ToMatrix(Derivatives.Jacobian(OutputsOf(model, x), model.Flat.Values.Clone()));

    /// <summary>The dense Hessian [M, M] of the mean loss in the (flattened) outputs.</summary>
    public static double[,] OutputHessian(ILoss loss, Tensor outputs, Targets y)
    {
        var shape = outputs.Shape.ToArray();
        return ToMatrix(Derivatives.Hessian(z => loss.Compute(z.Reshape(shape), y), outputs.Detach().Reshape(-1).Clone()));
    }

    /// <summary>The dense Hessian [n, n] of the mean loss (without penalties) in θ.</summary>
    public static double[,] LossHessian(Module model, ILoss loss, Tensor x, Targets y) =>
        ToMatrix(Derivatives.Hessian(theta => loss.Compute(OutputsOf(model, x)(theta).Reshape(x.Shape[0], -1), y), model.Flat.Values.Clone()));

    /// <summary>AᵀBA.</summary>
    public static double[,] Sandwich(double[,] a, double[,] b)
    {
        int m = a.GetLength(0), n = a.GetLength(1);
        var ba = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < m; k++) s += b[i, k] * a[k, j];
                ba[i, j] = s;
            }
        var r = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < m; k++) s += a[k, i] * ba[k, j];
                r[i, j] = s;
            }
        return r;
    }

    public static double[,] ToMatrix(Tensor t)
    {
        int m = t.Shape[0], n = t.Shape[1];
        var a = new double[m, n];
        var v = t.ToDoubleArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) a[i, j] = v[i * n + j];
        return a;
    }

    public static double[,] ToMatrix(double[] rowMajor, int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i, j] = rowMajor[i * n + j];
        return a;
    }

    /// <summary>max |a − b| / max(1, max |b|).</summary>
    public static double RelativeError(double[,] a, double[,] b)
    {
        double diff = 0, scale = 1;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
            {
                diff = Math.Max(diff, Math.Abs(a[i, j] - b[i, j]));
                scale = Math.Max(scale, Math.Abs(b[i, j]));
            }
        return diff / scale;
    }

    public static double[,] Dense(ICurvature c) => ToMatrix(c.Dense(), c.Dimension);
}

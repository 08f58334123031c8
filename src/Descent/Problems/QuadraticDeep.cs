using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Problems;

/// <summary>
/// The DeepOBS <c>quadratic_deep</c> problem: a 100-dimensional noisy quadratic
/// <c>ℓ(θ; x) = ½ (θ − x)ᵀ Q (θ − x)</c> where Q = Rᵀ diag(λ) R has 90 eigenvalues from U(0, 1) and 10 from
/// U(30, 60) under a random rotation R (so the Hessian's spectrum resembles a deep network's: many small,
/// few large), and the data points x ~ N(0, I) make mini-batch gradients noisy. θ starts at 1.
/// </summary>
public sealed class QuadraticDeep : Problem
{
    /// <summary>Dimension of θ.</summary>
    public const int Dimension = 100;

    /// <inheritdoc />
    public override string Name => "quadratic_deep";

    /// <inheritdoc />
    public override string Description => "noisy 100-D quadratic with a deep-network-like Hessian spectrum (DeepOBS)";

    /// <inheritdoc />
    public override bool IsClassification => false;

    /// <inheritdoc />
    public override ILoss Loss => new QuadraticFormLoss(HessianMatrix(0));

    /// <inheritdoc />
    public override Module BuildModel(ulong seed) => new Offset(Dimension);

    /// <summary>The matrix Q for a given seed (float64, [100, 100]).</summary>
    public static Tensor HessianMatrix(ulong seed)
    {
        var rng = Rng.Stream(seed, "quadratic_deep.hessian");
        var eig = DrawSpectrum(rng);
        var r = RandomRotation(rng, Dimension);
        var q = new double[Dimension * Dimension];
        for (int i = 0; i < Dimension; i++)
            for (int j = 0; j < Dimension; j++)
            {
                double s = 0;
                for (int k = 0; k < Dimension; k++) s += r[k, i] * eig[k] * r[k, j];
                q[i * Dimension + j] = s;
            }
        return Tensor.From(q, Dimension, Dimension);
    }

    /// <summary>The constructed eigenvalues of <see cref="HessianMatrix"/> for a seed, largest first (the
    /// Hessian of the objective, since the mean of ½dᵀQd over any batch has Hessian Q).</summary>
    public static double[] Spectrum(ulong seed) => DrawSpectrum(Rng.Stream(seed, "quadratic_deep.hessian")).OrderDescending().ToArray();

    private static double[] DrawSpectrum(Rng rng)
    {
        var eig = new double[Dimension];
        for (int i = 0; i < 90; i++) eig[i] = rng.NextDouble();
        for (int i = 90; i < Dimension; i++) eig[i] = 30 + 30 * rng.NextDouble();
        return eig;
    }

    /// <inheritdoc />
    public override DataSplits LoadData(ProblemContext context)
    {
        Dataset Make(int n, string name)
        {
            var x = Tensor.Randn(new Shape(n, Dimension), Rng.Stream(context.Seed, "quadratic_deep." + name));
            return new Dataset(x.CloneUnscoped(), targets: Tensor.ZerosUnscoped(new Shape(n, 1)), name: "quadratic_deep " + name);
        }
        return new DataSplits(Make(1000, "train"), Make(200, "validation"), Make(1000, "test"), "synthetic (seeded)");
    }

    /// <summary>An orthogonal matrix from Gram–Schmidt on Gaussian vectors.</summary>
    internal static double[,] RandomRotation(Rng rng, int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i, j] = rng.NextNormal();
            for (int pass = 0; pass < 2; pass++)
                for (int k = 0; k < i; k++)
                {
                    double dot = 0;
                    for (int j = 0; j < n; j++) dot += m[i, j] * m[k, j];
                    for (int j = 0; j < n; j++) m[i, j] -= dot * m[k, j];
                }
            double norm = 0;
            for (int j = 0; j < n; j++) norm += m[i, j] * m[i, j];
            norm = Math.Sqrt(norm);
            for (int j = 0; j < n; j++) m[i, j] /= norm;
        }
        return m;
    }

    /// <summary>θ − x for a batch of x ([B, n] → [B, n]); θ is the only parameter, initialized to 1.</summary>
    private sealed class Offset : Module
    {
        private readonly Parameter theta;

        public Offset(int n) => theta = AddParameter("theta", Tensor.Ones(new Shape(n)), ParameterKind.Other);

        public override Tensor Forward(Tensor input) => Functional.Value(theta) - input;
    }
}

/// <summary>The mean over the batch of <c>½ dᵀ Q d</c> for rows d of the prediction (targets unused).</summary>
public sealed class QuadraticFormLoss(Tensor q) : ILoss
{
    private readonly Tensor q32 = q.To(DType.Float32).CloneUnscoped();
    private readonly Tensor q64 = q.To(DType.Float64).CloneUnscoped();

    /// <inheritdoc />
    public string Name => "quadratic_form";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        var qm = prediction.DType == DType.Float32 ? q32 : q64;
        var qd = Tensor.MatMul(prediction, qm);
        return (prediction * qd).Sum(1).Mean() * 0.5;
    }
}

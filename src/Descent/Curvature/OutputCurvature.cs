using Descent.Autograd;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The loss as a function of the network's outputs z [N, …] on one chunk: its Hessian H_ℓ = ∂²L/∂z² times a
/// vector (the middle factor of the Gauss-Newton matrix JᵀH_ℓJ), the per-example output gradients
/// rₙ = ∇_{zₙ}ℓₙ = N·∇_{zₙ}L, and labels drawn from the model's predictive distribution. L is the mean loss
/// (1/N)Σℓₙ, so every quantity carries the losses' own scale.
/// <para>Closed forms: softmax cross-entropy with class labels, H_ℓ r = (1/N)(p⊙r − p (pᵀr)) row by row;
/// mean squared error over M elements, H_ℓ = (2/M) I. Any other loss: double backward in z (cheap, in the
/// output space only).</para>
/// </summary>
internal sealed class OutputCurvature
{
    private readonly ILoss loss;
    private readonly Targets targets;
    private readonly Tensor z;
    private readonly int n;
    private Tensor? probabilities;
    private Func<IReadOnlyList<Tensor>, Tensor[]>? hvp;

    /// <summary>The output curvature of <paramref name="loss"/> at the output values <paramref name="outputs"/>
    /// (not recorded; copied if scoped memory is to be kept).</summary>
    public OutputCurvature(ILoss loss, Tensor outputs, Targets targets)
    {
        this.loss = loss;
        this.targets = targets;
        z = outputs.Detach();
        n = targets.Count;
    }

    private bool ClassCrossEntropy => loss is CrossEntropy && targets.IsClasses && z.Rank == 2;

    /// <summary>True if the loss is the negative log-likelihood of an exponential family in the outputs, so
    /// the true Fisher equals the Gauss-Newton matrix and labels can be sampled from the model.</summary>
    public static bool IsLikelihood(ILoss loss, Targets targets) =>
        (loss is CrossEntropy && targets.IsClasses) || loss is MeanSquaredError || loss is BinaryCrossEntropyWithLogits;

    /// <summary>Records what <see cref="HessianTimes"/> needs (softmax probabilities or the double-backward
    /// graph) in the current scope.</summary>
    public void Prepare()
    {
        if (ClassCrossEntropy) Probabilities();
        else if (loss is not MeanSquaredError) hvp ??= BuildHvp();
    }

    /// <summary>H_ℓ·<paramref name="r"/> (r shaped like the outputs).</summary>
    public Tensor HessianTimes(Tensor r)
    {
        using var _ = Autodiff.NoGrad();
        if (ClassCrossEntropy)
        {
            var p = Probabilities();
            var pr = p * r;
            return (pr - p * pr.Sum(1, keepDim: true)) * (1.0 / n);
        }
        if (loss is MeanSquaredError) return r * (2.0 / z.Size);
        hvp ??= BuildHvp();
        return hvp([r])[0];
    }

    private Func<IReadOnlyList<Tensor>, Tensor[]> BuildHvp()
    {
        using var _ = Autodiff.EnableGrad();
        var zl = z.Detach().RequireGrad();
        return Derivatives.HvpOperator(loss.Compute(zl, targets), [zl]);
    }

    private Tensor Probabilities()
    {
        if (probabilities is null)
        {
            using var _ = Autodiff.NoGrad();
            probabilities = z.Softmax(1);
        }
        return probabilities;
    }

    /// <summary>The per-example output gradients rₙ = N·∇_{zₙ}L at <paramref name="labels"/> (the true targets
    /// for the empirical Fisher, sampled ones for the Monte Carlo Fisher), shaped like the outputs.</summary>
    public Tensor ExampleGradients(Targets labels)
    {
        using var _ = Autodiff.EnableGrad();
        var zl = z.Detach().RequireGrad();
        var g = Autodiff.Grad(loss.Compute(zl, labels), [zl])[0] ?? Tensor.ZerosLike(z);
        using var __ = Autodiff.NoGrad();
        return g * n;
    }

    /// <summary>Labels drawn from the model's predictive distribution p(y | zₙ) whose negative log-likelihood is
    /// the per-example loss ℓₙ: a class from softmax(zₙ) for cross-entropy; zₙ + N(0, M/(2N)) for mean squared
    /// error over M elements (ℓₙ = (N/M)‖zₙ − y‖²); a Bernoulli(σ(zₙ)) bit for the logistic loss with one output per example.</summary>
    public Targets SampleLabels(Rng rng)
    {
        var zv = z.ToDoubleArray();
        if (loss is CrossEntropy && targets.IsClasses)
        {
            int c = z.Shape[1];
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int j = 0; j < c; j++) max = Math.Max(max, zv[i * c + j]);
                for (int j = 0; j < c; j++) sum += Math.Exp(zv[i * c + j] - max);
                double u = rng.NextDouble() * sum, acc = 0;
                int k = c - 1;
                for (int j = 0; j < c; j++)
                {
                    acc += Math.Exp(zv[i * c + j] - max);
                    if (u < acc) { k = j; break; }
                }
                y[i] = k;
            }
            return Targets.FromClasses(y);
        }
        var t = new double[zv.Length];
        if (loss is MeanSquaredError)
        {
            double sd = Math.Sqrt(zv.Length / (2.0 * n));
            for (int i = 0; i < t.Length; i++) t[i] = zv[i] + sd * rng.NextNormal();
        }
        else if (loss is BinaryCrossEntropyWithLogits)
        {
            if (zv.Length != n)
                throw new ConfigurationException($"The sampled Fisher of bce_logits needs one output per example (the per-example loss is then a Bernoulli log-likelihood); the outputs have shape {z.Shape}.");
            for (int i = 0; i < t.Length; i++) t[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-zv[i])) ? 1 : 0;
        }
        else throw new ConfigurationException($"Labels cannot be sampled from the model for loss '{loss.Name}'; the sampled Fisher needs cross_entropy (class labels), mse or bce_logits.");
        return Targets.FromTensor(Tensor.From(t, z.Shape.ToArray()).To(z.DType));
    }
}

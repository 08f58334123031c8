using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>The loss an output layer is trained with, which decides its optimal constant prediction.</summary>
public enum OutputLoss
{
    /// <summary>Squared error (MSE): the optimal constant is the mean target.</summary>
    SquaredError,
    /// <summary>Softmax cross-entropy over classes: the optimal logits are the log class frequencies.</summary>
    SoftmaxCrossEntropy,
    /// <summary>Sigmoid binary cross-entropy: the optimal logit is the logit of the positive rate.</summary>
    BinaryCrossEntropy,
}

/// <summary>
/// The output-layer bias that is optimal when the last layer's weights are zero: <c>b* = argmin_b ℓ(y, b)</c>
/// over the training targets, so the network starts as the best constant (marginal) predictor and its
/// first steps learn the input-dependent part instead of the class balance or the target's offset (the
/// course's "output bias" scheme; cf. Goodfellow et al. 2016, §8.4). Use the result with
/// <see cref="InitScheme.Values"/> or <see cref="Scheme"/>.
/// </summary>
public static class OutputBias
{
    /// <summary>Squared loss: the mean target, <c>b = ȳ</c>. Targets <c>[N]</c> give a bias of shape
    /// <c>[1]</c>; targets <c>[N, k]</c> the column means <c>[k]</c>. Then the loss (mean over all elements)
    /// at step 0 is the variance of the targets.</summary>
    public static Tensor MeanTarget(Tensor targets)
    {
        var (n, k, y) = Columns(targets, "MeanTarget");
        var b = new double[k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) b[j] += y[i * k + j];
        for (int j = 0; j < k; j++) b[j] /= n;
        return Tensor.From(b, k);
    }

    /// <summary>
    /// Softmax cross-entropy: <c>b_c = log(n_c / N)</c>, the log class frequencies, so that
    /// <c>softmax(b)</c> equals the empirical class priors and the loss at step 0 is their entropy
    /// <c>−Σ p_c log p_c</c>. A class absent from <paramref name="labels"/> (whose optimum is −∞) gets
    /// <c>log(½ / N)</c> instead.
    /// </summary>
    public static Tensor LogPriors(ReadOnlySpan<int> labels, int classes)
    {
        if (classes < 1) throw new ConfigurationException($"LogPriors needs at least one class; got {classes}.");
        if (labels.Length == 0) throw new ShapeException("LogPriors needs at least one label.");
        var counts = new double[classes];
        foreach (int y in labels)
        {
            if ((uint)y >= (uint)classes)
                throw new DataFormatException($"Label {y} is outside [0, {classes}); pass the right number of classes.");
            counts[y]++;
        }
        var b = new double[classes];
        for (int c = 0; c < classes; c++) b[c] = Math.Log(Math.Max(counts[c], 0.5) / labels.Length);
        return Tensor.From(b, classes);
    }

    /// <summary>
    /// Binary cross-entropy on logits: <c>b = log(p / (1 − p))</c> with <c>p</c> the mean of the 0/1 (or
    /// soft) targets, per column for <c>[N, k]</c> targets; then <c>sigmoid(b) = p</c> and the loss at
    /// step 0 is the binary entropy <c>−p log p − (1−p) log(1−p)</c>. A rate of 0 or 1 is clipped to
    /// <c>½/N</c> from the boundary.
    /// </summary>
    public static Tensor LogitPositiveRate(Tensor targets)
    {
        var (n, k, y) = Columns(targets, "LogitPositiveRate");
        var b = new double[k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
            {
                double v = y[i * k + j];
                if (!(v >= 0 && v <= 1)) throw new DataFormatException($"Binary targets must lie in [0, 1]; found {v}.");
                b[j] += v;
            }
        double eps = 0.5 / n;
        for (int j = 0; j < k; j++)
        {
            double p = Math.Clamp(b[j] / n, eps, 1 - eps);
            b[j] = Math.Log(p / (1 - p));
        }
        return Tensor.From(b, k);
    }

    /// <summary>The optimal output bias for <paramref name="loss"/> as a scheme for an <see cref="InitPlan"/>
    /// rule. For <see cref="OutputLoss.SoftmaxCrossEntropy"/>, <paramref name="targets"/> holds class indices
    /// and <paramref name="classes"/> is required.</summary>
    public static InitScheme Scheme(OutputLoss loss, Tensor targets, int classes = 0) => loss switch
    {
        OutputLoss.SquaredError => InitScheme.Values(MeanTarget(targets), "output_bias:mean_target"),
        OutputLoss.BinaryCrossEntropy => InitScheme.Values(LogitPositiveRate(targets), "output_bias:logit_rate"),
        OutputLoss.SoftmaxCrossEntropy => InitScheme.Values(LogPriors(Labels(targets), classes), "output_bias:log_priors"),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    };

    private static int[] Labels(Tensor targets)
    {
        var v = targets.ToDoubleArray();
        var labels = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] != Math.Floor(v[i])) throw new DataFormatException($"Class labels must be integers; found {v[i]}.");
            labels[i] = (int)v[i];
        }
        return labels;
    }

    private static (int N, int K, double[] Y) Columns(Tensor targets, string what)
    {
        if (targets.Rank is not (1 or 2) || targets.Size == 0)
            throw new ShapeException($"{what} needs non-empty targets of shape [N] or [N, k]; got {targets.Shape}.");
        int n = targets.Shape[0], k = targets.Rank == 1 ? 1 : targets.Shape[1];
        return (n, k, targets.ToDoubleArray());
    }
}

using Descent.Tensors;

namespace Descent.Nn;

/// <summary>Evaluation metrics computed from predictions (not differentiable).</summary>
public static class Metrics
{
    /// <summary>The fraction of rows of <paramref name="logits"/> [N, C] whose largest entry is at the
    /// label's column (ties go to the first maximal column).</summary>
    public static double Accuracy(Tensor logits, int[] labels) => (double)Correct(logits, labels) / Math.Max(labels.Length, 1);

    /// <summary>The number of rows of <paramref name="logits"/> [N, C] classified correctly.</summary>
    public static int Correct(Tensor logits, int[] labels)
    {
        if (logits.Rank != 2 || logits.Shape[0] != labels.Length)
            throw new ShapeException($"Accuracy: {labels.Length} labels for scores of shape {logits.Shape} (needs [N, C] with N = {labels.Length}).");
        var predicted = logits.ArgMax(1);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (predicted[i] == labels[i]) correct++;
        return correct;
    }
}

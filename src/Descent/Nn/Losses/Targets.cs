using Descent.Tensors;

namespace Descent.Nn.Losses;

/// <summary>
/// What a loss compares predictions with: integer class indices (classification) or a tensor
/// (regression values, soft class probabilities, binary labels). Converts implicitly from
/// <c>int[]</c> and <see cref="Tensor"/>, so <c>loss.Compute(logits, labels)</c> reads naturally.
/// </summary>
public sealed class Targets
{
    private Targets(int[]? classes, Tensor? values)
    {
        Classes = classes;
        Values = values;
    }

    /// <summary>Class indices, one per example, or null when the targets are a tensor.</summary>
    public int[]? Classes { get; }

    /// <summary>The target tensor (first axis = examples), or null when the targets are class indices.</summary>
    public Tensor? Values { get; }

    /// <summary>True when the targets are class indices.</summary>
    public bool IsClasses => Classes is not null;

    /// <summary>Number of examples.</summary>
    public int Count => Classes?.Length ?? (Values!.Rank == 0 ? 1 : Values.Shape[0]);

    /// <summary>Targets given as class indices.</summary>
    public static Targets FromClasses(int[] classes) => new(classes ?? throw new ArgumentNullException(nameof(classes)), null);

    /// <summary>Targets given as a tensor.</summary>
    public static Targets FromTensor(Tensor values) => new(null, values ?? throw new ArgumentNullException(nameof(values)));

    /// <summary>Class indices as targets.</summary>
    public static implicit operator Targets(int[] classes) => FromClasses(classes);

    /// <summary>A tensor as targets.</summary>
    public static implicit operator Targets(Tensor values) => FromTensor(values);

    /// <summary>Examples <paramref name="start"/> … <paramref name="start"/>+<paramref name="count"/>−1 (a view for tensors).</summary>
    public Targets Rows(int start, int count) => Classes is not null
        ? new(Classes.AsSpan(start, count).ToArray(), null)
        : new(null, Values!.Rows(start, count));

    /// <summary>The examples at <paramref name="indices"/> (a mini-batch).</summary>
    public Targets Index(int[] indices) => Classes is not null
        ? new(indices.Select(i => Classes[i]).ToArray(), null)
        : new(null, Values!.IndexRows(indices));

    /// <summary>The class indices; a loss that needs them calls this and names itself in the error.</summary>
    public int[] RequireClasses(string lossName) => Classes
        ?? throw new ConfigurationException($"Loss '{lossName}' needs integer class targets, got a tensor of shape {Values!.Shape}.");

    /// <summary>The targets as a tensor shaped like <paramref name="prediction"/>: the tensor itself
    /// (reshaped if only the shape differs, e.g. [N] for [N, 1]), or, for class indices, a one-hot matrix
    /// when the prediction is [N, C] and the indices themselves (0/1 labels) when it has one value per example.</summary>
    public Tensor AsTensorLike(Tensor prediction, string lossName)
    {
        Tensor t;
        if (Classes is not null)
        {
            if (prediction.Rank == 2 && prediction.Shape[1] > 1)
            {
                if (prediction.Shape[0] != Classes.Length)
                    throw new ShapeException($"Loss '{lossName}': {Classes.Length} class targets for predictions of shape {prediction.Shape}.");
                return Tensor.OneHot(Classes, prediction.Shape[1], prediction.DType);
            }
            t = Tensor.From(Classes.Select(c => (double)c).ToArray()).To(prediction.DType);
        }
        else t = Values!.DType == prediction.DType ? Values : Values.To(prediction.DType);
        if (t.Size != prediction.Size)
            throw new ShapeException($"Loss '{lossName}': targets of shape {t.Shape} do not match predictions of shape {prediction.Shape}.");
        return t.Shape == prediction.Shape ? t : t.Reshape(prediction.Shape.ToArray());
    }

    /// <inheritdoc />
    public override string ToString() => Classes is not null ? $"Targets({Classes.Length} classes)" : $"Targets({Values!.Shape})";
}

using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// Inverted dropout (Srivastava et al. 2014): in training mode each element is zeroed with probability
/// p and the survivors are scaled by 1/(1 − p), so the expected activation is unchanged and evaluation
/// needs no rescaling; in evaluation mode the layer is the identity. Masks come from the layer's own
/// seeded stream (<see cref="Rng"/>), so runs are reproducible and the stream can be checkpointed. Inside a
/// <see cref="BatchShard"/> (data-parallel training) the mask is drawn for the global batch and this process's
/// rows are kept.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1).</param>
    /// <param name="rng">The stream for the masks; by default a stream seeded from <see cref="DefaultRng.Current"/>.</param>
    public Dropout(double p = 0.5, Rng? rng = null)
    {
        if (p < 0 || p >= 1 || double.IsNaN(p))
            throw new ConfigurationException($"Dropout probability must be in [0, 1), got {p}.");
        P = p;
        Rng = rng ?? new Rng(DefaultRng.Current.NextUInt64());
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>The stream the masks are drawn from.</summary>
    public Rng Rng { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (!Training || P == 0) return input;
        if (BatchShard.Current is { } s && input.Rank > 0 && input.Shape[0] == s.Rows && s.GlobalRows != s.Rows)
        {
            // data parallelism: the global batch's mask, this process's rows of it
            var dims = input.Shape.ToArray();
            dims[0] = s.GlobalRows;
            return input * Tensor.DropoutMask(new Shape(dims), P, Rng, input.DType).Rows(s.Offset, s.Rows);
        }
        return input * Tensor.DropoutMask(input.Shape, P, Rng, input.DType);
    }

    /// <inheritdoc />
    public override string ToString() => $"Dropout({P})";
}

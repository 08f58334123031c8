using Descent.Tensors;

namespace Descent.Nn;

/// <summary>What a parameter is for; rules that pick parameter groups (e.g. "no weight decay on biases
/// and normalization parameters") and initialization schemes select by it.</summary>
public enum ParameterKind
{
    /// <summary>A weight matrix or convolution kernel.</summary>
    Weight,
    /// <summary>An additive bias.</summary>
    Bias,
    /// <summary>A normalization layer's learned scale (γ, or g in weight normalization).</summary>
    NormScale,
    /// <summary>A normalization layer's learned shift (β).</summary>
    NormShift,
    /// <summary>Anything else (embeddings, free variables of test problems).</summary>
    Other,
}

/// <summary>
/// A trainable tensor of a <see cref="Module"/>. Once the model's <see cref="Module.Flat"/> buffer exists,
/// every parameter is a view into that one flat buffer and its <see cref="Tensor.Grad"/> a view into the
/// matching flat gradient buffer, so optimizers, Hessian-vector products and checkpoints work on two
/// contiguous arrays.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Creates a parameter holding a copy of <paramref name="value"/>.</summary>
    public Parameter(Tensor value, ParameterKind kind = ParameterKind.Other)
        : base(CopyStorage(value), 0, value.Shape)
    {
        Kind = kind;
        RequiresGrad = true;
    }

    /// <summary>What the parameter is for.</summary>
    public ParameterKind Kind { get; }

    /// <summary>The flat buffer this parameter currently lives in, if any.</summary>
    public FlatParameters? Flat { get; internal set; }

    private static Storage CopyStorage(Tensor value)
    {
        var c = value.CloneUnscoped();
        return c.storage;
    }
}

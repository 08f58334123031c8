using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// A residual block <c>y = x + body(x)</c> (He et al. 2016), or just <c>y = body(x)</c> when
/// <see cref="Skip"/> is false: the same network with and without skip connections, for comparing how
/// trainable deep plain and residual networks are (and their loss surfaces, Li et al. 2018).
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Wraps <paramref name="body"/>; with <paramref name="skip"/> the input is added to its output
    /// (which must then have the input's shape).</summary>
    public Residual(Module body, bool skip = true)
    {
        Body = AddModule("body", body);
        Skip = skip;
    }

    /// <summary>The wrapped module.</summary>
    public Module Body { get; }

    /// <summary>Whether the identity path is added.</summary>
    public bool Skip { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var y = Body.Forward(input);
        if (!Skip) return y;
        if (y.Shape != input.Shape)
            throw new ShapeException($"Residual: the body maps {input.Shape} to {y.Shape}; a skip connection needs equal shapes (add a projection or use skip: false).");
        return input + y;
    }

    /// <inheritdoc />
    public override string ToString() => Skip ? "Residual" : "Residual(no skip)";
}

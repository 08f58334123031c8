using Descent.Tensors;

namespace Descent.Nn;

/// <summary>Flattens every axis from <see cref="StartAxis"/> on into one: [N, C, H, W] → [N, C·H·W]
/// (a view, no copy).</summary>
/// <param name="startAxis">The first axis to merge (1 keeps the batch axis).</param>
public sealed class Flatten(int startAxis = 1) : Module
{
    /// <summary>The first axis merged.</summary>
    public int StartAxis { get; } = startAxis;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Flatten(StartAxis);
}

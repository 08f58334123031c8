using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// Peephole fusion inside <see cref="Sequential"/>: a run of layers that has a fused op is computed by that
/// op, with the same values and gradients (to every order) but fewer passes over memory. The layers stay
/// what they are (names, parameters, state dictionaries); only the computation is shared. Fused today:
/// <c>Conv2d → ReLU → MaxPool2d(2)</c> (<see cref="Tensor.Conv2dReluMaxPool2"/>).
/// </summary>
internal static class Fusion
{
    /// <summary>If the layers from <paramref name="start"/> on begin with a fusable run, computes it on
    /// <paramref name="input"/> and returns how many layers it covered; otherwise 0.</summary>
    public static int TryForward(IReadOnlyList<Module> layers, int start, Tensor input, out Tensor output)
    {
        output = input;
        if (start + 2 < layers.Count && layers[start] is Conv2d conv && layers[start + 1] is ReLU
            && layers[start + 2] is MaxPool2d { Kernel: 2, Stride: 2, Padding: 0 } && input.Rank == 4)
        {
            output = Tensor.Conv2dReluMaxPool2(input, Functional.Value(conv.Weight), conv.Bias is null ? null : Functional.Value(conv.Bias),
                conv.Stride, conv.Padding, conv.Dilation);
            return 3;
        }
        return 0;
    }
}

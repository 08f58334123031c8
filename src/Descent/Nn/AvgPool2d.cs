using Descent.Tensors;

namespace Descent.Nn;

/// <summary>2-D average pooling over [N, C, H, W] (PyTorch's <c>nn.AvgPool2d</c> with
/// <c>count_include_pad = true</c>; see <see cref="Tensor.AvgPool2d"/>).</summary>
/// <param name="kernel">Window size.</param>
/// <param name="stride">Step between windows (default: the kernel size).</param>
/// <param name="padding">Zero padding on each side (at most kernel/2).</param>
public sealed class AvgPool2d(int kernel, int? stride = null, int padding = 0) : Module
{
    /// <summary>Window size.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Step between windows.</summary>
    public int Stride { get; } = stride ?? kernel;

    /// <summary>Padding on each side.</summary>
    public int Padding { get; } = padding;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.AvgPool2d(Kernel, Stride, Padding);

    /// <inheritdoc />
    public override string ToString() => $"AvgPool2d({Kernel}, stride {Stride}, padding {Padding})";
}

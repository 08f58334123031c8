using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// A 2-D convolution layer over [N, C, H, W] images (PyTorch's <c>nn.Conv2d</c>, cross-correlation):
/// weight [out, in, kH, kW], bias [out], output [N, out, OH, OW] (see
/// <see cref="Tensor.Conv2d(Tensor, Tensor, Tensor?, int, int, int)"/>). Default initialization is
/// PyTorch's: weight and bias from U(−1/√fan_in, 1/√fan_in) with fan_in = in·kH·kW
/// (<c>kaiming_uniform_</c> with a = √5).
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates a layer with a square kernel and equal stride, padding and dilation on both axes.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernel">Kernel size.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">Zeros added on each side.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="rng">Stream for the default initialization (default: <see cref="DefaultRng.Current"/>).</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1,
        bool bias = true, Rng? rng = null, DType dtype = DType.Float32)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding), (dilation, dilation), bias, rng, dtype)
    {
    }

    /// <summary>Creates a layer with separate (height, width) kernel size, stride, padding and dilation.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernel">Kernel size (height, width).</param>
    /// <param name="stride">Step between windows (height, width).</param>
    /// <param name="padding">Zeros added on each side (height, width).</param>
    /// <param name="dilation">Spacing between kernel taps (height, width).</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="rng">Stream for the default initialization (default: <see cref="DefaultRng.Current"/>).</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding,
        (int H, int W) dilation, bool bias = true, Rng? rng = null, DType dtype = DType.Float32)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernel.H <= 0 || kernel.W <= 0)
            throw new ConfigurationException($"Conv2d needs positive channel counts and kernel size, got in={inChannels}, out={outChannels}, kernel={kernel}.");
        if (stride.H < 1 || stride.W < 1 || dilation.H < 1 || dilation.W < 1 || padding.H < 0 || padding.W < 0)
            throw new ConfigurationException($"Conv2d: stride and dilation must be ≥ 1 and padding ≥ 0, got stride={stride}, padding={padding}, dilation={dilation}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        rng ??= DefaultRng.Current;
        double bound = 1 / Math.Sqrt(inChannels * kernel.H * kernel.W);
        Weight = AddParameter("weight", Tensor.Rand(new Shape(outChannels, inChannels, kernel.H, kernel.W), rng, -bound, bound, dtype), ParameterKind.Weight);
        if (bias) Bias = AddParameter("bias", Tensor.Rand(new Shape(outChannels), rng, -bound, bound, dtype), ParameterKind.Bias);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size (height, width).</summary>
    public (int H, int W) Kernel { get; }

    /// <summary>Stride (height, width).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding (height, width).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Dilation (height, width).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>The kernels [out, in, kH, kW].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var y = Tensor.Conv2d(input, Functional.Value(Weight), Bias is null ? null : Functional.Value(Bias), Stride, Padding, Dilation);
        ActivationCapture.Record(this, input, y);
        return y;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Conv2d({InChannels} → {OutChannels}, kernel {Kernel.H}×{Kernel.W}, stride {Stride.H}×{Stride.W}, padding {Padding.H}×{Padding.W}{(Dilation != (1, 1) ? $", dilation {Dilation.H}×{Dilation.W}" : "")})";
}

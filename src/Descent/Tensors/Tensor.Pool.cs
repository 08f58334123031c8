using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>
    /// 2-D max pooling of an [N, C, H, W] tensor over <paramref name="kernel"/>×<paramref name="kernel"/>
    /// windows, like <c>torch.nn.functional.max_pool2d</c>: the padding counts as −∞, the output is
    /// [N, C, OH, OW] with <c>OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1</c>. The gradient goes to the
    /// first maximal element of each window (row-major order), as in PyTorch. Differentiable to any order:
    /// the gradient is a scatter to the recorded argmax positions, whose own gradient is the gather from them.
    /// </summary>
    /// <param name="kernel">Window size (both axes).</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernel"/>.</param>
    /// <param name="padding">−∞ added on each side; at most kernel / 2.</param>
    public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0)
    {
        var g = PoolGeometryOf("MaxPool2d", kernel, stride ?? kernel, padding);
        var y = Empty(g.OutputShape, DType);
        var idx = Empty(g.OutputShape, DType.Float32);
        var idxArr = (float[])idx.storage.Array;
        if (DType == DType.Float32)
            PoolKernels.MaxForward((float[])storage.Array, offset, (float[])y.storage.Array, y.offset, idxArr, idx.offset, g);
        else
            PoolKernels.MaxForward((double[])storage.Array, offset, (double[])y.storage.Array, y.offset, idxArr, idx.offset, g);
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(y, "MaxPool2d", [this], (gy, _) => [MaxPoolScatter(gy, idx, g)]);
        return y;
    }

    /// <summary>
    /// 2-D average pooling of an [N, C, H, W] tensor over <paramref name="kernel"/>×<paramref name="kernel"/>
    /// windows, like <c>torch.nn.functional.avg_pool2d</c> with its default <c>count_include_pad = true</c>:
    /// zero padding counts, every window is divided by kernel². Differentiable to any order (it is linear;
    /// its gradient is the adjoint spread, whose gradient is average pooling again).
    /// </summary>
    /// <param name="kernel">Window size (both axes).</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernel"/>.</param>
    /// <param name="padding">Zeros added on each side; at most kernel / 2.</param>
    public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0) =>
        AvgPoolOp(this, PoolGeometryOf("AvgPool2d", kernel, stride ?? kernel, padding));

    private ConvGeometry PoolGeometryOf(string op, int kernel, int stride, int padding)
    {
        if (Rank != 4)
            throw new ShapeException($"{op}: input must be [N, C, H, W], got shape {Shape}; add a batch axis with Unsqueeze(0).");
        if (kernel < 1) throw new ConfigurationException($"{op}: kernel size must be at least 1, got {kernel}.");
        if (stride < 1) throw new ConfigurationException($"{op}: stride must be at least 1, got {stride}.");
        if (padding < 0 || padding > kernel / 2)
            throw new ConfigurationException($"{op}: padding must be between 0 and half the kernel size ({kernel / 2}), got {padding}.");
        var d = Shape.Dims;
        var g = new ConvGeometry(d[0], d[1], d[2], d[3], d[1], kernel, kernel, stride, stride, padding, padding, 1, 1);
        if (g.OH <= 0 || g.OW <= 0)
            throw new ShapeException(
                $"{op}: kernel {kernel}×{kernel} with stride {stride} and padding {padding} does not fit input {Shape} " +
                $"(the output would be {g.OH}×{g.OW}); use a smaller kernel or more padding.");
        return g;
    }

    /// <summary>The gradient of max pooling as a recorded op: gy added at the argmax positions.</summary>
    private static Tensor MaxPoolScatter(Tensor gy, Tensor idx, ConvGeometry g)
    {
        var dx = Empty(g.InputShape, gy.DType);
        var idxArr = (float[])idx.storage.Array;
        if (gy.DType == DType.Float32)
            PoolKernels.MaxScatter((float[])gy.storage.Array, gy.offset, idxArr, idx.offset, (float[])dx.storage.Array, dx.offset, g);
        else
            PoolKernels.MaxScatter((double[])gy.storage.Array, gy.offset, idxArr, idx.offset, (double[])dx.storage.Array, dx.offset, g);
        if (Autodiff.ShouldRecord(gy))
            Autodiff.Record(dx, "MaxPool2dBackward", [gy], (gg, _) => [MaxPoolGather(gg, idx, g)]);
        return dx;
    }

    /// <summary>The adjoint of <see cref="MaxPoolScatter"/>: the values at the argmax positions.</summary>
    private static Tensor MaxPoolGather(Tensor gx, Tensor idx, ConvGeometry g)
    {
        var y = Empty(g.OutputShape, gx.DType);
        var idxArr = (float[])idx.storage.Array;
        if (gx.DType == DType.Float32)
            PoolKernels.MaxGather((float[])gx.storage.Array, gx.offset, idxArr, idx.offset, (float[])y.storage.Array, y.offset, g);
        else
            PoolKernels.MaxGather((double[])gx.storage.Array, gx.offset, idxArr, idx.offset, (double[])y.storage.Array, y.offset, g);
        if (Autodiff.ShouldRecord(gx))
            Autodiff.Record(y, "MaxPool2dGather", [gx], (gg, _) => [MaxPoolScatter(gg, idx, g)]);
        return y;
    }

    /// <summary>Average pooling as a recorded op.</summary>
    private static Tensor AvgPoolOp(Tensor x, ConvGeometry g)
    {
        var y = Empty(g.OutputShape, x.DType);
        if (x.DType == DType.Float32)
            PoolKernels.AvgForward((float[])x.storage.Array, x.offset, (float[])y.storage.Array, y.offset, g);
        else
            PoolKernels.AvgForward((double[])x.storage.Array, x.offset, (double[])y.storage.Array, y.offset, g);
        if (Autodiff.ShouldRecord(x))
            Autodiff.Record(y, "AvgPool2d", [x], (gy, _) => [AvgPoolAdjoint(gy, g)]);
        return y;
    }

    /// <summary>The gradient of average pooling (its adjoint) as a recorded op.</summary>
    private static Tensor AvgPoolAdjoint(Tensor gy, ConvGeometry g)
    {
        var dx = Empty(g.InputShape, gy.DType);
        if (gy.DType == DType.Float32)
            PoolKernels.AvgAdjoint((float[])gy.storage.Array, gy.offset, (float[])dx.storage.Array, dx.offset, g);
        else
            PoolKernels.AvgAdjoint((double[])gy.storage.Array, gy.offset, (double[])dx.storage.Array, dx.offset, g);
        if (Autodiff.ShouldRecord(gy))
            Autodiff.Record(dx, "AvgPool2dBackward", [gy], (gg, _) => [AvgPoolOp(gg, g)]);
        return dx;
    }
}

using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as <c>torch.nn.functional.conv2d</c>) of an [N, C, H, W] input
    /// with an [OC, C, KH, KW] weight, plus an optional bias of OC values:
    /// <c>y[n, o, p, q] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x[n, c, p·s − pad + i·d, q·s − pad + j·d]</c>,
    /// zero outside the input. The output is [N, OC, OH, OW] with
    /// <c>OH = ⌊(H + 2·pad − d·(KH − 1) − 1) / s⌋ + 1</c>. Differentiable to any order in input, weight and
    /// bias: the gradients are themselves convolution ops (see the remarks).
    /// </summary>
    /// <remarks>
    /// The convolution, its input gradient and its weight gradient are bilinear, so each one's gradient is
    /// another member of the family: for <c>y = conv(x, w)</c>, <c>dx = convᵀ_w(gy)</c> and
    /// <c>dw = convW(x, gy)</c>; the gradients of <c>convᵀ_w(gy)</c> are <c>conv(G, w)</c> (in gy) and
    /// <c>convW(G, gy)</c> (in w); those of <c>convW(x, gy)</c> are <c>convᵀ_G(gy)</c> (in x) and
    /// <c>conv(x, G)</c> (in gy). Computed by im2col + GEMM (<see cref="ConvKernels"/>).
    /// </remarks>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="weight">[OC, C, KH, KW].</param>
    /// <param name="bias">[OC], or null.</param>
    /// <param name="stride">Step between windows (both axes).</param>
    /// <param name="padding">Zeros added on each side (both axes).</param>
    /// <param name="dilation">Spacing between kernel taps (both axes).</param>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation));

    /// <summary>2-D convolution with separate (height, width) stride, padding and dilation; see
    /// <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int, int)"/>.</summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="weight">[OC, C, KH, KW].</param>
    /// <param name="bias">[OC], or null.</param>
    /// <param name="stride">Step between windows (height, width).</param>
    /// <param name="padding">Zeros added on each side (height, width).</param>
    /// <param name="dilation">Spacing between kernel taps (height, width).</param>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        var g = ConvGeometryOf(input, weight, bias, stride, padding, dilation);
        return ConvOp(input, weight, bias, g);
    }

    private static ConvGeometry ConvGeometryOf(Tensor x, Tensor w, Tensor? b, (int H, int W) s, (int H, int W) p, (int H, int W) d)
    {
        if (x.Rank != 4)
            throw new ShapeException($"Conv2d: input must be [N, C, H, W], got shape {x.Shape}; add a batch or channel axis with Unsqueeze.");
        if (w.Rank != 4)
            throw new ShapeException($"Conv2d: weight must be [outChannels, inChannels, kH, kW], got shape {w.Shape}.");
        SameDType(x, w, "Conv2d");
        var xd = x.Shape.Dims;
        var wd = w.Shape.Dims;
        if (xd[1] != wd[1])
            throw new ShapeException($"Conv2d: input {x.Shape} has {xd[1]} channels but weight {w.Shape} expects {wd[1]}.");
        if (b is not null)
        {
            SameDType(x, b, "Conv2d");
            if (b.Rank != 1 || b.Size != wd[0])
                throw new ShapeException($"Conv2d: bias {b.Shape} must be a vector of {wd[0]} values, one per output channel of weight {w.Shape}.");
        }
        if (s.H < 1 || s.W < 1) throw new ConfigurationException($"Conv2d: stride must be at least 1, got {s}.");
        if (p.H < 0 || p.W < 0) throw new ConfigurationException($"Conv2d: padding must not be negative, got {p}.");
        if (d.H < 1 || d.W < 1) throw new ConfigurationException($"Conv2d: dilation must be at least 1, got {d}.");
        var g = new ConvGeometry(xd[0], xd[1], xd[2], xd[3], wd[0], wd[2], wd[3], s.H, s.W, p.H, p.W, d.H, d.W);
        if (g.OH <= 0 || g.OW <= 0)
            throw new ShapeException(
                $"Conv2d: kernel {wd[2]}×{wd[3]} (dilation {d.H}×{d.W}) with stride {s.H}×{s.W} and padding {p.H}×{p.W} " +
                $"does not fit input {x.Shape} (the output would be {g.OH}×{g.OW}); use more padding or a smaller kernel.");
        return g;
    }

    /// <summary>The recorded convolution y = conv(x, w) + b.</summary>
    private static Tensor ConvOp(Tensor x, Tensor w, Tensor? b, ConvGeometry g)
    {
        var y = Empty(g.OutputShape, x.DType);
        if (x.DType == DType.Float32)
            ConvKernels.Forward((float[])x.storage.Array, x.offset, (float[])w.storage.Array, w.offset,
                (float[]?)b?.storage.Array, b?.offset ?? 0, (float[])y.storage.Array, y.offset, g);
        else
            ConvKernels.Forward((double[])x.storage.Array, x.offset, (double[])w.storage.Array, w.offset,
                (double[]?)b?.storage.Array, b?.offset ?? 0, (double[])y.storage.Array, y.offset, g);
        bool record = b is null ? Autodiff.ShouldRecord(x, w) : Autodiff.ShouldRecord([x, w, b]);
        if (record)
            Autodiff.Record(y, "Conv2d", b is null ? [x, w] : [x, w, b], (gy, need) => b is null
                ? [need[0] ? ConvInputGrad(gy, w, g) : null, need[1] ? ConvWeightGrad(x, gy, g) : null]
                : [need[0] ? ConvInputGrad(gy, w, g) : null, need[1] ? ConvWeightGrad(x, gy, g) : null,
                    need[2] ? ConvBiasGrad(gy, g) : null]);
        return y;
    }

    /// <summary>The input gradient of a convolution, <c>∂⟨gy, conv(x, w)⟩/∂x</c> (the transposed
    /// convolution of gy with w), as a recorded op. Linear in gy and in w.</summary>
    internal static Tensor ConvInputGrad(Tensor gy, Tensor w, ConvGeometry g)
    {
        CheckConvOperand(gy, g.OutputShape, "output gradient");
        var dx = Empty(g.InputShape, gy.DType);
        if (gy.DType == DType.Float32)
            ConvKernels.InputGrad((float[])gy.storage.Array, gy.offset, (float[])w.storage.Array, w.offset, (float[])dx.storage.Array, dx.offset, g);
        else
            ConvKernels.InputGrad((double[])gy.storage.Array, gy.offset, (double[])w.storage.Array, w.offset, (double[])dx.storage.Array, dx.offset, g);
        if (Autodiff.ShouldRecord(gy, w))
            Autodiff.Record(dx, "Conv2dInputGrad", [gy, w], (gg, need) =>
                [need[0] ? ConvOp(gg, w, null, g) : null, need[1] ? ConvWeightGrad(gg, gy, g) : null]);
        return dx;
    }

    /// <summary>The weight gradient of a convolution, <c>∂⟨gy, conv(x, w)⟩/∂w</c>, as a recorded op.
    /// Linear in x and in gy.</summary>
    internal static Tensor ConvWeightGrad(Tensor x, Tensor gy, ConvGeometry g)
    {
        CheckConvOperand(gy, g.OutputShape, "output gradient");
        var dw = Empty(g.WeightShape, x.DType);
        if (x.DType == DType.Float32)
            ConvKernels.WeightGrad((float[])x.storage.Array, x.offset, (float[])gy.storage.Array, gy.offset, (float[])dw.storage.Array, dw.offset, g);
        else
            ConvKernels.WeightGrad((double[])x.storage.Array, x.offset, (double[])gy.storage.Array, gy.offset, (double[])dw.storage.Array, dw.offset, g);
        if (Autodiff.ShouldRecord(x, gy))
            Autodiff.Record(dw, "Conv2dWeightGrad", [x, gy], (gg, need) =>
                [need[0] ? ConvInputGrad(gy, gg, g) : null, need[1] ? ConvOp(x, gg, null, g) : null]);
        return dw;
    }

    /// <summary>The bias gradient of a convolution, gy summed over batch and pixels, as a recorded op
    /// (its gradient broadcasts back over them).</summary>
    internal static Tensor ConvBiasGrad(Tensor gy, ConvGeometry g)
    {
        CheckConvOperand(gy, g.OutputShape, "output gradient");
        var db = Empty(new Shape(g.OC), gy.DType);
        if (gy.DType == DType.Float32)
            ConvKernels.BiasGrad((float[])gy.storage.Array, gy.offset, (float[])db.storage.Array, db.offset, g);
        else
            ConvKernels.BiasGrad((double[])gy.storage.Array, gy.offset, (double[])db.storage.Array, db.offset, g);
        if (Autodiff.ShouldRecord(gy))
            Autodiff.Record(db, "Conv2dBiasGrad", [gy], (gg, _) => [gg.Reshape(1, g.OC, 1, 1).BroadcastTo(g.OutputShape)]);
        return db;
    }

    private static void CheckConvOperand(Tensor t, Shape expected, string what)
    {
        if (t.Shape != expected)
            throw new ShapeException($"Conv2d: {what} has shape {t.Shape}, expected {expected}.");
    }
}

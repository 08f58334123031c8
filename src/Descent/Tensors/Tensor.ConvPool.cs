using System.Numerics;
using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>
    /// <c>MaxPool2d(Relu(Conv2d(x, w, b)), 2)</c> as one recorded op (the conv → ReLU → 2×2 pool block of
    /// fmnist_2c2d): the convolution's output is pooled as it is produced and never stored at full size, and
    /// the backward pass goes from the pooled gradient straight to the convolution's gradients (fused kernels:
    /// <see cref="ReluPoolKernels"/>; <see cref="DirectConv"/> for layers with few multiply-adds per output,
    /// Winograd's F(2×2, r×r) in <see cref="WinogradConvPool"/> for stride-1 3×3 and 5×5 layers with more). Values and first derivatives equal the three separate ops'. When the gradient itself is
    /// recorded (double backward), the rule differentiates the three separate ops instead, so every order
    /// of derivative stays available.
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="weight">[OC, C, KH, KW].</param>
    /// <param name="bias">[OC], or null.</param>
    /// <param name="stride">Convolution stride (height, width).</param>
    /// <param name="padding">Convolution padding (height, width).</param>
    /// <param name="dilation">Convolution dilation (height, width).</param>
    /// <returns>[N, OC, ⌊OH/2⌋, ⌊OW/2⌋].</returns>
    public static Tensor Conv2dReluMaxPool2(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        var g = ConvGeometryOf(input, weight, bias, stride, padding, dilation);
        if (g.OH < 2 || g.OW < 2) return Conv2d(input, weight, bias, stride, padding, dilation).Relu().MaxPool2d(2);
        var shape = new Shape(g.N, g.OC, g.OH / 2, g.OW / 2);
        var z = Empty(shape, input.DType);
        var code = Empty(shape, DType.Float32);
        if (input.DType == DType.Float32) ConvPoolForward<float>(input, weight, bias, z, code, g);
        else ConvPoolForward<double>(input, weight, bias, z, code, g);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        if (Autodiff.ShouldRecord(inputs))
            Autodiff.Record(z, "Conv2dReluMaxPool2", inputs, (gz, need) =>
            {
                if (GradMode.IsEnabled) return ComposedGradient(inputs, need, gz, () => Conv2d(input, weight, bias, stride, padding, dilation).Relu().MaxPool2d(2));
                var grads = new Tensor?[inputs.Length];
                if (input.DType == DType.Float32) ConvPoolBackward<float>(input, weight, z, code, gz, need, grads, g);
                else ConvPoolBackward<double>(input, weight, z, code, gz, need, grads, g);
                return grads;
            });
        return z;
    }

    /// <summary>
    /// The gradient rule of a fused op while gradients are being recorded (double backward): rebuilds the
    /// op from its separate, twice-differentiable parts with <paramref name="compose"/> and differentiates
    /// that, so the returned gradients are recorded tensor expressions.
    /// </summary>
    internal static Tensor?[] ComposedGradient(Tensor[] inputs, GradRequest need, Tensor gradOutput, Func<Tensor> compose)
    {
        var wanted = new List<Tensor>();
        for (int i = 0; i < inputs.Length; i++) if (need[i]) wanted.Add(inputs[i]);
        var grads = Autodiff.Grad([compose()], wanted, [gradOutput], createGraph: true);
        var result = new Tensor?[inputs.Length];
        for (int i = 0, k = 0; i < inputs.Length; i++) if (need[i]) result[i] = grads[k++];
        return result;
    }

    private static void ConvPoolForward<T>(Tensor x, Tensor w, Tensor? b, Tensor z, Tensor code, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = (T[])x.storage.Array;
        var wa = (T[])w.storage.Array;
        var ba = (T[]?)b?.storage.Array;
        var za = (T[])z.storage.Array;
        var ca = (float[])code.storage.Array;
        int bOff = b?.offset ?? 0;
        if (DirectConv.Preferred(g))
        {
            DirectConv.Forward(xa, x.offset, wa, w.offset, g, new ReluPoolSink<T>(ba, bOff, za, z.offset, ca, code.offset, g));
            return;
        }
        if (WinogradConvPool.Preferred(g))
        {
            WinogradConvPool.Forward(xa, x.offset, wa, w.offset, ba, bOff, za, z.offset, ca, code.offset, g);
            return;
        }
        var y = ConvKernels.Pool.Rent<T>(g.OutputShape.Size + ReluPoolKernels.Slack);
        try
        {
            ConvKernels.Forward(xa, x.offset, wa, w.offset, null, 0, y, 0, g);
            int plane = g.OH / 2 * (g.OW / 2);
            ConvKernels.For(g.N * g.OC, g.P, item =>
            {
                unsafe
                {
                    fixed (T* py = y, pz = za)
                    fixed (float* pc = ca)
                        ReluPoolKernels.Plane(py + (nint)item * g.P, g.OW, g.OH, g.OW, ba is null ? T.Zero : ba[bOff + item % g.OC],
                            pz + z.offset + (nint)item * plane, (int*)(pc + code.offset) + (nint)item * plane);
                }
            });
        }
        finally
        {
            ConvKernels.Pool.Return(y);
        }
    }

    private static void ConvPoolBackward<T>(Tensor x, Tensor w, Tensor z, Tensor code, Tensor gz, GradRequest need, Tensor?[] grads, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xa = (T[])x.storage.Array;
        var za = (T[])z.storage.Array;
        var ga = (T[])gz.storage.Array;
        var ca = (float[])code.storage.Array;
        int plane = g.OH / 2 * (g.OW / 2);
        if (need.Count > 2 && need[2])
        {
            var db = Empty(new Shape(g.OC), x.DType);
            ReluPoolKernels.BiasGrad(ga, gz.offset, za, z.offset, (T[])db.storage.Array, db.offset, g.N, g.OC, plane);
            grads[2] = db;
        }
        if (WinogradConvPool.Preferred(g) && (need[0] || need[1]))
        {
            var dx = need[0] ? Empty(g.InputShape, x.DType) : null;
            var dw = need[1] ? Empty(g.WeightShape, x.DType) : null;
            WinogradConvPool.Backward(xa, x.offset, (T[])w.storage.Array, w.offset, za, z.offset, ca, code.offset, ga, gz.offset,
                (T[]?)dx?.storage.Array, dx?.offset ?? 0, (T[]?)dw?.storage.Array, dw?.offset ?? 0, g);
            grads[0] = dx;
            grads[1] = dw;
            return;
        }
        bool direct = DirectConv.Preferred(g);
        if (need[1] && direct)
        {
            var dw = Empty(g.WeightShape, x.DType);
            DirectConv.WeightGrad(xa, x.offset, new UnpoolSource<T>(ga, gz.offset, za, z.offset, ca, code.offset, g), (T[])dw.storage.Array, dw.offset, g);
            grads[1] = dw;
        }
        if (!need[0] && (!need[1] || direct)) return;
        // the dense gradient of the convolution's output, for the general kernels
        var gy = Empty(g.OutputShape, x.DType);
        var gya = (T[])gy.storage.Array;
        ConvKernels.For(g.N * g.OC, g.P, item =>
        {
            unsafe
            {
                fixed (T* pg = ga, pz = za, py = gya)
                fixed (float* pc = ca)
                {
                    nint o = (nint)item * plane;
                    T* dy = py + gy.offset + (nint)item * g.P;
                    new Span<T>(dy, g.P).Clear();
                    ReluPoolKernels.Unpool(pg + gz.offset + o, pz + z.offset + o, (int*)(pc + code.offset) + o, g.OH, g.OW, dy, g.OW);
                }
            }
        });
        if (need[0]) grads[0] = ConvInputGrad(gy, w, g);
        if (need[1] && !direct) grads[1] = ConvWeightGrad(x, gy, g);
    }
}

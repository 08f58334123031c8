using Descent.Nn;
using Descent.Tensors;

namespace Descent.Cli.Bench;

/// <summary>
/// The floating-point operations of one training step that are matrix products (2 per multiply-add): the
/// work a GEMM roofline measures. Element-wise layers, pooling and normalization count zero (they are
/// memory-bound). Forward: every linear, convolution and LSTM product once; backward: the weight gradient
/// once more and the input gradient once more, except for the first layer, whose input (the data) needs none.
/// </summary>
internal static class FlopCount
{
    /// <summary>(forward, backward) FLOPs of <paramref name="model"/> on an input of shape <paramref name="input"/>,
    /// or null when the model holds a layer this count does not know.</summary>
    public static (double Forward, double Backward)? Of(Module model, Shape input)
    {
        var state = new State(input.Dims.ToArray());
        return Walk(model, state) ? (state.Forward, state.Backward) : null;
    }

    private sealed class State(int[] shape)
    {
        public int[] Shape = shape;
        public double Forward, Backward;
        public bool InputNeedsGrad;

        public void Product(double flops)
        {
            Forward += flops;
            Backward += flops * (InputNeedsGrad ? 2 : 1);
            InputNeedsGrad = true;
        }
    }

    private static bool Walk(Module m, State s)
    {
        var d = s.Shape;
        switch (m)
        {
            case Sequential seq:
                foreach (var layer in seq.Layers)
                    if (!Walk(layer, s)) return false;
                return true;
            case Residual r:
                return Walk(r.Body, s);
            case Linear l:
                s.Product(2.0 * (new Shape(d).Size / l.InFeatures) * l.InFeatures * l.OutFeatures);
                d[^1] = l.OutFeatures;
                return true;
            case Conv2d c:
            {
                int oh = (d[2] + 2 * c.Padding.H - c.Dilation.H * (c.Kernel.H - 1) - 1) / c.Stride.H + 1;
                int ow = (d[3] + 2 * c.Padding.W - c.Dilation.W * (c.Kernel.W - 1) - 1) / c.Stride.W + 1;
                s.Product(2.0 * d[0] * c.OutChannels * oh * ow * c.InChannels * c.Kernel.H * c.Kernel.W);
                s.Shape = [d[0], c.OutChannels, oh, ow];
                return true;
            }
            case MaxPool2d p:
                s.Shape = [d[0], d[1], (d[2] + 2 * p.Padding - p.Kernel) / p.Stride + 1, (d[3] + 2 * p.Padding - p.Kernel) / p.Stride + 1];
                return true;
            case Flatten:
                s.Shape = [d[0], new Shape(d).Size / d[0]];
                return true;
            case Lstm lstm:
            {
                int n = d[0], t = d[1], h = lstm.HiddenSize;
                double input = 2.0 * n * t * lstm.InputSize * 4 * h, recurrent = 2.0 * n * (t - 1) * h * 4 * h;
                s.Forward += input + recurrent;
                s.Backward += input * (s.InputNeedsGrad ? 2 : 1) + 2 * recurrent;
                s.InputNeedsGrad = true;
                s.Shape = lstm.ReturnSequences ? [n, t, h] : [n, h];
                return true;
            }
            default:
                // Activations, normalization, dropout: no matrix products. Any other layer with parameters
                // (or children) is unknown here.
                return m is BatchNormBase || (!m.Children().Any() && !m.Parameters().Any());
        }
    }
}

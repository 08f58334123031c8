using Descent.Nn;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// A convolution's weight gradient written as a matrix product: the input patches (im2col) as rows
/// [N·P, C·KH·KW (+1 for the bias)] and the output gradients as rows [N·P, O], P = output positions, so that
/// the weight gradient is GradRowsᵀ·Rows and example n owns rows n·P … (n+1)·P − 1. Shared by K-FAC's factors
/// and Hessian-free's Fisher diagonal.
/// </summary>
internal static class ConvolutionRows
{
    /// <summary>The patch rows of <paramref name="input"/> [N, C, H, W] and the rows of
    /// <paramref name="outputGrad"/> [N, O, OH, OW], in the input's dtype.</summary>
    /// <param name="conv">The layer (kernel, stride, padding, dilation).</param>
    /// <param name="input">Its input.</param>
    /// <param name="outputGrad">The gradient with respect to its output.</param>
    /// <param name="bias">Append a column of ones (the bias's "input").</param>
    public static (Tensor Rows, Tensor GradRows) Build(Conv2d conv, Tensor input, Tensor outputGrad, bool bias)
    {
        int n = input.Shape[0], ch = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int outs = outputGrad.Shape[1], oh = outputGrad.Shape[2], ow = outputGrad.Shape[3], p = oh * ow;
        var (kh, kw) = conv.Kernel;
        int patch = ch * kh * kw, width = patch + (bias ? 1 : 0);
        var x = input.ToDoubleArray();
        var rows = new double[n * p * width];
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    int row = (b * p + oy * ow + ox) * width;
                    for (int c = 0; c < ch; c++)
                        for (int i = 0; i < kh; i++)
                        {
                            int iy = oy * conv.Stride.H - conv.Padding.H + i * conv.Dilation.H;
                            for (int j = 0; j < kw; j++)
                            {
                                int ix = ox * conv.Stride.W - conv.Padding.W + j * conv.Dilation.W;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    rows[row + (c * kh + i) * kw + j] = x[((b * ch + c) * h + iy) * w + ix];
                            }
                        }
                    if (bias) rows[row + patch] = 1;
                }
        var g = outputGrad.ToDoubleArray();
        var grows = new double[n * p * outs];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < outs; o++)
                for (int t = 0; t < p; t++) grows[(b * p + t) * outs + o] = g[(b * outs + o) * p + t];
        var dtype = input.DType;
        return (Tensor.Wrap(rows, n * p, width).To(dtype), Tensor.Wrap(grows, n * p, outs).To(dtype));
    }
}

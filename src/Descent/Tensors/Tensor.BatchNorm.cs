using System.Numerics;
using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Batch normalization in training mode as one recorded op: per channel (axis 1) of <paramref name="input"/>,
    /// <c>y = (x − μ_B)/√(σ²_B + ε)·γ + β</c> with the mean and biased variance over every other axis
    /// (<see cref="BatchNormKernels"/>: one pass for the statistics and the output, one for the gradients).
    /// <paramref name="batchMean"/> and <paramref name="batchVariance"/> receive μ_B and σ²_B (plain values, for
    /// the running averages). When the gradient itself is recorded (double backward), the rule differentiates
    /// the same normalization written with separate tensor ops (<see cref="BatchNormComposed"/>).
    /// </summary>
    /// <param name="input">[N, C, …].</param>
    /// <param name="scale">γ [C], or null.</param>
    /// <param name="shift">β [C], or null.</param>
    /// <param name="eps">ε added to the variance.</param>
    /// <param name="batchMean">The batch mean per channel [C].</param>
    /// <param name="batchVariance">The biased batch variance per channel [C].</param>
    internal static Tensor BatchNormTraining(Tensor input, Tensor? scale, Tensor? shift, double eps, out Tensor batchMean, out Tensor batchVariance)
    {
        if (input.Rank < 2) throw new ShapeException($"BatchNorm: input must be [N, C, …], got {input.Shape}.");
        int channels = input.Shape[1], outer = input.Shape[0], inner = input.Size / Math.Max(1, outer * channels);
        var y = Empty(input.Shape, input.DType);
        var mean = Empty(new Shape(channels), input.DType);
        var variance = Empty(new Shape(channels), input.DType);
        var invstd = Empty(new Shape(channels), input.DType);
        if (input.DType == DType.Float32) BatchNormForward<float>(input, scale, shift, eps, y, mean, variance, invstd, outer, channels, inner);
        else BatchNormForward<double>(input, scale, shift, eps, y, mean, variance, invstd, outer, channels, inner);
        batchMean = mean;
        batchVariance = variance;
        var operands = new List<Tensor> { input };
        if (scale is not null) operands.Add(scale);
        if (shift is not null) operands.Add(shift);
        Tensor[] inputs = [.. operands];
        if (Autodiff.ShouldRecord(inputs))
            Autodiff.Record(y, "BatchNorm", inputs, (gy, need) =>
            {
                if (GradMode.IsEnabled) return ComposedGradient(inputs, need, gy, () => BatchNormComposed(input, scale, shift, eps));
                var dx = need[0] ? Empty(input.Shape, input.DType) : null;
                var dscale = scale is not null && need[1] ? Empty(scale.Shape, input.DType) : null;
                int shiftAt = scale is null ? 1 : 2;
                var dshift = shift is not null && need[shiftAt] ? Empty(shift.Shape, input.DType) : null;
                if (input.DType == DType.Float32) BatchNormBackward<float>(input, gy, scale, mean, invstd, dx, dscale, dshift, outer, channels, inner);
                else BatchNormBackward<double>(input, gy, scale, mean, invstd, dx, dscale, dshift, outer, channels, inner);
                var grads = new Tensor?[inputs.Length];
                grads[0] = dx;
                if (scale is not null) grads[1] = dscale;
                if (shift is not null) grads[shiftAt] = dshift;
                return grads;
            });
        return y;
    }

    /// <summary><see cref="BatchNormTraining"/> written with separate, twice-differentiable tensor ops.</summary>
    internal static Tensor BatchNormComposed(Tensor input, Tensor? scale, Tensor? shift, double eps)
    {
        var axes = Enumerable.Range(0, input.Rank).Where(a => a != 1).ToArray();
        var shape = Enumerable.Range(0, input.Rank).Select(a => a == 1 ? input.Shape[1] : 1).ToArray();
        var mean = input.Mean(axes, keepDim: true);
        var centered = input - mean;
        var y = centered / ((centered * centered).Mean(axes, keepDim: true) + eps).Sqrt();
        if (scale is not null) y = y * scale.Reshape(shape);
        if (shift is not null) y = y + shift.Reshape(shape);
        return y;
    }

    private static void BatchNormForward<T>(Tensor x, Tensor? scale, Tensor? shift, double eps, Tensor y, Tensor mean, Tensor variance, Tensor invstd,
        int outer, int channels, int inner) where T : unmanaged, IFloatingPointIeee754<T> =>
        BatchNormKernels.Forward<T>(x.Span<T>(), outer, channels, inner, scale is null ? default : scale.Span<T>(), shift is null ? default : shift.Span<T>(),
            eps, y.Span<T>(), mean.Span<T>(), variance.Span<T>(), invstd.Span<T>());

    private static void BatchNormBackward<T>(Tensor x, Tensor gy, Tensor? scale, Tensor mean, Tensor invstd, Tensor? dx, Tensor? dscale, Tensor? dshift,
        int outer, int channels, int inner) where T : unmanaged, IFloatingPointIeee754<T> =>
        BatchNormKernels.Backward<T>(x.Span<T>(), gy.Span<T>(), outer, channels, inner, scale is null ? default : scale.Span<T>(), mean.Span<T>(),
            invstd.Span<T>(), dx is null ? default : dx.Span<T>(), dscale is null ? default : dscale.Span<T>(), dshift is null ? default : dshift.Span<T>());
}

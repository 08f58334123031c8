using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>The fused batch-normalization op against the same formula written with separate tensor ops.</summary>
public class BatchNormOpTests
{
    public static TheoryData<int[], bool> Cases => new()
    {
        { [7, 5], true },
        { [7, 5], false },
        { [3, 4, 6], true },
        { [2, 3, 4, 5], true },
        { [200, 3], true },
        { [33, 21], true },      // [N, C] with whole vectors of channels and a tail, float and double
        { [128, 64], false },
    };

    /// <summary>
    /// The [N, C] kernel (vectors across the channels of each row) sums every channel in the same order as the
    /// kernel for [1, C, N] (one span per channel), so the batch statistics and the gradients of γ and β agree
    /// to the bit between the two layouts of the same numbers.
    /// </summary>
    [Fact]
    public void RowsAndSpansSumEachChannelInTheSameOrder()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new Rng(4);
            var x = (Tensor.Randn(new Shape(37, 21), rng, dtype: dtype) * 2 + 0.5).Detach().RequireGrad();
            var xs = x.Detach().Transpose(0, 1).Reshape(1, 21, 37).Detach().RequireGrad();
            var g = Tensor.Randn(new Shape(21), rng, dtype: dtype).RequireGrad();
            var b = Tensor.Randn(new Shape(21), rng, dtype: dtype).RequireGrad();
            var gy = Tensor.Randn(new Shape(37, 21), rng, dtype: dtype);
            var rows = Tensor.BatchNormTraining(x, g, b, 1e-5, out var meanRows, out var varRows);
            var gradRows = Autodiff.Grad([rows], [g, b], [gy]);
            var spans = Tensor.BatchNormTraining(xs, g, b, 1e-5, out var meanSpans, out var varSpans);
            var gradSpans = Autodiff.Grad([spans], [g, b], [gy.Transpose(0, 1).Reshape(1, 21, 37)]);
            Assert.Equal(meanSpans.ToDoubleArray(), meanRows.ToDoubleArray());
            Assert.Equal(varSpans.ToDoubleArray(), varRows.ToDoubleArray());
            Assert.Equal(gradSpans[0]!.ToDoubleArray(), gradRows[0]!.ToDoubleArray());
            Assert.Equal(gradSpans[1]!.ToDoubleArray(), gradRows[1]!.ToDoubleArray());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesStatisticsAndGradients_EqualTheComposedFormula(int[] shape, bool affine)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var rng = new Rng(1);
            int c = shape[1];
            var x = (Tensor.Randn(new Shape(shape), rng, dtype: dtype) * 3 + 1).Detach().RequireGrad();
            var g = affine ? Tensor.Randn(new Shape(c), rng, dtype: dtype).RequireGrad() : null;
            var b = affine ? Tensor.Randn(new Shape(c), rng, dtype: dtype).RequireGrad() : null;
            var fused = Tensor.BatchNormTraining(x, g, b, 1e-5, out var mean, out var variance);
            var composed = Tensor.BatchNormComposed(x, g, b, 1e-5);
            double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
            AssertClose(composed, fused, tol);
            var axes = Enumerable.Range(0, shape.Length).Where(a => a != 1).ToArray();
            AssertClose(x.Mean(axes), mean, tol);
            AssertClose((x - x.Mean(axes, keepDim: true)).Square().Mean(axes), variance, tol);
            var gy = Tensor.Randn(fused.Shape, rng, dtype: dtype);
            Tensor[] wrt = affine ? [x, g!, b!] : [x];
            var ge = Autodiff.Grad([composed], wrt, [gy]);
            var gf = Autodiff.Grad([fused], wrt, [gy]);
            for (int i = 0; i < wrt.Length; i++) AssertClose(ge[i]!, gf[i]!, tol * 10);
        }
    }

    [Fact]
    public void GradCheck_FirstAndSecondOrder()
    {
        var rng = new Rng(2);
        Tensor[] a =
        [
            Tensor.Randn(new Shape(4, 3, 2), rng, dtype: DType.Float64),
            Tensor.Randn(new Shape(3), rng, dtype: DType.Float64),
            Tensor.Randn(new Shape(3), rng, dtype: DType.Float64),
        ];
        // a non-linear function of the output, so the second derivatives are not all zero
        Tensor F(Tensor[] t) => Tensor.BatchNormTraining(t[0], t[1], t[2], 1e-5, out _, out _).Square() * Tensor.Randn(new Shape(4, 3, 2), new Rng(3), dtype: DType.Float64);
        var first = GradCheck.Check(F, a);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, a);
        Assert.True(second.Passed, second.ToString());
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        var e = expected.ToDoubleArray();
        var a = actual.ToDoubleArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"element {i}: expected {e[i]}, got {a[i]}");
    }
}

using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>The fused LSTM sequence op against the same recurrence written with separate tensor ops.</summary>
public class LstmSequenceTests
{
    // (N, T, I, H): one step, batch rows split over several threads (N ≥ 16), inputs wider than the hidden state
    public static TheoryData<int, int, int, int> Cases => new()
    {
        { 3, 4, 2, 5 },
        { 2, 1, 3, 4 },
        { 17, 6, 2, 8 },
        { 4, 3, 9, 3 },
    };

    private static Tensor[] Operands(int n, int t, int i, int h, DType dtype, ulong seed)
    {
        var rng = new Rng(seed);
        return
        [
            Tensor.Randn(new Shape(n, t, i), rng, dtype: dtype).RequireGrad(),
            Tensor.Randn(new Shape(4 * h, i), rng, std: 0.5, dtype: dtype).RequireGrad(),
            Tensor.Randn(new Shape(4 * h, h), rng, std: 0.5, dtype: dtype).RequireGrad(),
            Tensor.Randn(new Shape(4 * h), rng, std: 0.5, dtype: dtype).RequireGrad(),
        ];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesAndGradients_EqualTheComposedRecurrence(int n, int t, int i, int h)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var a = Operands(n, t, i, h, dtype, 1);
            var fused = Tensor.LstmSequence(a[0], a[1], a[2], a[3]);
            var composed = Tensor.LstmSequenceComposed(a[0], a[1], a[2], a[3]);
            Assert.Equal(new Shape(2, n, t, h), fused.Shape);
            double tol = dtype == DType.Float64 ? 1e-12 : 2e-5;
            AssertClose(composed, fused, tol);
            // output gradients on every hidden and every cell state
            var gy = Tensor.Randn(fused.Shape, new Rng(2), dtype: dtype);
            var ge = Autodiff.Grad([composed], a, [gy]);
            var gf = Autodiff.Grad([fused], a, [gy]);
            // (with one step the composed graph never touches W_hh: no gradient there, zeros from the fused op)
            for (int k = 0; k < 4; k++) AssertClose(ge[k] ?? Tensor.Zeros(a[k].Shape, dtype), gf[k]!, tol * 10);
        }
    }

    [Fact]
    public void GradCheck_FirstAndSecondOrder()
    {
        var a = Operands(2, 3, 2, 3, DType.Float64, 3);
        Tensor F(Tensor[] x) => Tensor.LstmSequence(x[0], x[1], x[2], x[3]);
        var first = GradCheck.Check(F, a);
        Assert.True(first.Passed, first.ToString());
        var second = GradCheck.CheckSecondOrder(F, a);
        Assert.True(second.Passed, second.ToString());
    }

    [Fact]
    public void Results_DoNotDependOnTheThreadCount()
    {
        float[] Run(int threads)
        {
            using var _ = Descent.Tensors.Kernels.KernelThreads.Limit(threads);
            var a = Operands(40, 7, 2, 16, DType.Float32, 4);
            var y = Tensor.LstmSequence(a[0], a[1], a[2], a[3]);
            var g = Autodiff.Grad([y], a, [Tensor.Randn(y.Shape, new Rng(5))]);
            return [.. y.ToArray(), .. g.SelectMany(x => x!.ToArray())];
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));
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

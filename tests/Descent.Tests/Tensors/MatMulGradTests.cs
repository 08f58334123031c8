using Descent.Tensors;
using static Descent.Tests.Tensors.Gen;

namespace Descent.Tests.Tensors;

/// <summary>First- and second-order gradient checks of MatMul: every transpose flag combination,
/// batched products, a matrix shared across a batch on either side, and a two-layer tanh network.</summary>
public class MatMulGradTests
{
    private static readonly GradCaseTable Cases = Build();

    /// <summary>The stored shape of an m×k operand, transposed when the flag is set.</summary>
    private static int[] Stored(bool trans, int[] batch, int rows, int cols) =>
        [.. batch, trans ? cols : rows, trans ? rows : cols];

    private static GradCaseTable Build()
    {
        var t = new GradCaseTable();
        const int m = 3, k = 4, n = 2;
        (string Name, int[] A, int[] B)[] batches =
        [
            ("[m, k] x [k, n]", [], []),
            ("[B, m, k] x [B, k, n]", [2], [2]),
            ("[B, m, k] x [k, n]", [2], []),
            ("[m, k] x [B, k, n]", [], [2]),
            ("[B1, B2, m, k] x [B1, B2, k, n]", [2, 2], [2, 2]),
            ("[B1, B2, m, k] x [k, n]", [2, 2], []),
        ];
        foreach (var (name, ba, bb) in batches)
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                {
                    bool transA = ta, transB = tb;
                    t.Add($"{name} transA={ta} transB={tb}", x => Tensor.MatMul(x[0], x[1], transA, transB),
                        N(Stored(ta, ba, m, k)), N(Stored(tb, bb, k, n)));
                    // Squared so that the second derivative is not zero.
                    t.Add($"({name} transA={ta} transB={tb})^2", x => Tensor.MatMul(x[0], x[1], transA, transB).Square(),
                        N(Stored(ta, ba, m, k)), N(Stored(tb, bb, k, n)));
                }
        return t
            .Add("x.MatMul(x) (same input twice)", x => x[0].MatMul(x[0]), N(3, 3))
            .Add("x^T x via flags", x => Tensor.MatMul(x[0], x[0], transA: true), N(4, 3))
            .Add("matrix times column", x => x[0].MatMul(x[1]).Tanh(), N(3, 4), N(4, 1))
            .Add("row times matrix", x => x[0].MatMul(x[1]).Tanh(), N(1, 4), N(4, 3))
            .Add("2-layer tanh MLP, mean squared error",
                x => ((x[0].MatMul(x[1]) + x[2]).Tanh().MatMul(x[3]) + x[4] - x[5]).Square().Mean(),
                N(4, 3), U(-0.7, 0.7, 3, 5), U(-0.3, 0.3, 5), U(-0.7, 0.7, 5, 2), U(-0.3, 0.3, 2), N(4, 2))
            .Add("2-layer tanh MLP with transposed weights (nn.Linear layout)",
                x => (Tensor.MatMul(Tensor.MatMul(x[0], x[1], transB: true).Tanh(), x[2], transB: true)).Square().Sum(),
                N(3, 4), U(-0.7, 0.7, 5, 4), U(-0.7, 0.7, 2, 5))
            .Add("batched attention-like scores softmax(Q K^T) V",
                x => Tensor.MatMul(Tensor.MatMul(x[0], x[1], transB: true).Softmax(-1), x[2]),
                N(2, 3, 2), N(2, 4, 2), N(2, 4, 3));
    }

    /// <summary>Names of the cases.</summary>
    public static TheoryData<string> Names() => Cases.Names();

    [Theory, MemberData(nameof(Names))]
    public void FirstOrder(string name) => Cases.AssertFirstOrder(name);

    [Theory, MemberData(nameof(Names))]
    public void SecondOrder(string name) => Cases.AssertSecondOrder(name);
}

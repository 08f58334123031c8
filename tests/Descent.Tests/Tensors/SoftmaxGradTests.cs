using Descent.Tensors;
using static Descent.Tests.Tensors.Gen;

namespace Descent.Tests.Tensors;

/// <summary>First- and second-order gradient checks of Softmax, LogSoftmax and LogSumExp along each
/// axis of a 3-D tensor, and of softmax cross-entropy built from LogSoftmax and GatherColumns.</summary>
public class SoftmaxGradTests
{
    private static readonly GradCaseTable Cases = Build();

    private static GradCaseTable Build()
    {
        var t = new GradCaseTable();
        foreach (var axis in new[] { 0, 1, 2, -1 })
        {
            t.Add($"Softmax axis {axis}", x => x[0].Softmax(axis), N(2, 3, 4));
            t.Add($"LogSoftmax axis {axis}", x => x[0].LogSoftmax(axis), N(2, 3, 4));
            t.Add($"LogSumExp axis {axis}", x => x[0].LogSumExp(axis), N(2, 3, 4));
            t.Add($"LogSumExp axis {axis} keepDim", x => x[0].LogSumExp(axis, keepDim: true), N(2, 3, 4));
        }
        return t
            .Add("Softmax of a vector", x => x[0].Softmax(), N(5))
            .Add("LogSumExp of a vector", x => x[0].LogSumExp(), N(5))
            .Add("Softmax with large logits", x => (x[0] * 30).Softmax(1), N(2, 4))
            .Add("LogSoftmax of x * y", x => (x[0] * x[1]).LogSoftmax(1), N(3, 4), N(4))
            .Add("Softmax(x) * x", x => x[0].Softmax(0) * x[0], N(3, 2))
            .Add("softmax cross-entropy (LogSoftmax + GatherColumns)",
                x => -x[0].LogSoftmax(1).GatherColumns([2, 0, 3]).Mean(), N(3, 4))
            .Add("cross-entropy of a linear model",
                x => -x[0].MatMul(x[1]).LogSoftmax(1).GatherColumns([1, 1, 0, 2]).Mean(), N(4, 3), N(3, 3))
            .Add("cross-entropy via LogSumExp",
                x => (x[0].LogSumExp(1) - x[0].GatherColumns([0, 2])).Sum(), N(2, 3));
    }

    /// <summary>Names of the cases.</summary>
    public static TheoryData<string> Names() => Cases.Names();

    [Theory, MemberData(nameof(Names))]
    public void FirstOrder(string name) => Cases.AssertFirstOrder(name);

    [Theory, MemberData(nameof(Names))]
    public void SecondOrder(string name) => Cases.AssertSecondOrder(name);
}

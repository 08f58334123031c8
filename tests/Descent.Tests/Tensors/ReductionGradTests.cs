using Descent.Tensors;
using static Descent.Tests.Tensors.Gen;

namespace Descent.Tests.Tensors;

/// <summary>First- and second-order gradient checks of Sum, Mean, Var, Std, Max and Min over single axes,
/// several axes and everything, with and without keepDim.</summary>
public class ReductionGradTests
{
    private static readonly GradCaseTable Cases = Build();

    private static GradCaseTable Build()
    {
        var t = new GradCaseTable();
        int[][] axisSets = [[0], [1], [2], [-1], [0, 2], [1, 2], [0, 1, 2], [2, 0]];
        foreach (var keep in new[] { false, true })
        {
            foreach (var axes in axisSets)
            {
                string a = $"[{string.Join(", ", axes)}]{(keep ? " keepDim" : "")}";
                t.Add($"Sum {a}", x => x[0].Sum(axes, keep), N(2, 3, 4));
                t.Add($"Mean {a}", x => x[0].Mean(axes, keep), N(2, 3, 4));
                t.Add($"Var {a}", x => x[0].Var(axes, keep), N(2, 3, 4));
                t.Add($"Var unbiased {a}", x => x[0].Var(axes, keep, unbiased: true), N(2, 3, 4));
                t.Add($"Max {a}", x => x[0].Max(axes, keep), Distinct(2, 3, 4));
                t.Add($"Min {a}", x => x[0].Min(axes, keep), Distinct(2, 3, 4));
                t.Add($"Std {a}", x => x[0].Std(axes, keep), N(2, 3, 4));
            }
            foreach (var axis in new[] { 0, 1, 2, -1 })
            {
                string a = $"{axis}{(keep ? " keepDim" : "")}";
                t.Add($"Sum axis {a}", x => x[0].Sum(axis, keep), N(2, 3, 4));
                t.Add($"Mean axis {a}", x => x[0].Mean(axis, keep), N(2, 3, 4));
                t.Add($"Var axis {a}", x => x[0].Var(axis, keep), N(2, 3, 4));
                t.Add($"Max axis {a}", x => x[0].Max(axis, keep), Distinct(2, 3, 4));
                t.Add($"Min axis {a}", x => x[0].Min(axis, keep), Distinct(2, 3, 4));
            }
        }
        return t
            .Add("Sum all", x => x[0].Sum(), N(2, 3, 4))
            .Add("Mean all", x => x[0].Mean(), N(2, 3, 4))
            .Add("Var all", x => x[0].Var(), N(2, 3, 4))
            .Add("Var all unbiased", x => x[0].Var(unbiased: true), N(2, 3, 4))
            .Add("Max all", x => x[0].Max(), Distinct(2, 3, 4))
            .Add("Min all", x => x[0].Min(), Distinct(2, 3, 4))
            .Add("Std all", x => x[0].Std(), N(2, 3, 4))
            .Add("Std axis 1 unbiased keepDim", x => x[0].Std(1, keepDim: true, unbiased: true), N(2, 3, 4))
            .Add("Sum of a scalar", x => x[0].Sum(), N())
            .Add("Sum of a vector", x => x[0].Sum(0), N(5))
            .Add("Max of a matrix row-wise", x => x[0].Max(1), Distinct(4, 5))
            .Add("Sum of squares along rows", x => x[0].Square().Sum(1), N(3, 4))
            .Add("Mean of tanh over [0, 2]", x => x[0].Tanh().Mean([0, 2]), N(2, 3, 4))
            .Add("Var(x) * Mean(x) (both use x)", x => x[0].Var(1) * x[0].Mean(1), N(3, 4))
            .Add("standardize along rows", x => (x[0] - x[0].Mean(1, true)) / (x[0].Var(1, true) + 1e-3).Sqrt(), N(3, 4))
            .Add("Max(x, 1) * x", x => x[0].Max(1, true) * x[0], Distinct(3, 4))
            .Add("Sum of a view row slice", x => x[0].Rows(1, 2).Sum(0), N(4, 3));
    }

    /// <summary>Names of the cases.</summary>
    public static TheoryData<string> Names() => Cases.Names();

    [Theory, MemberData(nameof(Names))]
    public void FirstOrder(string name) => Cases.AssertFirstOrder(name);

    [Theory, MemberData(nameof(Names))]
    public void SecondOrder(string name) => Cases.AssertSecondOrder(name);
}

using Descent.Tensors;
using static Descent.Tests.Tensors.Gen;

namespace Descent.Tests.Tensors;

/// <summary>First- and second-order gradient checks of IndexRows (with repeated indices),
/// IndexAddRows, GatherColumns and ScatterColumns.</summary>
public class IndexingGradTests
{
    private static readonly GradCaseTable Cases = new GradCaseTable()
        .Add("IndexRows", x => x[0].IndexRows([3, 0, 2]).Square(), N(4, 3))
        .Add("IndexRows with repeated indices", x => x[0].IndexRows([2, 0, 2, 2, 1]).Square(), N(4, 3))
        .Add("IndexRows of a 3-D tensor", x => x[0].IndexRows([1, 1, 0]).Tanh(), N(2, 2, 3))
        .Add("IndexRows of a vector", x => x[0].IndexRows([4, 1, 4]).Exp(), N(5))
        .Add("IndexRows of a row view", x => x[0].Rows(1, 3).IndexRows([2, 0]).Square(), N(5, 2))
        .Add("IndexAddRows", x => x[0].IndexAddRows([2, 0, 2], 4).Square(), N(3, 3))
        .Add("IndexAddRows with unused rows", x => x[0].IndexAddRows([5, 5], 6).Tanh(), N(2, 2))
        .Add("GatherColumns", x => x[0].GatherColumns([1, 0, 3]).Square(), N(3, 4))
        .Add("GatherColumns of Softmax", x => x[0].Softmax(1).GatherColumns([2, 2]).Log(), N(2, 3))
        .Add("ScatterColumns", x => x[0].ScatterColumns([1, 0, 3], 4).Tanh(), N(3))
        .Add("ScatterColumns then Softmax", x => x[0].ScatterColumns([2, 2], 3).Softmax(1), N(2))
        .Add("embedding lookup and sum", x => (x[0].IndexRows([0, 2, 0]) * x[1]).Sum(1).Tanh(), N(3, 4), N(4));

    /// <summary>Names of the cases.</summary>
    public static TheoryData<string> Names() => Cases.Names();

    [Theory, MemberData(nameof(Names))]
    public void FirstOrder(string name) => Cases.AssertFirstOrder(name);

    [Theory, MemberData(nameof(Names))]
    public void SecondOrder(string name) => Cases.AssertSecondOrder(name);
}

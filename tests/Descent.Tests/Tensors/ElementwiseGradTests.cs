using Descent.Tensors;
using static Descent.Tests.Tensors.Gen;

namespace Descent.Tests.Tensors;

/// <summary>First- and second-order gradient checks of the element-wise ops: binary ops over every
/// broadcasting pattern (and Where), ops with a scalar, every activation (at points away from its kinks),
/// Sin and Cos, and a few compositions.</summary>
public class ElementwiseGradTests
{
    private static readonly (string Name, int[] A, int[] B)[] Patterns =
    [
        ("[3, 4] and [3, 4]", [3, 4], [3, 4]),
        ("[3, 4] and [4]", [3, 4], [4]),
        ("[3, 1] and [1, 4]", [3, 1], [1, 4]),
        ("[2, 3, 4] and [3, 1]", [2, 3, 4], [3, 1]),
        ("[3, 4] and []", [3, 4], []),
        ("[3, 4] and [1]", [3, 4], [1]),
        ("[] and [3, 4]", [], [3, 4]),
        ("[4] and [2, 3, 4]", [4], [2, 3, 4]),
        ("[2, 1, 4] and [3, 1]", [2, 1, 4], [3, 1]),
        ("[] and []", [], []),
    ];

    private static readonly GradCaseTable Binary = BuildBinary();
    private static readonly GradCaseTable Scalar = BuildScalar();
    private static readonly GradCaseTable Activations = BuildActivations();

    private static GradCaseTable BuildBinary()
    {
        var t = new GradCaseTable();
        foreach (var (p, a, b) in Patterns)
        {
            t.Add($"Add {p}", x => x[0] + x[1], N(a), N(b));
            t.Add($"Sub {p}", x => x[0] - x[1], N(a), N(b));
            t.Add($"Mul {p}", x => x[0] * x[1], N(a), N(b));
            t.Add($"Div {p}", x => x[0] / x[1], N(a), AwayIn(0.5, 2, b));
            t.Add($"Pow {p}", x => Tensor.Pow(x[0], x[1]), Pos(a), U(-1.5, 1.5, b));
            t.Add($"Maximum {p}", x => Tensor.Maximum(x[0], x[1]), Grid(0, a), Grid(0.1, b));
            t.Add($"Minimum {p}", x => Tensor.Minimum(x[0], x[1]), Grid(0, a), Grid(0.1, b));
            t.Add($"Where(a > b, a, b) {p}", x => Tensor.Where(x[0].Gt(x[1]), x[0], x[1]).Square(), Grid(0, a), Grid(0.1, b));
        }
        return t;
    }

    private static GradCaseTable BuildScalar() => new GradCaseTable()
        .Add("x + 1.5", x => x[0] + 1.5, N(3, 4))
        .Add("1.5 + x", x => 1.5 + x[0], N(3, 4))
        .Add("x - 0.7", x => x[0] - 0.7, N(3, 4))
        .Add("0.7 - x", x => 0.7 - x[0], N(3, 4))
        .Add("x * -2.5", x => x[0] * -2.5, N(3, 4))
        .Add("-2.5 * x", x => -2.5 * x[0], N(3, 4))
        .Add("x / 4", x => x[0] / 4, N(3, 4))
        .Add("3 / x", x => 3 / x[0], AwayIn(0.5, 2, 3, 4))
        .Add("-x", x => -x[0], N(3, 4))
        .Add("x.Neg()", x => x[0].Neg(), N(3, 4))
        .Add("x.Square()", x => x[0].Square(), N(3, 4))
        .Add("x.Pow(1)", x => x[0].Pow(1), N(3, 4))
        .Add("x.Pow(2)", x => x[0].Pow(2), N(3, 4))
        .Add("x.Pow(3)", x => x[0].Pow(3), N(3, 4))
        .Add("x.Pow(0.5)", x => x[0].Pow(0.5), Pos(3, 4))
        .Add("x.Pow(-1.5)", x => x[0].Pow(-1.5), Pos(3, 4))
        .Add("x.Maximum(0.3)", x => x[0].Maximum(0.3), Avoiding([0.3], 0.05, 3, 4))
        .Add("x.Minimum(-0.2)", x => x[0].Minimum(-0.2), Avoiding([-0.2], 0.05, 3, 4));

    private static GradCaseTable BuildActivations() => new GradCaseTable()
        .Add("Exp", x => x[0].Exp(), N(3, 4))
        .Add("Log", x => x[0].Log(), Pos(3, 4))
        .Add("Sqrt", x => x[0].Sqrt(), Pos(3, 4))
        .Add("Abs", x => x[0].Abs(), Away(3, 4))
        .Add("Tanh", x => x[0].Tanh(), N(3, 4))
        .Add("Sigmoid", x => x[0].Sigmoid(), U(-4, 4, 3, 4))
        .Add("Relu", x => x[0].Relu(), Away(3, 4))
        .Add("LeakyRelu(0.1)", x => x[0].LeakyRelu(0.1), Away(3, 4))
        .Add("LeakyRelu default", x => x[0].LeakyRelu(), Away(3, 4))
        .Add("Elu(1)", x => x[0].Elu(), Away(3, 4))
        .Add("Elu(0.5)", x => x[0].Elu(0.5), AwayIn(0.2, 3, 3, 4))
        .Add("Softplus", x => x[0].Softplus(), U(-5, 5, 3, 4))
        .Add("Gelu", x => x[0].Gelu(), U(-3, 3, 3, 4))
        .Add("Erf", x => x[0].Erf(), U(-2.5, 2.5, 3, 4))
        .Add("Erf for |x| > 3", x => x[0].Erf(), AwayIn(3, 4, 6))
        .Add("Clamp(-0.5, 0.8)", x => x[0].Clamp(-0.5, 0.8), Avoiding([-0.5, 0.8], 0.05, 3, 4))
        .Add("Sin", x => x[0].Sin(), U(-4, 4, 3, 4))
        .Add("Cos", x => x[0].Cos(), U(-4, 4, 3, 4))
        .Add("Where with a constant mask", x => Tensor.Where(Tensor.From([1.0, 0, 0, 1, 1, 0], 2, 3), x[0].Exp(), x[1].Tanh()), N(2, 3), N(3))
        .Add("Where(x > 0, x^2, 0) (a hinge squared)", x => Tensor.Where(x[0].Gt(0), x[0].Square(), Tensor.Scalar(0, DType.Float64)), Away(3, 4))
        .Add("Relu(x)^2", x => x[0].Relu().Square(), Away(3, 4))
        .Add("x * LeakyRelu(x, 0.2)", x => x[0] * x[0].LeakyRelu(0.2), Away(3, 4))
        .Add("x * Abs(x)", x => x[0] * x[0].Abs(), Away(3, 4))
        .Add("x * Clamp(x)", x => x[0] * x[0].Clamp(-0.5, 0.8), Avoiding([-0.5, 0.8], 0.05, 3, 4))
        .Add("Elu(x)^2", x => x[0].Elu().Square(), Away(3, 4))
        .Add("exp(-x^2)", x => (-x[0].Square()).Exp(), N(3, 4))
        .Add("sqrt(x^2 + 1)", x => (x[0].Square() + 1).Sqrt(), N(3, 4))
        .Add("Softplus(x) * Gelu(y)", x => x[0].Softplus() * x[1].Gelu(), N(3, 4), N(4))
        .Add("Tanh(Sigmoid(x) * y)", x => (x[0].Sigmoid() * x[1]).Tanh(), N(2, 3), N(3))
        .Add("log(1 + x^2) / (y^2 + 1)", x => (x[0].Square() + 1).Log() / (x[1] * x[1] + 1), N(3, 4), N(3, 1));

    /// <summary>Names of the binary cases.</summary>
    public static TheoryData<string> BinaryNames() => Binary.Names();

    /// <summary>Names of the tensor-scalar cases.</summary>
    public static TheoryData<string> ScalarNames() => Scalar.Names();

    /// <summary>Names of the activation cases.</summary>
    public static TheoryData<string> ActivationNames() => Activations.Names();

    [Theory, MemberData(nameof(BinaryNames))]
    public void BinaryFirstOrder(string name) => Binary.AssertFirstOrder(name);

    [Theory, MemberData(nameof(BinaryNames))]
    public void BinarySecondOrder(string name) => Binary.AssertSecondOrder(name);

    [Theory, MemberData(nameof(ScalarNames))]
    public void ScalarFirstOrder(string name) => Scalar.AssertFirstOrder(name);

    [Theory, MemberData(nameof(ScalarNames))]
    public void ScalarSecondOrder(string name) => Scalar.AssertSecondOrder(name);

    [Theory, MemberData(nameof(ActivationNames))]
    public void ActivationFirstOrder(string name) => Activations.AssertFirstOrder(name);

    [Theory, MemberData(nameof(ActivationNames))]
    public void ActivationSecondOrder(string name) => Activations.AssertSecondOrder(name);
}

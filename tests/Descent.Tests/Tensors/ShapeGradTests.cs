using Descent.Tensors;
using static Descent.Tests.Tensors.Gen;

namespace Descent.Tests.Tensors;

/// <summary>First- and second-order gradient checks of the shape ops: views, copies, joins,
/// broadcasting and dtype conversion. Each case multiplies by a non-linear function somewhere so that
/// the second-order check differentiates a gradient that depends on the input.</summary>
public class ShapeGradTests
{
    private static readonly GradCaseTable Cases = new GradCaseTable()
        .Add("Reshape [2, 3, 4] -> [4, 6]", x => x[0].Reshape(4, 6), N(2, 3, 4))
        .Add("Reshape with -1", x => x[0].Reshape(-1, 2).Square(), N(2, 3, 4))
        .Add("Reshape to a scalar", x => x[0].Reshape().Exp(), N(1, 1))
        .Add("Flatten()", x => x[0].Flatten().Tanh(), N(2, 3, 4))
        .Add("Flatten(0)", x => x[0].Flatten(0).Tanh(), N(2, 3, 4))
        .Add("Flatten(2)", x => x[0].Flatten(2).Tanh(), N(2, 3, 2, 2))
        .Add("Unsqueeze(0)", x => x[0].Unsqueeze(0).Square(), N(3, 4))
        .Add("Unsqueeze(-1)", x => x[0].Unsqueeze(-1) * x[1], N(3, 4), N(2))
        .Add("Squeeze(1)", x => x[0].Squeeze(1).Square(), N(3, 1, 4))
        .Add("Permute(2, 0, 1)", x => x[0].Permute(2, 0, 1).Square(), N(2, 3, 4))
        .Add("Permute(1, 2, 0)", x => x[0].Permute(1, 2, 0) * x[1], N(2, 3, 4), N(2))
        .Add("Permute 4-D (3, 1, 0, 2)", x => x[0].Permute(3, 1, 0, 2).Tanh(), N(2, 3, 2, 2))
        .Add("Permute identity", x => x[0].Permute(0, 1).Square(), N(3, 4))
        .Add("Transpose(0, 2)", x => x[0].Transpose(0, 2).Square(), N(2, 3, 4))
        .Add("Transpose(-1, -2)", x => x[0].Transpose(-1, -2) * x[1], N(2, 3, 4), N(3))
        .Add("T()", x => x[0].T() * x[1], N(3, 4), N(3))
        .Add("Narrow axis 0 (view)", x => x[0].Narrow(0, 1, 2).Square(), N(4, 3))
        .Add("Rows(1, 2) (view)", x => x[0].Rows(1, 2).Tanh(), N(4, 3))
        .Add("Narrow axis 1 (copy)", x => x[0].Narrow(1, 1, 2).Square(), N(2, 4, 3))
        .Add("Narrow last axis (copy)", x => x[0].Narrow(-1, 0, 2).Exp(), N(2, 3, 4))
        .Add("Narrow of a view", x => x[0].Rows(1, 3).Narrow(1, 1, 2).Square(), N(4, 4))
        .Add("Cat axis 0", x => Tensor.Cat([x[0], x[1]], 0).Square(), N(2, 3), N(1, 3))
        .Add("Cat axis 1", x => Tensor.Cat([x[0], x[1], x[2]], 1).Square(), N(2, 3), N(2, 1), N(2, 2))
        .Add("Cat axis 2 of 3-D", x => Tensor.Cat([x[0], x[1]], -1).Tanh(), N(2, 2, 3), N(2, 2, 2))
        .Add("Cat with itself", x => Tensor.Cat([x[0], x[0].Square()], 1).Tanh(), N(2, 3))
        .Add("Stack axis 0", x => Tensor.Stack([x[0], x[1]], 0).Square(), N(2, 3), N(2, 3))
        .Add("Stack axis 1", x => Tensor.Stack([x[0], x[1], x[0]], 1).Tanh(), N(2, 3), N(2, 3))
        .Add("Stack axis -1", x => Tensor.Stack([x[0], x[1]], -1).Square(), N(2, 3), N(2, 3))
        .Add("BroadcastTo [3, 1] -> [2, 3, 4]", x => x[0].BroadcastTo(new Shape(2, 3, 4)).Square() * x[1], N(3, 1), N(4))
        .Add("BroadcastTo [] -> [2, 3]", x => x[0].BroadcastTo(new Shape(2, 3)) * x[1], N(), N(2, 3))
        .Add("BroadcastTo [4] -> [3, 4]", x => x[0].BroadcastTo(new Shape(3, 4)).Tanh(), N(4))
        .Add("SumTo [2, 3, 4] -> [3, 1]", x => x[0].SumTo(new Shape(3, 1)).Square(), N(2, 3, 4))
        .Add("SumTo [3, 4] -> [4]", x => x[0].SumTo(new Shape(4)).Tanh(), N(3, 4))
        .Add("SumTo [3, 4] -> []", x => x[0].SumTo(Shape.Scalar).Exp(), N(3, 4))
        .Add("SumTo [3, 4] -> [1, 1]", x => x[0].SumTo(new Shape(1, 1)).Square(), N(3, 4))
        .Add("To(Float64) (no-op)", x => x[0].To(DType.Float64).Square(), N(3));

    private static readonly GradCaseTable Conversion = new GradCaseTable()
        .Add("To(Float32).To(Float64)", x => x[0].To(DType.Float32).Square().To(DType.Float64), N(3, 2));

    /// <summary>Names of the cases.</summary>
    public static TheoryData<string> Names() => Cases.Names();

    [Theory, MemberData(nameof(Names))]
    public void FirstOrder(string name) => Cases.AssertFirstOrder(name);

    [Theory, MemberData(nameof(Names))]
    public void SecondOrder(string name) => Cases.AssertSecondOrder(name);

    // Through float32 the function is only accurate to ~1e-7, so differences need a wide step.
    [Fact]
    public void ConversionToFloat32AndBackFirstOrder() => Conversion.AssertFirstOrder("To(Float32).To(Float64)", eps: 1e-2, atol: 1e-4, rtol: 1e-3);

    [Fact]
    public void ConversionToFloat32AndBackSecondOrder() => Conversion.AssertSecondOrder("To(Float32).To(Float64)", eps: 1e-2, atol: 1e-3, rtol: 1e-3);
}

using Descent.Autograd;
using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

/// <summary>
/// Gradient checks of a module with respect to its input and every parameter at once: the check's
/// inputs are [x, θ₁, θ₂, …] and the module runs with its parameters replaced by θ₁, θ₂, … through
/// <see cref="Functional.Call(Module, IReadOnlyList{Tensor}, Tensor)"/>, so both the first derivatives and
/// the derivatives of the gradient (second order) are compared with central differences in float64.
/// </summary>
internal static class LayerGradCheck
{
    public static void Verify(Module module, Tensor input, bool secondOrder = true, bool checkInput = true)
    {
        Assert.Equal(DType.Float64, input.DType);
        var ps = module.Parameters().ToArray();
        var inputs = new List<Tensor>();
        if (checkInput) inputs.Add(input);
        inputs.AddRange(ps.Select(p => p.Detach().Clone()));
        Tensor F(Tensor[] xs) => checkInput
            ? Functional.Call(module, xs[1..], xs[0])
            : Functional.Call(module, xs, input);
        // Every substitute must reach the output (a layer that bypassed Functional.Value would pass the
        // difference check vacuously, with zero derivatives on both sides).
        var probe = inputs.Select(t => t.Clone().RequireGrad()).ToArray();
        var reached = Autodiff.Grad(F(probe).Sum(), probe);
        for (int i = 0; i < reached.Length; i++)
            Assert.True(reached[i] is not null, $"{module}: the output does not depend on check input {i}.");
        var first = GradCheck.Check(F, inputs.ToArray());
        Assert.True(first.Passed, $"{module}: {first}");
        if (!secondOrder) return;
        var second = GradCheck.CheckSecondOrder(F, inputs.ToArray());
        Assert.True(second.Passed, $"{module} (second order): {second}");
    }

    public static Tensor Randn(ulong seed, params int[] shape) =>
        Tensor.Randn(new Shape(shape), new Rng(seed), dtype: DType.Float64);
}

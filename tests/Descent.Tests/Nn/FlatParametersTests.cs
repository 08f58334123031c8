using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class FlatParametersTests
{
    private sealed class Affine : Module
    {
        public readonly Parameter W, B;

        public Affine(int inputs, int outputs, ulong seed)
        {
            W = AddParameter("weight", Tensor.Randn(new Shape(inputs, outputs), new Rng(seed)), ParameterKind.Weight);
            B = AddParameter("bias", Tensor.Zeros(new Shape(outputs)), ParameterKind.Bias);
        }

        public override Tensor Forward(Tensor x) => x.MatMul(W) + B;
    }

    private sealed class Net : Module
    {
        public readonly Affine A, C;

        public Net()
        {
            A = AddModule("a", new Affine(3, 4, 1));
            C = AddModule("c", new Affine(4, 2, 2));
        }

        public override Tensor Forward(Tensor x) => C.Forward(A.Forward(x).Tanh());
    }

    [Fact]
    public void ParametersBecomeViewsOfOneBufferAndGradientsAccumulateThere()
    {
        var net = new Net();
        var before = net.A.W.ToArray();
        var flat = net.Flat;
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, flat.Count);
        Assert.Equal(["a.weight", "a.bias", "c.weight", "c.bias"], flat.Slots.Select(s => s.Name).ToArray());
        Assert.Equal(before, net.A.W.ToArray());
        Assert.True(net.A.W.SharesStorageWith(flat.Values));
        Assert.Equal(before, flat.Values.ToArray().Take(12).ToArray());

        var x = Tensor.Randn(new Shape(5, 3), new Rng(9));
        net.Forward(x).Square().Sum().Backward();
        var g = flat.Grads.ToArray();
        Assert.Contains(g, v => v != 0);
        Assert.Equal(net.C.B.Grad!.ToArray(), g.Skip(24).ToArray());

        flat.Values.Floats[0] = 42;
        Assert.Equal(42, net.A.W[0, 0]);
        net.ZeroGrad();
        Assert.All(flat.Grads.ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ToDoubleConvertsAndRebinds()
    {
        var net = new Net();
        _ = net.Flat;
        var values = net.Flat.Values.ToDoubleArray();
        net.To(DType.Float64);
        Assert.Equal(DType.Float64, net.Flat.DType);
        Assert.Equal(values, net.Flat.Values.ToDoubleArray());
        var state = net.StateDict();
        Assert.Equal(DType.Float64, state["c.weight"].DType);
    }

    [Fact]
    public void FlatIsOneStableBindingAndFlattenMakesANewVersion()
    {
        var net = new Net();
        var first = net.Flat;
        Assert.Same(first, net.Flat);
        Assert.False(first.IsRetired);
        var second = net.Flatten();
        Assert.NotSame(first, second);
        Assert.True(second.Version > first.Version);
        Assert.True(first.IsRetired);
        Assert.Same(second, net.Flat);
        Assert.True(net.A.W.SharesStorageWith(second.Values));
    }

    [Fact]
    public void AnOptimizerOnARetiredBindingRefusesToStep()
    {
        var net = new Net();
        var opt = Descent.Optim.OptimizerFactory.Create("sgd", new Dictionary<string, string>(), net.Flat);
        net.To(DType.Float64);
        var e = Assert.Throws<InvalidOperationException>(() => opt.Step());
        Assert.Contains("optimizer sgd: the model's parameters were bound to a new flat buffer", e.Message);
        Assert.Contains("optimizer.Init(model.Flat)", e.Message);
        // A new optimizer on the current binding works.
        var again = Descent.Optim.OptimizerFactory.Create("sgd", new Dictionary<string, string>(), net.Flat);
        again.Step();
    }

    [Fact]
    public void AChildsFlatDoesNotSilentlyStealItsParentsParameters()
    {
        var net = new Net();
        var child = net.A.Flat;
        var opt = Descent.Optim.OptimizerFactory.Create("sgd", new Dictionary<string, string>(), child);
        var parent = net.Flat;
        Assert.True(child.IsRetired);
        Assert.Throws<InvalidOperationException>(() => opt.Step());
        var e = Assert.Throws<InvalidOperationException>(() => net.A.Flat);
        Assert.Contains($"flat buffer v{parent.Version} of a Net", e.Message);
        Assert.False(parent.IsRetired);
        // Asking for the child's binding explicitly is allowed, and retires the parent's.
        net.A.Flatten();
        Assert.True(parent.IsRetired);
    }

    [Fact]
    public void LoadStateDictRejectsMismatches()
    {
        var net = new Net();
        var state = net.StateDict();
        state["a.weight"] = Tensor.Zeros(new Shape(2, 2));
        var ex = Assert.Throws<ShapeException>(() => net.LoadStateDict(state));
        Assert.Contains("a.weight", ex.Message);
        state.Remove("a.weight");
        Assert.Throws<DataFormatException>(() => net.LoadStateDict(state));
    }
}

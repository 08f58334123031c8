using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

/// <summary>Course claims (MISSION §3): units that start equal stay equal; zero init is a saddle.</summary>
public class SymmetryTests
{
    private sealed class TwoLayer : Module
    {
        public readonly Dense Hidden, Output;

        public TwoLayer(int inputs, int hidden)
        {
            Hidden = AddModule("hidden", new Dense(inputs, hidden, DType.Float64));
            Output = AddModule("output", new Dense(hidden, 1, DType.Float64));
        }

        public override Tensor Forward(Tensor x) => Output.Forward(Hidden.Forward(x).Tanh());
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var rng = new Rng(21);
        var x = Tensor.Randn(new Shape(64, 4), rng, dtype: DType.Float64);
        var a = Tensor.From(new[] { 1.0, -2.0, 0.5, 1.5 }, 4, 1);
        var y = Tensor.MatMul(x, a).Tanh() + Tensor.Randn(new Shape(64, 1), rng, 0, 0.1, DType.Float64) + 0.3;
        return (x, y);
    }

    private static Tensor Loss(Module net, Tensor x, Tensor y) => (net.Forward(x) - y).Square().Mean();

    private static double RowSpread(Tensor w)
    {
        // Largest difference between any row and row 0.
        double d = 0;
        for (int i = 1; i < w.Shape[0]; i++)
            for (int j = 0; j < w.Shape[1]; j++) d = Math.Max(d, Math.Abs(w[i, j] - w[0, j]));
        return d;
    }

    private static void SgdStep(Module net, double lr)
    {
        using var _ = Autodiff.NoGrad();
        foreach (var p in net.Parameters()) p.AddInPlace(p.Grad!, -lr);
    }

    [Fact]
    public void EqualUnitsGetEqualGradientsAndStayEqualForever()
    {
        var (x, y) = Data();
        var net = new TwoLayer(4, 6);
        InitPlan.Parse("kind:weight=constant:0.3; kind:bias=zeros").Apply(net, seed: 1);
        var w0 = net.Hidden.Weight.ToDoubleArray();

        net.ZeroGrad();
        Loss(net, x, y).Backward();
        var g = net.Hidden.Weight.Grad!;
        Assert.True(RowSpread(g) < 1e-12, $"hidden units got different gradients (spread {RowSpread(g)})");
        Assert.True(g.ToDoubleArray().Max(Math.Abs) > 1e-3, "the gradient is not trivially zero");

        double loss0 = Loss(net, x, y).Item();
        for (int step = 0; step < 300; step++)
        {
            net.ZeroGrad();
            Loss(net, x, y).Backward();
            SgdStep(net, 0.1);
        }
        var w = net.Hidden.Weight;
        Assert.True(w.ToDoubleArray().Zip(w0).Max(p => Math.Abs(p.First - p.Second)) > 0.05, "the weights moved");
        Assert.True(Loss(net, x, y).Item() < loss0, "training made progress");
        Assert.True(RowSpread(w) < 1e-9, $"after 300 SGD steps the hidden units differ by {RowSpread(w)}");
        var b = net.Hidden.Bias.ToDoubleArray();
        Assert.True(b.Max() - b.Min() < 1e-9, "hidden biases stay equal too");

        // The same network from a random init does break the symmetry.
        InitPlan.Parse("kind:weight=glorot_uniform; kind:bias=zeros").Apply(net, seed: 1);
        Assert.True(RowSpread(net.Hidden.Weight) > 0.1);
    }

    [Fact]
    public void ZeroInitHasZeroWeightGradientsAndSitsOnASaddle()
    {
        var (x, y) = Data();
        var net = new TwoLayer(4, 6);
        // All weights and biases zero, except the output bias at its optimum ȳ, so that every gradient is zero.
        new InitPlan()
            .Add(ParameterSelector.All, InitScheme.Zeros)
            .Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Bias), OutputBias.Scheme(OutputLoss.SquaredError, y))
            .Apply(net, seed: 1);

        net.ZeroGrad();
        var loss0 = Loss(net, x, y);
        loss0.Backward();
        foreach (var (name, p) in net.NamedParameters())
            Assert.True(p.Grad!.ToDoubleArray().Max(Math.Abs) < 1e-12, $"∂L/∂{name} should be 0 at the zero init");

        // Stationary, but not a minimum (nor a maximum): along (εU, εV) the loss goes down, along (εU, −εV) up.
        var rng = new Rng(5);
        var u = Tensor.Randn(net.Hidden.Weight.Shape, rng, dtype: DType.Float64);
        var v = Tensor.Randn(net.Output.Weight.Shape, rng, dtype: DType.Float64);
        double At(double eps, double sign)
        {
            using var _ = Autodiff.NoGrad();
            net.Hidden.Weight.CopyFrom(u * eps);
            net.Output.Weight.CopyFrom(v * (sign * eps));
            return Loss(net, x, y).Item();
        }
        double l0 = loss0.Item();
        double plus = At(0.05, 1) - l0, minus = At(0.05, -1) - l0;
        Assert.True(Math.Sign(plus) == -Math.Sign(minus) && plus != 0,
            $"loss changes {plus:G3} and {minus:G3} along opposite directions: a saddle needs opposite signs");
        // Second order in ε: halving ε quarters the change.
        double quarter = At(0.025, 1) - l0;
        Assert.InRange(quarter / plus, 0.2, 0.3);
    }
}

using Descent.Nn;
using Descent.Optim;
using Descent.Optim.Rules;
using Descent.Tensors;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

public class StabilizerTests
{
    private static (FreeParameters Model, Optimizer Opt) Sgd(double[] x0, params string[] settings)
    {
        var m = new FreeParameters(Tensor.From(x0, x0.Length).To(DType.Float64));
        return (m, OptimizerFactory.Create("sgd", S(settings), m.Flat));
    }

    [Fact]
    public void ClippingByGlobalNormScalesTheGradientAndReportsTheNormBefore()
    {
        var (m, opt) = Sgd([0.0, 0.0], "lr=1", "clip_norm=1");
        m.Flat.Grads.CopyFrom(Tensor.From(new[] { 3.0, 4.0 }, 2));
        var r = opt.Step();
        Assert.Equal(5, r.GradientNorm, 12);
        Assert.True(r.Clipped);
        Close(-3 / (5 + 1e-6), m.Flat.Values[0]);
        Close(-4 / (5 + 1e-6), m.Flat.Values[1]);
        m.Flat.Grads.CopyFrom(Tensor.From(new[] { 0.3, 0.4 }, 2));
        Assert.False(opt.Step().Clipped);
    }

    [Fact]
    public void ClippingByValueClampsEachElement()
    {
        var (m, opt) = Sgd([0.0, 0.0, 0.0], "lr=1", "clip_value=0.5");
        m.Flat.Grads.CopyFrom(Tensor.From(new[] { 3.0, -0.2, -7.0 }, 3));
        opt.Step();
        Assert.Equal(new[] { -0.5, 0.2, 0.5 }, m.Flat.Values.ToDoubleArray());
    }

    [Fact]
    public void NonFiniteGradientsHaltWithAMessageNamingTheParameterAndLeaveEverythingUnchanged()
    {
        var m = new FreeParameters(("w", Tensor.Ones(new Shape(2)).To(DType.Float64), Descent.Nn.ParameterKind.Weight),
            ("b", Tensor.Ones(new Shape(1)).To(DType.Float64), Descent.Nn.ParameterKind.Bias));
        var opt = OptimizerFactory.Create("adam", S(), m.Flat);
        m.Flat.Grads.CopyFrom(Tensor.From(new[] { 1.0, 2.0, double.NaN }, 3));
        var e = Assert.Throws<NonFiniteException>(() => opt.Step());
        Assert.Contains("step 1: the gradient of 'b' is not finite", e.Message);
        Assert.Contains("nonfinite=skip", e.Message);
        Assert.Equal(0, opt.StepCount);
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, m.Flat.Values.ToDoubleArray());
    }

    [Fact]
    public void SkipPolicyCountsSkippedStepsAndThenContinues()
    {
        var (m, opt) = Sgd([1.0], "lr=0.5", "nonfinite=skip");
        m.Flat.Grads[0] = double.PositiveInfinity;
        var r = opt.Step();
        Assert.True(r.Skipped);
        Assert.Equal((0L, 1L), (opt.StepCount, opt.SkippedSteps));
        Assert.Equal(1.0, m.Flat.Values[0]);
        m.Flat.Grads[0] = 1;
        opt.Step();
        Assert.Equal((1L, 1L), (opt.StepCount, opt.SkippedSteps));
        Assert.Equal(0.5, m.Flat.Values[0]);
    }

    [Fact]
    public void AnInfiniteLossAlsoFollowsThePolicy()
    {
        var m = new FreeParameters(Tensor.From(new[] { 1.0 }, 1).To(DType.Float64));
        var o = new LossObjective(m, () => m.X.Sum() + double.PositiveInfinity);
        var opt = OptimizerFactory.Create("sgd", S(), m.Flat);
        Assert.Contains("the loss is", Assert.Throws<NonFiniteException>(() => opt.Step(o)).Message);
    }

    [Fact]
    public void LargeButFiniteGradientsAreNotMistakenForNonFinite()
    {
        var m = new FreeParameters(Tensor.From(new[] { 0f, 0f }, 2));
        var opt = OptimizerFactory.Create("sgd", S("lr=1e-30", "clip_norm=1"), m.Flat);
        m.Flat.Grads.CopyFrom(Tensor.From(new[] { 3e38f, 3e38f }, 2));
        var r = opt.Step();
        Assert.Equal(3e38 * Math.Sqrt(2), r.GradientNorm, 1e33);
        Assert.False(r.Skipped);
    }

    [Fact]
    public void ArithmeticPolyakAverageIsTheMeanOfTheIteratesAndSwapsInAndOut()
    {
        var (m, opt) = Sgd([0.0, 10.0], "lr=1", "average=arithmetic", "average_start=1");
        var iterates = new List<double[]>();
        foreach (var g in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            m.Flat.Grads.Fill(g);
            opt.Step();
            iterates.Add(m.Flat.Values.ToDoubleArray());
        }
        // Step 1 is before the start; steps 2..4 are averaged.
        Assert.Equal(3, opt.Average!.Count);
        double[] mean = [iterates.Skip(1).Average(x => x[0]), iterates.Skip(1).Average(x => x[1])];
        var live = m.Flat.Values.ToDoubleArray();
        using (opt.Average.SwapIn())
        {
            Close(mean[0], m.Flat.Values[0]);
            Close(mean[1], m.Flat.Values[1]);
            Assert.Throws<InvalidOperationException>(() => opt.Step());
        }
        Assert.Equal(live, m.Flat.Values.ToDoubleArray());
    }

    [Fact]
    public void ExponentialPolyakAverageStartsAtTheFirstIterate()
    {
        var (m, opt) = Sgd([0.0], "lr=1", "average=ema", "average_decay=0.5");
        m.Flat.Grads.Fill(-2);
        opt.Step(); // θ = 2, θ̄ = 2
        opt.Step(); // θ = 4, θ̄ = 3
        opt.Step(); // θ = 6, θ̄ = 4.5
        Close(4.5, opt.Average!.Average[0]);
    }

    [Fact]
    public void L1ProximalStepShrinksTowardZeroAndStopsThere()
    {
        var (m, opt) = Sgd([0.25, -1.0, 0.05], "lr=0.1", "l1=1");
        m.Flat.Grads.Zero();
        opt.Step();
        var x = m.Flat.Values.ToDoubleArray();
        Close(0.15, x[0]);
        Close(-0.9, x[1]);
        Assert.Equal(0.0, x[2]);
    }

    [Fact]
    public void ACustomRuleChainRunsWithTheSameStabilizers()
    {
        var m = new FreeParameters(Tensor.From(new[] { 0.0, 0.0 }, 2).To(DType.Float64));
        var opt = OptimizerFactory.Custom<Chain<MomentumBuffer, Descend>>("heavy", S("lr=0.1", "momentum=0.5", "clip_value=1"));
        opt.Init(m.Flat);
        m.Flat.Grads.CopyFrom(Tensor.From(new[] { 4.0, 0.5 }, 2));
        opt.Step();
        opt.Step();
        // b₁ = clip(g) = (1, 0.5); b₂ = 0.5·b₁ + clip(g) = (1.5, 0.75); θ = −0.1(b₁ + b₂).
        Close(-0.25, m.Flat.Values[0]);
        Close(-0.125, m.Flat.Values[1]);
        Assert.Equal(["momentum_buffer"], opt.ExportState().Tensors.Keys.ToArray());
        Assert.Contains("b ← βb + (1−d)u", OptimizerFactory.Custom<Chain<MomentumBuffer, Descend>>("heavy").Info.Help());
    }

    [Fact]
    public void ACustomRuleChainTakesParameterGroupsAndRefusesUnknownKeys()
    {
        var m = new FreeParameters(("w", Tensor.From(new[] { 1.0, 1.0 }, 2).To(DType.Float64), ParameterKind.Weight),
            ("b", Tensor.From(new[] { 1.0 }, 1).To(DType.Float64), ParameterKind.Bias));
        var opt = OptimizerFactory.Custom<Chain<AddDecayedWeights, Descend>>("decayed", S("lr=0.1", "weight_decay=0.5"));
        opt.Init(m.Flat, ParameterGroups.Parse("kind:bias:weight_decay=0"));
        m.Flat.Grads.Zero();
        opt.Step();
        // Weights decay by lr·λ = 0.05; the bias group has λ = 0.
        Close(0.95, m.Flat.Values[0]);
        Close(1.0, m.Flat.Values[2]);
        Assert.Contains("decayed has no setting 'beta1'",
            Assert.Throws<ConfigurationException>(() => OptimizerFactory.Custom<Chain<AddDecayedWeights, Descend>>("decayed", S("beta1=0.9"))).Message);
    }
}

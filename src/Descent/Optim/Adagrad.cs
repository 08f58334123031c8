using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// AdaGrad (Duchi, Hazan &amp; Singer 2011; Goodfellow et al. 2016, Alg. 8.4): per-coordinate rates shrink
/// with the accumulated squared gradients, <c>r ← r + g⊙g</c>, <c>θ ← θ − μₜ/(δ + √r) ⊙ g</c>, with
/// <c>μₜ = μ/(1 + (t−1)·lr_decay)</c> and r starting at <c>initial_accumulator_value</c>. Defaults: the
/// course's δ = 1e-7; <c>variant=pytorch</c> is torch.optim.Adagrad 1.13 (δ = 1e-10, same update).
/// </summary>
public sealed class Adagrad(OptimizerSettings settings) : FusedRule(settings)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["sum"];

    /// <inheritdoc />
    public override double InitialValue(string name) => Settings.Real("initial_accumulator_value");

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByRss(Settings.Real("eps"), Settings.Real("initial_accumulator_value")),
        new ScaleByLearningRate(LearningRate, new DecayTimes(schedule, Settings.Real("lr_decay"))));

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double clr = step.LearningRate / (1 + (step.Step - 1) * Settings.Real("lr_decay"));
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), NegLr = C<T>(-clr), Eps = C<T>(Settings.Real("eps")),
            Wd = C<T>(Settings.Real("weight_decay")), HasWd = Settings.Real("weight_decay") != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T NegLr, Eps, Wd;
        public bool HasWd;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV lr = TV.Splat(NegLr), eps = TV.Splat(Eps), wd = TV.Splat(Wd);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var sum = TV.Load(ref s0, i) + d * d;
                TV.Store(sum, ref s0, i);
                TV.Store(x + lr * d / (TV.Sqrt(sum) + eps), ref p, i);
            }
        }
    }

    /// <summary>A schedule times AdaGrad's 1/(1 + (t−1)·lr_decay).</summary>
    private sealed class DecayTimes(Schedule? inner, double decay) : Schedule
    {
        public override double Factor(long step) => (inner?.Factor(step) ?? 1) / (1 + step * decay);

        public override string Spec => $"adagrad-decay:{decay}";
    }

    internal static OptimizerInfo Info { get; } = new("adagrad", "AdaGrad: per-coordinate rates from accumulated squared gradients",
        "r ← r + g⊙g; θ ← θ − μ/(1 + (t−1)·lr_decay) · g/(δ + √r)", "Duchi, Hazan & Singer 2011; Goodfellow et al. 2016, Alg. 8.4",
        [
            Hp.Lr(0.01), Hp.Positive("eps", 1e-7, "δ, added to √r", pytorch: 1e-10),
            Hp.NonNegative("lr_decay", 0, "learning-rate decay: μ/(1 + (t−1)·lr_decay)"),
            Hp.NonNegative("initial_accumulator_value", 0, "starting value of r"),
            Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"), Hp.Variant(),
        ]);
}

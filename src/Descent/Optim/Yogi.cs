using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// Yogi (Zaheer, Reddi, Sachan, Kale &amp; Kumar 2018, "Adaptive Methods for Nonconvex Optimization"):
/// <c>m ← β₁m + (1−β₁)g</c>, <c>v ← v − (1−β₂)·sign(v − g²)·g²</c> (additive, so v grows no faster than g²),
/// <c>θ ← θ − μ m/(√v + δ)</c>. Defaults from the paper: μ = 0.01, β₁ = 0.9, β₂ = 0.999, δ = 1e-3, v₀ = 1e-6.
/// </summary>
public sealed class Yogi(OptimizerSettings settings) : FusedRule(settings)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc />
    public override double InitialValue(string name) => name == "exp_avg_sq" ? Settings.Real("initial_accumulator_value") : 0;

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByYogi(Settings.Real("beta1"), Settings.Real("beta2"), Settings.Real("eps"), Settings.Real("initial_accumulator_value")),
        new ScaleByLearningRate(LearningRate, schedule));

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double b1 = Settings.Real("beta1"), b2 = Settings.Real("beta2"), wd = Settings.Real("weight_decay");
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), B1 = C<T>(b1), C1 = C<T>(1 - b1), C2 = C<T>(1 - b2),
            NegLr = C<T>(-step.LearningRate), Eps = C<T>(Settings.Real("eps")), Wd = C<T>(wd), HasWd = wd != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T B1, C1, C2, NegLr, Eps, Wd;
        public bool HasWd;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV b1 = TV.Splat(B1), c1 = TV.Splat(C1), c2 = TV.Splat(C2), lr = TV.Splat(NegLr), eps = TV.Splat(Eps), wd = TV.Splat(Wd);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var g2 = d * d;
                var m = TV.Load(ref s0, i) * b1 + c1 * d;
                var v = TV.Load(ref s1, i);
                v = v - c2 * TV.Sign(v - g2) * g2;
                TV.Store(m, ref s0, i);
                TV.Store(v, ref s1, i);
                TV.Store(x + lr * m / (TV.Sqrt(v) + eps), ref p, i);
            }
        }
    }

    internal static OptimizerInfo Info { get; } = new("yogi", "Yogi: Adam with an additive, sign-controlled second moment",
        "m ← β₁m + (1−β₁)g; v ← v − (1−β₂) sign(v − g²) g²; θ ← θ − μ m/(√v + δ)", "Zaheer, Reddi, Sachan, Kale & Kumar 2018",
        [
            Hp.Lr(0.01), Hp.Beta("beta1", 0.9, "β₁"), Hp.Beta("beta2", 0.999, "β₂"), Hp.Positive("eps", 1e-3, "δ"),
            Hp.NonNegative("initial_accumulator_value", 1e-6, "starting value of v"),
            Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"),
        ]);
}

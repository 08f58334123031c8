using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// AdaMax (Kingma &amp; Ba 2015, §7.1), Adam with the infinity norm: <c>m ← β₁m + (1−β₁)g</c>,
/// <c>u ← max(β₂u, |g| + δ)</c>, <c>θ ← θ − (μ/(1−β₁ᵗ))·m/u</c>; μ = 0.002. δ sits inside the max as in
/// torch.optim.Adamax 1.13, which <c>variant=pytorch</c> reproduces (same update and defaults).
/// </summary>
public sealed class Adamax(OptimizerSettings settings) : FusedRule(settings)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["exp_avg", "exp_inf"];

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByAdamax(Settings.Real("beta1"), Settings.Real("beta2"), Settings.Real("eps")),
        new ScaleByLearningRate(LearningRate, schedule));

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double b1 = Settings.Real("beta1"), b2 = Settings.Real("beta2"), wd = Settings.Real("weight_decay");
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), B1 = C<T>(b1), C1 = C<T>(1 - b1), B2 = C<T>(b2), Eps = C<T>(Settings.Real("eps")),
            NegClr = C<T>(-(step.LearningRate / (1 - Math.Pow(b1, step.Step)))), Wd = C<T>(wd), HasWd = wd != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T B1, C1, B2, Eps, NegClr, Wd;
        public bool HasWd;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV b1 = TV.Splat(B1), c1 = TV.Splat(C1), b2 = TV.Splat(B2), eps = TV.Splat(Eps), clr = TV.Splat(NegClr), wd = TV.Splat(Wd);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var m = TV.Load(ref s0, i) * b1 + c1 * d;
                var u = TV.Max(TV.Load(ref s1, i) * b2, TV.Abs(d) + eps);
                TV.Store(m, ref s0, i);
                TV.Store(u, ref s1, i);
                TV.Store(x + clr * m / u, ref p, i);
            }
        }
    }

    internal static OptimizerInfo Info { get; } = new("adamax", "AdaMax: Adam with the infinity norm",
        "m ← β₁m + (1−β₁)g; u ← max(β₂u, |g| + δ); θ ← θ − (μ/(1−β₁ᵗ)) m/u", "Kingma & Ba 2015, §7.1",
        [
            Hp.Lr(0.002), Hp.Beta("beta1", 0.9, "β₁"), Hp.Beta("beta2", 0.999, "β₂, decay of the infinity norm"),
            Hp.Positive("eps", 1e-8, "δ"), Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"), Hp.Variant(),
        ]);
}

using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// NAdam (Dozat 2016, "Incorporating Nesterov Momentum into Adam"): Adam whose update uses the next step's
/// momentum, with the schedule <c>μₜ = β₁(1 − ½·0.96^(tψ))</c> (ψ = <c>momentum_decay</c> = 0.004):
/// <c>θ ← θ − lr[(1−μₜ)/(1−Πᵢ≤ₜμᵢ)·g + μₜ₊₁/(1−Πᵢ≤ₜ₊₁μᵢ)·m]/(√v̂ + δ)</c>; μ = 0.002.
/// <c>variant=pytorch</c> reproduces torch.optim.NAdam 1.13 exactly, including its float32 running product
/// and the extra factor μₜ in its next-step product.
/// </summary>
public sealed class NAdam(OptimizerSettings settings) : FusedRule(settings)
{
    private long cachedStep;
    private double product = 1;
    private float product32 = 1;

    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByNadam(Settings.Real("beta1"), Settings.Real("beta2"), Settings.Real("eps"), Settings.Real("momentum_decay"), Settings.IsPytorch),
        new ScaleByLearningRate(LearningRate, schedule));

    /// <summary>The momentum products at step t: O(1) per step in order, recomputed after a jump (resume).</summary>
    private NadamMomentum.Values Products(long t)
    {
        double b1 = Settings.Real("beta1"), psi = Settings.Real("momentum_decay");
        if (t == cachedStep + 1)
        {
            product *= NadamMomentum.Mu(t, b1, psi);
            product32 *= (float)NadamMomentum.Mu(t, b1, psi);
            cachedStep = t;
        }
        else if (t != cachedStep)
        {
            var v = NadamMomentum.At(t, b1, psi, pytorch113: false);
            var v32 = NadamMomentum.At(t, b1, psi, pytorch113: true);
            product = v.Product;
            product32 = (float)v32.Product;
            cachedStep = t;
        }
        return NadamMomentum.Finish(t, b1, psi, Settings.IsPytorch, product, product32);
    }

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double b1 = Settings.Real("beta1"), b2 = Settings.Real("beta2"), wd = Settings.Real("weight_decay"), lr = step.LearningRate;
        var mu = Products(step.Step);
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), B1 = C<T>(b1), C1 = C<T>(1 - b1), B2 = C<T>(b2), C2 = C<T>(1 - b2),
            Bc2 = C<T>(1 - Math.Pow(b2, step.Step)), Eps = C<T>(Settings.Real("eps")),
            Cg = C<T>(-lr * (1 - mu.Mu) / (1 - mu.Product)), Cm = C<T>(-lr * mu.MuNext / (1 - mu.ProductNext)),
            Wd = C<T>(wd), HasWd = wd != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T B1, C1, B2, C2, Bc2, Eps, Cg, Cm, Wd;
        public bool HasWd;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV b1 = TV.Splat(B1), c1 = TV.Splat(C1), b2 = TV.Splat(B2), c2 = TV.Splat(C2), bc2 = TV.Splat(Bc2);
            TV eps = TV.Splat(Eps), cg = TV.Splat(Cg), cm = TV.Splat(Cm), wd = TV.Splat(Wd);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var m = TV.Load(ref s0, i) * b1 + c1 * d;
                var v = TV.Load(ref s1, i) * b2 + c2 * (d * d);
                TV.Store(m, ref s0, i);
                TV.Store(v, ref s1, i);
                var denom = TV.Sqrt(v / bc2) + eps;
                x = x + cg * d / denom;
                TV.Store(x + cm * m / denom, ref p, i);
            }
        }
    }

    internal static OptimizerInfo Info { get; } = new("nadam", "NAdam: Adam with Nesterov momentum",
        "μₜ = β₁(1 − ½·0.96^(tψ)); m, v as Adam; θ ← θ − μ[(1−μₜ)/(1−Πμᵢ)·g + μₜ₊₁/(1−Πμᵢ·μₜ₊₁)·m]/(√v̂ + δ)",
        "Dozat 2016",
        [
            Hp.Lr(0.002), Hp.Beta("beta1", 0.9, "β₁"), Hp.Beta("beta2", 0.999, "β₂"), Hp.Positive("eps", 1e-8, "δ"),
            Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"),
            Hp.NonNegative("momentum_decay", 0.004, "ψ of the momentum schedule"), Hp.Variant(),
        ]);
}

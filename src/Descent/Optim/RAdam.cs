using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// RAdam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond"): Adam with the adaptive
/// step rectified, and switched off (SGD with momentum, <c>θ ← θ − μm̂</c>) while the variance of the adaptive
/// rate is intractable: with <c>ρ∞ = 2/(1−β₂) − 1</c>, <c>ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)</c>, if <c>ρₜ &gt; 4</c>,
/// <c>θ ← θ − μ rₜ m̂ √(1−β₂ᵗ)/(√v + δ)</c>, <c>rₜ = √((ρₜ−4)(ρₜ−2)ρ∞/((ρ∞−4)(ρ∞−2)ρₜ))</c>.
/// <c>variant=pytorch</c> is torch.optim.RAdam 1.13 (threshold ρₜ &gt; 5, as in the authors' code).
/// </summary>
public sealed class RAdam(OptimizerSettings settings) : FusedRule(settings)
{
    private double Threshold => Settings.IsPytorch ? 5 : 4;

    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByRadam(Settings.Real("beta1"), Settings.Real("beta2"), Settings.Real("eps"), Threshold),
        new ScaleByLearningRate(LearningRate, schedule));

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double b1 = Settings.Real("beta1"), b2 = Settings.Real("beta2"), wd = Settings.Real("weight_decay");
        double bc2 = 1 - Math.Pow(b2, step.Step);
        var (_, rect) = ScaleByRadam.Rectification(step.Step, b2, Threshold);
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), B1 = C<T>(b1), C1 = C<T>(1 - b1), B2 = C<T>(b2), C2 = C<T>(1 - b2),
            Bc1 = C<T>(1 - Math.Pow(b1, step.Step)), Lr = C<T>(step.LearningRate), Eps = C<T>(Settings.Real("eps")),
            Adaptive = !double.IsNaN(rect), Rect = C<T>(double.IsNaN(rect) ? 0 : rect), Bc2Sqrt = C<T>(Math.Sqrt(bc2)),
            Wd = C<T>(wd), HasWd = wd != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T B1, C1, B2, C2, Bc1, Lr, Eps, Rect, Bc2Sqrt, Wd;
        public bool HasWd, Adaptive;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV b1 = TV.Splat(B1), c1 = TV.Splat(C1), b2 = TV.Splat(B2), c2 = TV.Splat(C2), bc1 = TV.Splat(Bc1), lr = TV.Splat(Lr);
            TV eps = TV.Splat(Eps), rect = TV.Splat(Rect), bc2 = TV.Splat(Bc2Sqrt), wd = TV.Splat(Wd), one = TV.Splat(T.One);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var m = TV.Load(ref s0, i) * b1 + c1 * d;
                var v = TV.Load(ref s1, i) * b2 + c2 * (d * d);
                TV.Store(m, ref s0, i);
                TV.Store(v, ref s1, i);
                var mhat = m / bc1;
                // torch: param.add_(m̂ * lr * (√bc2 / (√v + δ)) * rect, alpha=-1); a Python scalar divided by a
                // tensor is computed as reciprocal(tensor) * scalar.
                var step = Adaptive ? mhat * lr * (one / (TV.Sqrt(v) + eps) * bc2) * rect : mhat * lr;
                TV.Store(x - step, ref p, i);
            }
        }
    }

    internal static OptimizerInfo Info { get; } = new("radam", "RAdam: Adam with a rectified adaptive rate",
        "m, v as Adam; ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ); if ρₜ > 4: θ ← θ − μ rₜ m̂ √(1−β₂ᵗ)/(√v + δ), else θ ← θ − μ m̂",
        "Liu, Jiang, He, Chen, Liu, Gao & Han 2020",
        [
            Hp.Lr(0.001), Hp.Beta("beta1", 0.9, "β₁"), Hp.Beta("beta2", 0.999, "β₂"), Hp.Positive("eps", 1e-8, "δ"),
            Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"), Hp.Variant(),
        ]);
}

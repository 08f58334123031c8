using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// AdaDelta (Zeiler 2012), which needs no learning rate: <c>s ← ρs + (1−ρ)g²</c>,
/// <c>g' = √((Δ + ε)/(s + ε)) ⊙ g</c>, <c>θ ← θ − μg'</c> (μ = 1), <c>Δ ← ρΔ + (1−ρ)g'²</c>. Defaults from the
/// paper (ρ = 0.95, ε = 1e-6); <c>variant=pytorch</c> is torch.optim.Adadelta 1.13 (ρ = 0.9, lr = 1.0).
/// </summary>
public sealed class Adadelta(OptimizerSettings settings) : FusedRule(settings)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["square_avg", "acc_delta"];

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByAdadelta(Settings.Real("rho"), Settings.Real("eps")),
        new ScaleByLearningRate(LearningRate, schedule));

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double rho = Settings.Real("rho");
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), NegLr = C<T>(-step.LearningRate), Rho = C<T>(rho), OneMinusRho = C<T>(1 - rho),
            Eps = C<T>(Settings.Real("eps")), Wd = C<T>(Settings.Real("weight_decay")), HasWd = Settings.Real("weight_decay") != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T NegLr, Rho, OneMinusRho, Eps, Wd;
        public bool HasWd;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV lr = TV.Splat(NegLr), rho = TV.Splat(Rho), c = TV.Splat(OneMinusRho), eps = TV.Splat(Eps), wd = TV.Splat(Wd);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var sq = TV.Load(ref s0, i) * rho + c * (d * d);
                TV.Store(sq, ref s0, i);
                var std = TV.Sqrt(sq + eps);
                var acc = TV.Load(ref s1, i);
                var delta = TV.Sqrt(acc + eps) / std * d;
                TV.Store(acc * rho + c * (delta * delta), ref s1, i);
                TV.Store(x + lr * delta, ref p, i);
            }
        }
    }

    internal static OptimizerInfo Info { get; } = new("adadelta", "AdaDelta: unit-correct steps without a learning rate",
        "s ← ρs + (1−ρ)g²; g' = √((Δ+ε)/(s+ε)) ⊙ g; θ ← θ − μg'; Δ ← ρΔ + (1−ρ)g'²", "Zeiler 2012",
        [
            Hp.Lr(1.0, description: "learning rate μ (1 in the paper)"), Hp.Beta("rho", 0.95, "ρ, decay of both averages", pytorch: 0.9),
            Hp.Positive("eps", 1e-6, "ε"), Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"), Hp.Variant(),
        ]);
}

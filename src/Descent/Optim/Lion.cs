using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of an interpolated
/// momentum, with decoupled weight decay: <c>c = β₁m + (1−β₁)g</c>, <c>θ ← θ − μ(sign(c) + λθ)</c>,
/// <c>m ← β₂m + (1−β₂)g</c>. Defaults from the paper: μ = 1e-4, β₁ = 0.9, β₂ = 0.99, λ = 0.
/// </summary>
public sealed class Lion(OptimizerSettings settings) : FusedRule(settings)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => ["exp_avg"];

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null) => new Chain(
        new ScaleByLion(Settings.Real("beta1"), Settings.Real("beta2")),
        new AddDecayedWeights(Settings.Real("weight_decay")),
        new ScaleByLearningRate(LearningRate, schedule));

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double b1 = Settings.Real("beta1"), b2 = Settings.Real("beta2"), wd = Settings.Real("weight_decay");
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), B1 = C<T>(b1), C1 = C<T>(1 - b1), B2 = C<T>(b2), C2 = C<T>(1 - b2),
            NegLr = C<T>(-step.LearningRate), Decay = C<T>(1 - step.LearningRate * wd),
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T B1, C1, B2, C2, NegLr, Decay;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV b1 = TV.Splat(B1), c1 = TV.Splat(C1), b2 = TV.Splat(B2), c2 = TV.Splat(C2), lr = TV.Splat(NegLr), decay = TV.Splat(Decay);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var d = Grad.Load<TV>(ref g, i);
                var m = TV.Load(ref s0, i);
                var c = m * b1 + c1 * d;
                TV.Store(TV.Load(ref p, i) * decay + lr * TV.Sign(c), ref p, i);
                TV.Store(m * b2 + c2 * d, ref s0, i);
            }
        }
    }

    internal static OptimizerInfo Info { get; } = new("lion", "Lion: sign of interpolated momentum (evolved by program search)",
        "c = β₁m + (1−β₁)g; θ ← θ − μ(sign(c) + λθ); m ← β₂m + (1−β₂)g", "Chen et al. 2023",
        [
            Hp.Lr(1e-4), Hp.Beta("beta1", 0.9, "β₁, interpolation for the update"), Hp.Beta("beta2", 0.99, "β₂, decay of the momentum"),
            Hp.NonNegative("weight_decay", 0, "decoupled weight decay λ: θ ← θ − μλθ"),
        ]);
}

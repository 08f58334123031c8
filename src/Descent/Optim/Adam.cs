using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) and its relatives, in one fused pass (read g, m, v, θ; write m, v, θ):
/// <c>m ← β₁m + (1−β₁)g</c>, <c>v ← β₂v + (1−β₂)g⊙g</c>, <c>θ ← θ − μ m̂/(√v̂ + δ)</c> with
/// <c>m̂ = m/(1−β₁ᵗ)</c>, <c>v̂ = v/(1−β₂ᵗ)</c>; defaults μ = 0.001, β₁ = 0.9, β₂ = 0.999, δ = 1e-8.
/// <list type="bullet">
/// <item><c>adam</c>: <c>weight_decay</c> is an L2 penalty added to g; <c>amsgrad=true</c> uses the running
/// maximum of v̂ (torch.optim's form, with bias correction).</item>
/// <item><c>adamw</c> (Loshchilov &amp; Hutter 2019): decoupled weight decay <c>θ ← θ − μλθ</c> before the
/// Adam step (λ = 0.01).</item>
/// <item><c>amsgrad</c> (Reddi, Kale &amp; Kumar 2018, Alg. 2): <c>v̂ ← max(v̂, v)</c>,
/// <c>θ ← θ − μ m/(√v̂ + δ)</c> without bias correction; <c>variant=pytorch</c> is Adam(amsgrad=True).</item>
/// </list>
/// With <c>variant=pytorch</c> the arithmetic follows torch.optim 1.13 (<c>denom = √v/√(1−β₂ᵗ) + δ</c>,
/// <c>θ ← θ − (μ/(1−β₁ᵗ))·m/denom</c>).
/// </summary>
public sealed class Adam : FusedRule
{
    private readonly bool decoupled, amsgrad, biasCorrection;

    /// <summary>Creates the rule for <paramref name="name"/> (adam, adamw or amsgrad).</summary>
    public Adam(string name, OptimizerSettings settings) : base(settings)
    {
        Name = name;
        decoupled = name == "adamw";
        amsgrad = name == "amsgrad" || settings.Flag("amsgrad");
        biasCorrection = !(name == "amsgrad" && !settings.IsPytorch);
    }

    /// <summary>adam, adamw or amsgrad.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames =>
        amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null)
    {
        var adam = new ScaleByAdam(Settings.Real("beta1"), Settings.Real("beta2"), Settings.Real("eps"), amsgrad, biasCorrection);
        var wd = new AddDecayedWeights(Settings.Real("weight_decay"));
        var lr = new ScaleByLearningRate(LearningRate, schedule);
        return decoupled ? new Chain(adam, wd, lr) : new Chain(wd, adam, lr);
    }

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double b1 = Settings.Real("beta1"), b2 = Settings.Real("beta2"), wd = Settings.Real("weight_decay");
        double bc1 = biasCorrection ? 1 - Math.Pow(b1, step.Step) : 1;
        double bc2 = biasCorrection ? 1 - Math.Pow(b2, step.Step) : 1;
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), B1 = C<T>(b1), C1 = C<T>(1 - b1), B2 = C<T>(b2), C2 = C<T>(1 - b2),
            NegStep = C<T>(-(step.LearningRate / bc1)), Bc2Sqrt = C<T>(Math.Sqrt(bc2)), Eps = C<T>(Settings.Real("eps")),
            Wd = C<T>(wd), HasWd = wd != 0 && !decoupled,
            Decay = C<T>(1 - step.LearningRate * wd), Decoupled = decoupled && wd != 0, AmsGrad = amsgrad,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T B1, C1, B2, C2, NegStep, Bc2Sqrt, Eps, Wd, Decay;
        public bool HasWd, Decoupled, AmsGrad;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV b1 = TV.Splat(B1), c1 = TV.Splat(C1), b2 = TV.Splat(B2), c2 = TV.Splat(C2);
            TV step = TV.Splat(NegStep), bc2 = TV.Splat(Bc2Sqrt), eps = TV.Splat(Eps), wd = TV.Splat(Wd), decay = TV.Splat(Decay);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                if (Decoupled) x = x * decay;
                var m = TV.Load(ref s0, i) * b1 + c1 * d;
                var v = TV.Load(ref s1, i) * b2 + c2 * (d * d);
                TV.Store(m, ref s0, i);
                TV.Store(v, ref s1, i);
                if (AmsGrad)
                {
                    v = TV.Max(TV.Load(ref s2, i), v);
                    TV.Store(v, ref s2, i);
                }
                var denom = TV.Sqrt(v) / bc2 + eps;
                TV.Store(x + step * m / denom, ref p, i);
            }
        }
    }

    internal static IEnumerable<(OptimizerInfo Info, Func<OptimizerSettings, FusedRule> Create, Action<OptimizerSettings>? Check)> Entries()
    {
        HyperparameterSpec[] Keys(double wd, string wdHelp, bool withAmsgrad) =>
        [
            Hp.Lr(0.001), Hp.Beta("beta1", 0.9, "β₁, decay of the first moment"), Hp.Beta("beta2", 0.999, "β₂, decay of the second moment"),
            Hp.Positive("eps", 1e-8, "δ, added to √v̂"), Hp.NonNegative("weight_decay", wd, wdHelp),
            .. withAmsgrad ? [Hp.Flag("amsgrad", false, "use the running maximum of v̂ (Reddi et al. 2018)") with { PerGroup = false }] : Array.Empty<HyperparameterSpec>(),
            Hp.Variant(),
        ];
        yield return (new OptimizerInfo("adam", "Adam: bias-corrected first and second moment estimates",
            "m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g⊙g; θ ← θ − μ m̂/(√v̂ + δ), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)",
            "Kingma & Ba 2015", Keys(0, "L2 penalty λ added to the gradient", true)), s => new Adam("adam", s), null);
        yield return (new OptimizerInfo("adamw", "Adam with decoupled weight decay",
            "θ ← θ − μλθ; then Adam", "Loshchilov & Hutter 2019", Keys(0.01, "decoupled weight decay λ: θ ← θ − μλθ", true)),
            s => new Adam("adamw", s), null);
        yield return (new OptimizerInfo("amsgrad", "AMSGrad: Adam with a non-decreasing second moment",
            "m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g⊙g; v̂ ← max(v̂, v); θ ← θ − μ m/(√v̂ + δ)  (pytorch: Adam(amsgrad=True), bias-corrected)",
            "Reddi, Kale & Kumar 2018, Alg. 2", Keys(0, "L2 penalty λ added to the gradient", false)), s => new Adam("amsgrad", s), null);
    }
}

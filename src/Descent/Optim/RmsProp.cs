using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// RMSProp (Hinton, Srivastava &amp; Swersky 2012, lecture 6e; Goodfellow et al. 2016, Alg. 8.5):
/// <c>r ← ρr + (1−ρ)g⊙g</c>, <c>θ ← θ − μ/(δ + √r) ⊙ g</c>, or <c>μ/√(δ + r)</c> with <c>eps_inside</c>.
/// <c>centered</c> (Graves 2013) divides by the estimated standard deviation <c>√(r − ḡ²)</c>; with
/// <c>momentum</c> α: <c>v ← αv − μ g/(δ + √r)</c>, <c>θ ← θ + v</c>. <c>rmsprop-nesterov</c> (Goodfellow et
/// al. 2016, Alg. 8.6) takes the gradient at the look-ahead point <c>θ + αv</c> (a search method).
/// <c>variant=pytorch</c> is torch.optim.RMSprop 1.13 (ρ = <c>alpha</c> = 0.99, δ = 1e-8 outside the root,
/// lr = 0.01, momentum buffer <c>b ← βb + g/(δ+√r)</c>, <c>θ ← θ − μb</c>).
/// </summary>
public sealed class RmsProp : FusedRule
{
    private readonly bool centered, momentum, inside, velocity;

    /// <summary>Creates the rule for <paramref name="name"/> (rmsprop or rmsprop-nesterov).</summary>
    public RmsProp(string name, OptimizerSettings settings) : base(settings)
    {
        Name = name;
        centered = settings.Flag("centered");
        momentum = settings.Real("momentum") > 0;
        inside = settings.Has("eps_inside") && settings.Flag("eps_inside");
        velocity = !settings.IsPytorch;
    }

    /// <summary>rmsprop or rmsprop-nesterov.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames
    {
        get
        {
            var names = new List<string> { "square_avg" };
            if (centered) names.Add("grad_avg");
            if (momentum) names.Add(velocity ? "velocity" : "momentum_buffer");
            return names;
        }
    }

    /// <inheritdoc />
    public override string? LookAheadBuffer => Name == "rmsprop-nesterov" ? "velocity" : null;

    /// <inheritdoc />
    public override double LookAheadScale => Settings.Real("momentum");

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null)
    {
        var rules = new List<IUpdateRule>
        {
            new AddDecayedWeights(Settings.Real("weight_decay")),
            new ScaleByRms(Settings.Real("rho"), Settings.Real("eps"), inside, centered),
        };
        var lr = new ScaleByLearningRate(LearningRate, schedule);
        if (!momentum) rules.Add(lr);
        else if (velocity) { rules.Add(lr); rules.Add(new Trace(Settings.Real("momentum"))); }
        else { rules.Add(new Trace(Settings.Real("momentum"))); rules.Add(lr); }
        return new Chain(rules.ToArray());
    }

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        double rho = Settings.Real("rho");
        var k = new Kernel<T>
        {
            Grad = new GradientIn<T>(step), NegLr = C<T>(-step.LearningRate), Rho = C<T>(rho), OneMinusRho = C<T>(1 - rho),
            Eps = C<T>(Settings.Real("eps")), Mu = C<T>(Settings.Real("momentum")), Wd = C<T>(Settings.Real("weight_decay")),
            HasWd = Settings.Real("weight_decay") != 0, Centered = centered, Momentum = momentum, Inside = inside, Velocity = velocity,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public GradientIn<T> Grad;
        public T NegLr, Rho, OneMinusRho, Eps, Mu, Wd;
        public bool HasWd, Centered, Momentum, Inside, Velocity;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV lr = TV.Splat(NegLr), rho = TV.Splat(Rho), c = TV.Splat(OneMinusRho), eps = TV.Splat(Eps);
            TV mu = TV.Splat(Mu), wd = TV.Splat(Wd), minusOne = TV.Splat(-T.One);
            // The momentum buffer is the last state buffer: s1 without centering, s2 with it.
            ref T mom = ref Centered ? ref s2 : ref s1;
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                var sq = TV.Load(ref s0, i) * rho + c * (d * d);
                TV.Store(sq, ref s0, i);
                var second = sq;
                if (Centered)
                {
                    var ga = TV.Load(ref s1, i) * rho + c * d;
                    TV.Store(ga, ref s1, i);
                    second = sq + minusOne * (ga * ga);
                }
                var avg = Inside ? TV.Sqrt(second + eps) : TV.Sqrt(second) + eps;
                if (!Momentum) x = x + lr * d / avg;
                else if (Velocity)
                {
                    var v = TV.Load(ref mom, i) * mu + lr * d / avg;
                    TV.Store(v, ref mom, i);
                    x = x + v;
                }
                else
                {
                    var b = TV.Load(ref mom, i) * mu + d / avg;
                    TV.Store(b, ref mom, i);
                    x = x + lr * b;
                }
                TV.Store(x, ref p, i);
            }
        }
    }

    internal static IEnumerable<(OptimizerInfo Info, Func<OptimizerSettings, FusedRule> Create, Action<OptimizerSettings>? Check)> Entries()
    {
        var inside = Hp.Flag("eps_inside", false, "put δ inside the root, μ/√(δ + r) (Goodfellow et al. 2016, Alg. 8.5)") with { OnlyVariant = "paper", PerGroup = false };
        yield return (new OptimizerInfo("rmsprop", "RMSProp: rates from a moving average of squared gradients",
            "r ← ρr + (1−ρ)g⊙g; θ ← θ − μ g/(δ + √r)  (centered: √(r − ḡ²); momentum α: v ← αv − μ g/(δ+√r), θ ← θ + v)",
            "Hinton, Srivastava & Swersky 2012 (lecture 6e); Graves 2013 (centered); Goodfellow et al. 2016, Alg. 8.5",
            [
                Hp.Lr(0.001, pytorch: 0.01), Hp.Beta("rho", 0.9, "ρ, decay of the squared-gradient average", pytorch: 0.99) with { Alias = "alpha" },
                Hp.Positive("eps", 1e-6, "δ", pytorch: 1e-8), inside,
                Hp.Flag("centered", false, "divide by the estimated standard deviation (Graves 2013)") with { PerGroup = false },
                Hp.Beta("momentum", 0, "momentum α") with { PerGroup = false },
                Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"), Hp.Variant(),
            ]), s => new RmsProp("rmsprop", s), null);
        yield return (new OptimizerInfo("rmsprop-nesterov", "RMSProp with Nesterov momentum (a search method: gradient at θ + αv)",
            "g = ∇f(θ + αv); r ← ρr + (1−ρ)g⊙g; v ← αv − μ/(δ + √r) ⊙ g; θ ← θ + v", "Goodfellow et al. 2016, Alg. 8.6",
            [
                Hp.Lr(0.001), Hp.Beta("rho", 0.9, "ρ, decay of the squared-gradient average"), Hp.Positive("eps", 1e-6, "δ"),
                inside with { OnlyVariant = null },
                Hp.Flag("centered", false, "divide by the estimated standard deviation (Graves 2013)") with { PerGroup = false },
                Hp.Beta("momentum", 0.9, "momentum α") with { PerGroup = false },
                Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient"),
            ]), s => new RmsProp("rmsprop-nesterov", s), s =>
            {
                if (s.Real("momentum") == 0) throw new ConfigurationException("rmsprop-nesterov: momentum must be > 0 (with momentum 0 use rmsprop).");
            });
    }
}

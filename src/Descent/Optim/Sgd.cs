using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// Gradient descent and its momentum forms (one fused kernel):
/// <list type="bullet">
/// <item><c>gd</c>/<c>sgd</c>: <c>θ ← θ − μ(g + λθ)</c> (Robbins &amp; Monro 1951); <c>sgd</c> also takes
/// torch.optim's momentum keys: <c>b ← βb + (1−d)g</c> (b = g at step 1), <c>θ ← θ − μb</c>, or with
/// <c>nesterov</c> <c>θ ← θ − μ(g + βb)</c>.</item>
/// <item><c>momentum</c> (Polyak 1964; the course's form): <c>v ← αv − μg</c>, <c>θ ← θ + v</c>.</item>
/// <item><c>nesterov</c> (Nesterov 1983): the gradient at the look-ahead point,
/// <c>v ← αv − μ∇f(θ + αv)</c>, <c>θ ← θ + v</c>. <c>form=reformulated</c> (Sutskever et al. 2013; Bengio et
/// al. 2013) tracks <c>θ' = θ + αv</c> instead and needs only the gradient at the iterate:
/// <c>v ← αv − μg</c>, <c>θ' ← θ' + αv − μg</c>; <c>form=lookahead</c> evaluates the gradient at θ + αv
/// (a search method).</item>
/// </list>
/// <c>variant=pytorch</c> gives torch.optim.SGD 1.13 (for momentum and nesterov with its buffer form).
/// </summary>
public sealed class Sgd : FusedRule
{
    internal enum Mode { Plain, TorchMomentum, Velocity, VelocityNesterov }

    private readonly Mode mode;
    private readonly bool nesterov;

    /// <summary>Creates the rule for <paramref name="name"/> (gd, sgd, momentum or nesterov).</summary>
    public Sgd(string name, OptimizerSettings settings) : base(settings)
    {
        Name = name;
        double momentum = settings.Has("momentum") ? settings.Real("momentum") : 0;
        bool torch = settings.IsPytorch || name == "sgd";
        nesterov = name == "nesterov" || (settings.Has("nesterov") && settings.Flag("nesterov"));
        mode = momentum == 0 && name is "gd" or "sgd" ? Mode.Plain
            : torch ? Mode.TorchMomentum
            : name == "nesterov" && settings["form"] == "reformulated" ? Mode.VelocityNesterov
            : Mode.Velocity;
        if (mode == Mode.Plain) nesterov = false;
    }

    /// <summary>gd, sgd, momentum or nesterov.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> StateNames => mode == Mode.Plain ? [] : [mode == Mode.TorchMomentum ? "momentum_buffer" : "velocity"];

    /// <inheritdoc />
    public override string? LookAheadBuffer => Name == "nesterov" && !Settings.IsPytorch && Settings["form"] == "lookahead" ? "velocity" : null;

    /// <inheritdoc />
    public override double LookAheadScale => Settings.Real("momentum");

    private double Momentum => Settings.Has("momentum") ? Settings.Real("momentum") : 0;

    private double Dampening => Settings.Has("dampening") ? Settings.Real("dampening") : 0;

    /// <inheritdoc />
    public override IUpdateRule Reference(Schedule? schedule = null)
    {
        var wd = new AddDecayedWeights(Settings.Real("weight_decay"));
        var lr = new ScaleByLearningRate(LearningRate, schedule);
        return mode switch
        {
            Mode.Plain => new Chain(wd, lr),
            Mode.TorchMomentum => new Chain(wd, new Trace(Momentum, nesterov, Dampening), lr),
            Mode.VelocityNesterov => new Chain(wd, lr, new Trace(Momentum, nesterov: true)),
            _ => new Chain(wd, lr, new Trace(Momentum)),
        };
    }

    internal override void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
    {
        var k = new Kernel<T>
        {
            Mode = mode, Nesterov = nesterov, First = step.Step == 1, Grad = new GradientIn<T>(step),
            NegLr = C<T>(-step.LearningRate), Mu = C<T>(Momentum), Keep = C<T>(1 - Dampening),
            Wd = C<T>(Settings.Real("weight_decay")), HasWd = Settings.Real("weight_decay") != 0,
        };
        FusedLoop.Run(ref k, buffers, offset, length);
    }

    private struct Kernel<T> : IFusedKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Mode Mode;
        public bool Nesterov, First, HasWd;
        public GradientIn<T> Grad;
        public T NegLr, Mu, Keep, Wd;

        public void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>
        {
            TV lr = TV.Splat(NegLr), mu = TV.Splat(Mu), keep = TV.Splat(Keep), wd = TV.Splat(Wd);
            for (nint i = 0; i < n; i += TV.Count)
            {
                var x = TV.Load(ref p, i);
                var d = Grad.Load<TV>(ref g, i);
                if (HasWd) d = d + wd * x;
                switch (Mode)
                {
                    case Mode.Plain:
                        x = x + lr * d;
                        break;
                    case Mode.TorchMomentum:
                        var b = First ? d : TV.Load(ref s0, i) * mu + keep * d;
                        TV.Store(b, ref s0, i);
                        x = x + lr * (Nesterov ? d + mu * b : b);
                        break;
                    case Mode.Velocity:
                        var v = mu * TV.Load(ref s0, i) + lr * d;
                        TV.Store(v, ref s0, i);
                        x = x + v;
                        break;
                    default:
                        var u = mu * TV.Load(ref s0, i) + lr * d;
                        TV.Store(u, ref s0, i);
                        x = x + (mu * u + lr * d);
                        break;
                }
                TV.Store(x, ref p, i);
            }
        }
    }

    /// <summary>The descriptions of gd, sgd, momentum and nesterov.</summary>
    internal static IEnumerable<(OptimizerInfo Info, Func<OptimizerSettings, FusedRule> Create, Action<OptimizerSettings>? Check)> Entries()
    {
        var wd = Hp.NonNegative("weight_decay", 0, "L2 penalty λ added to the gradient, g + λθ");
        yield return (new OptimizerInfo("gd", "gradient descent on the full batch", "θ ← θ − μ(g + λθ)",
            "Cauchy 1847; Goodfellow et al. 2016, §4.3", [Hp.Lr(0.01), wd, Hp.Variant()]) { FullBatch = true },
            s => new Sgd("gd", s), null);
        yield return (new OptimizerInfo("sgd", "stochastic gradient descent (torch.optim.SGD: optional momentum buffer)",
            "b ← βb + (1−d)(g + λθ) (b = g at step 1); θ ← θ − μ·(nesterov ? g + βb : b); β = 0: θ ← θ − μ(g + λθ)",
            "Robbins & Monro 1951; Sutskever et al. 2013 (nesterov)",
            [Hp.Lr(0.01), Hp.Beta("momentum", 0, "momentum β"), Hp.Real("dampening", 0, "dampening d of the momentum buffer", 0, 1),
             Hp.Flag("nesterov", false, "Nesterov momentum (needs momentum > 0 and dampening 0)"), wd, Hp.Variant()]),
            s => new Sgd("sgd", s), CheckNesterov);
        yield return (new OptimizerInfo("momentum", "gradient descent with (heavy-ball) momentum",
            "v ← αv − μ(g + λθ); θ ← θ + v  (pytorch: b ← βb + (1−d)g; θ ← θ − μb)",
            "Polyak 1964; Goodfellow et al. 2016, Alg. 8.2",
            [Hp.Lr(0.01), Hp.Beta("momentum", 0.9, "momentum α (0.5, 0.9, 0.99 are usual)"),
             Hp.Real("dampening", 0, "dampening d of the momentum buffer", 0, 1) with { OnlyVariant = "pytorch" }, wd, Hp.Variant()]),
            s => new Sgd("momentum", s), null);
        yield return (new OptimizerInfo("nesterov", "Nesterov's accelerated gradient",
            "v ← αv − μ∇f(θ + αv); θ ← θ + v  (form=lookahead)\nv ← αv − μg; θ ← θ + αv − μg  (form=reformulated, at θ' = θ + αv)\npytorch: b ← βb + g; θ ← θ − μ(g + βb)",
            "Nesterov 1983; Sutskever, Martens, Dahl & Hinton 2013; Bengio, Boulanger-Lewandowski & Pascanu 2013",
            [Hp.Lr(0.01), Hp.Beta("momentum", 0.9, "momentum α"),
             Hp.Choice("form", "reformulated", "lookahead: gradient at θ + αv (a search method, needs the objective); reformulated: an update rule", "reformulated", "lookahead") with { OnlyVariant = "paper", PerGroup = false },
             wd, Hp.Variant()]),
            s => new Sgd("nesterov", s), s =>
            {
                if (s.Real("momentum") == 0) throw new ConfigurationException("nesterov: momentum must be > 0 (with momentum 0 it is plain sgd).");
            });
    }

    private static void CheckNesterov(OptimizerSettings s)
    {
        if (s.Flag("nesterov") && (s.Real("momentum") <= 0 || s.Real("dampening") != 0))
            throw new ConfigurationException($"sgd: nesterov=true needs momentum > 0 and dampening = 0 (got momentum={s["momentum"]}, dampening={s["dampening"]}).");
    }
}

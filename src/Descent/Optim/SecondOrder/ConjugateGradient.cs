using System.Globalization;
using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Nonlinear conjugate gradients (Nocedal &amp; Wright ch. 5.2): directions <c>p_k = −g_k + β_k p_{k−1}</c> with
/// Fletcher-Reeves <c>β = g_kᵀg_k / g_{k−1}ᵀg_{k−1}</c>, Polak-Ribière <c>β = g_kᵀ(g_k − g_{k−1}) / g_{k−1}ᵀg_{k−1}</c>,
/// PR+ <c>β = max(β_PR, 0)</c> or Hestenes-Stiefel <c>β = g_kᵀ(g_k − g_{k−1}) / p_{k−1}ᵀ(g_k − g_{k−1})</c>, and a step
/// from a line search (strong Wolfe by default, c₂ = 0.1 as N&amp;W recommend for CG). Restarts with the steepest
/// descent direction whenever p_k is not a descent direction, when PR+ clips β to 0, and optionally every
/// <c>restart</c> iterations (e.g. n) and when consecutive gradients are far from orthogonal
/// (<c>|g_kᵀg_{k−1}| ≥ ν‖g_k‖²</c>, Powell's test, N&amp;W eq. 5.52 with ν = 0.1). Both optional restarts are
/// off by default: on Rosenbrock they double PR+'s work (22 iterations and 77 evaluations without, 28 and 102
/// with ν = 0.1), and in a network's millions of dimensions a restart every n steps never comes.
/// On an n-dimensional convex quadratic with exact line searches the directions are A-conjugate and the
/// minimum is reached in at most n steps.
/// </summary>
public sealed class ConjugateGradient : SearchMethod
{
    private Tensor? previousGradient, direction, difference;
    private bool hasDirection;
    private long sinceRestart;
    private double previousValue = double.NaN;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("cg",
        "nonlinear conjugate gradients (Fletcher-Reeves, Polak-Ribière, PR+, Hestenes-Stiefel) with restarts",
        "p = −g + βp₋ (β by the chosen formula; p = −g on restart); α from a line search; θ ← θ + αp",
        "Nocedal & Wright 2006, §5.2 (Fletcher & Reeves 1964; Polak & Ribière 1969; Hestenes & Stiefel 1952)",
        [
            Hp.Choice("beta", "pr+", "the β formula: pr (Polak-Ribière), pr+ (max(β_PR, 0)), fr (Fletcher-Reeves), hs (Hestenes-Stiefel)", "pr", "pr+", "fr", "hs"),
            Hp.Integer("restart", 0, "restart with −g every this many iterations (0: off; n, the parameter count, is the classical choice)"),
            Hp.Real("restart_nu", 0, "restart when |gᵀg₋| ≥ ν‖g‖² (Powell; N&W eq. 5.52 uses ν = 0.1); 0: off", min: 0),
            LineSearchKeys.Kind(allowNone: false),
            LineSearchKeys.C1,
            LineSearchKeys.C2(0.1),
            LineSearchKeys.MaxEvals,
        ]);

    /// <summary>Creates the method.</summary>
    public ConjugateGradient(OptimizerSettings settings) : base(Definition, settings) => Check(settings);

    /// <summary>The last search direction p (a live buffer).</summary>
    public Tensor? Direction => direction;

    /// <summary>β of the last step (0 after a restart).</summary>
    public double LastBeta { get; private set; }

    /// <summary>True if the last step restarted with −g.</summary>
    public bool LastRestarted { get; private set; }

    /// <inheritdoc />
    protected override void Check(OptimizerSettings settings) => LineSearchKeys.Check(settings);

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters)
    {
        previousGradient = FlatVector.Zeros(parameters.Count, parameters.DType);
        direction = FlatVector.Zeros(parameters.Count, parameters.DType);
        difference = FlatVector.Zeros(parameters.Count, parameters.DType);
    }

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        var g = StartGradient;
        long every = Settings.Integer("restart") is var r && r > 0 ? r : long.MaxValue;
        double gg = gradientNorm * gradientNorm;
        double beta = 0;
        string? why = hasDirection ? null : "first step";
        if (hasDirection && sinceRestart >= every) why = $"every {every} iterations";
        double nu = Settings.Real("restart_nu");
        if (why is null && nu > 0 && Math.Abs(FlatVector.Dot(g, previousGradient!)) >= nu * gg) why = "gradients far from orthogonal";
        if (why is null)
        {
            double prevGg = FlatVector.Dot(previousGradient!, previousGradient!);
            FlatVector.Subtract(g, previousGradient!, difference!);
            beta = Settings["beta"] switch
            {
                "fr" => gg / prevGg,
                "pr" => FlatVector.Dot(g, difference!) / prevGg,
                "pr+" => Math.Max(0, FlatVector.Dot(g, difference!) / prevGg),
                _ => FlatVector.Dot(g, difference!) / FlatVector.Dot(direction!, difference!),
            };
            if (!double.IsFinite(beta)) { beta = 0; why = "β not finite"; }
        }
        FlatVector.Combine(-1, g, beta, direction!, direction!);
        double slope = FlatVector.Dot(g, direction!);
        if (!(slope < 0))
        {
            why = "not a descent direction";
            beta = 0;
            FlatVector.Combine(-1, g, 0, direction!, direction!);
            slope = -gg;
        }
        LastBeta = beta;
        LastRestarted = why is not null;
        sinceRestart = why is null ? sinceRestart + 1 : 1;
        previousGradient!.CopyFrom(g);
        double alpha0 = LineSearchKeys.InitialStep(value, previousValue, slope, gradientNorm);
        previousValue = value;
        var (search, outcome) = SearchAlong(objective, LineSearchKeys.Create(Settings, WantEndGradient)!, direction!, value, slope, alpha0, WantEndGradient);
        hasDirection = search.Success;
        string b = why is null ? $"β = {beta.ToString("G4", CultureInfo.InvariantCulture)}" : $"restart ({why})";
        return outcome with { Message = $"{b}; {outcome.Message}" };
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        tensors["cg.direction"] = direction!.CloneUnscoped();
        tensors["cg.previous_gradient"] = previousGradient!.CloneUnscoped();
        scalars["cg.has_direction"] = hasDirection ? 1 : 0;
        scalars["cg.since_restart"] = sinceRestart;
        scalars["cg.previous_value"] = previousValue;
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        Restore(tensors, "cg.direction", direction!);
        Restore(tensors, "cg.previous_gradient", previousGradient!);
        hasDirection = Saved(scalars, "cg.has_direction") != 0;
        sinceRestart = (long)Saved(scalars, "cg.since_restart");
        previousValue = Saved(scalars, "cg.previous_value");
    }
}

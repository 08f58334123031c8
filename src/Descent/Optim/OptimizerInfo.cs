using Descent.Nn;
using System.Text;

namespace Descent.Optim;

/// <summary>Update rules need only gradients; search methods evaluate the objective themselves.</summary>
public enum OptimizerKind
{
    /// <summary>Sees gradients only: the caller computes ∇f, then calls <see cref="Optimizer.Step()"/>.</summary>
    UpdateRule,

    /// <summary>Needs the objective (gradients at other points, line searches, curvature):
    /// call <see cref="Optimizer.Step(IObjective)"/>.</summary>
    SearchMethod,
}

/// <summary>
/// What an optimizer is, for <c>--help</c> and error messages: its name, the update it performs, the paper it
/// comes from and every key it accepts (with defaults and ranges).
/// </summary>
/// <param name="Name">Lowercase with hyphens, e.g. <c>rmsprop-nesterov</c>.</param>
/// <param name="Summary">One line.</param>
/// <param name="Update">The update rule as formulas.</param>
/// <param name="Citation">The paper (or course text) it follows.</param>
/// <param name="Keys">Every accepted key, the common stabilizer keys included.</param>
public sealed record OptimizerInfo(string Name, string Summary, string Update, string Citation, IReadOnlyList<HyperparameterSpec> Keys)
{
    /// <summary>True for methods meant for the full batch (plain gradient descent); a trainer may use
    /// this to default the batch size to the whole training set.</summary>
    public bool FullBatch { get; init; }

    /// <summary>The mini-batch size the method is meant for, when larger than a problem's default (Hessian-free
    /// solves a quadratic model of each batch, which needs thousands of examples, not Adam's 128); a trainer
    /// uses it when no batch size is given. Null: the problem's default.</summary>
    public int? PreferredBatchSize { get; init; }

    /// <summary>True if <c>variant=pytorch</c> reproduces a torch.optim optimizer.</summary>
    public bool HasPytorchVariant => Keys.Any(k => k.Key == "variant");

    /// <summary>The keys specific to this optimizer (without the common stabilizer keys).</summary>
    public IEnumerable<HyperparameterSpec> OwnKeys => Keys.Where(k => !CommonKeys.IsCommon(k.Key));

    /// <summary>A help text: summary, update, citation and the optimizer's own keys.</summary>
    public string Help()
    {
        var sb = new StringBuilder();
        sb.Append(Name).Append(" — ").Append(Summary).Append('\n');
        sb.Append("  update: ").Append(Update.Replace("\n", "\n          ")).Append('\n');
        sb.Append("  from:   ").Append(Citation).Append('\n');
        foreach (var k in OwnKeys)
        {
            sb.Append("  ").Append(k.Key.PadRight(26)).Append(k.Description);
            sb.Append(" (default ").Append(k.Default);
            if (k.PytorchDefault is not null) sb.Append("; pytorch ").Append(k.PytorchDefault);
            sb.Append("; ").Append(k.Allowed);
            if (k.Alias is not null) sb.Append("; alias ").Append(k.Alias);
            if (k.OnlyVariant is not null) sb.Append("; variant=").Append(k.OnlyVariant).Append(" only");
            sb.Append(")\n");
        }
        return sb.ToString();
    }
}

/// <summary>
/// The stabilizer keys every optimizer accepts: gradient clipping (by global norm, by value), the policy for
/// non-finite gradients, Polyak averaging of the iterates, and an L1 proximal step.
/// </summary>
public static class CommonKeys
{
    /// <summary>The keys.</summary>
    public static IReadOnlyList<HyperparameterSpec> All { get; } =
    [
        Hp.NonNegative("clip_norm", 0, "clip the gradient to this global L2 norm, g ← g·c/(‖g‖+1e-6) if ‖g‖ > c (Pascanu et al. 2013); 0 = off") with { PerGroup = false },
        Hp.NonNegative("clip_value", 0, "clip every gradient element to [−c, c] (after norm clipping); 0 = off") with { PerGroup = false },
        Hp.Choice("nonfinite", "halt", "non-finite loss or gradient: halt with an error, or skip the step and count it", "halt", "skip") with { PerGroup = false },
        Hp.Choice("average", "none", "Polyak averaging of the iterates: arithmetic mean or exponential θ̄ ← αθ̄ + (1−α)θ", "none", "arithmetic", "ema") with { PerGroup = false },
        Hp.Beta("average_decay", 0.999, "α of the exponential average") with { PerGroup = false },
        Hp.Integer("average_start", 0, "steps before averaging starts") with { PerGroup = false },
        Hp.NonNegative("l1", 0, "L1 penalty λ‖θ‖₁ applied as a proximal step (soft-thresholding by lr·λ) after each update"),
    ];

    /// <summary>True for the common keys.</summary>
    public static bool IsCommon(string key) => All.Any(k => k.Key == key);
}

using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Limited-memory BFGS (Liu &amp; Nocedal 1989; Nocedal &amp; Wright Algorithms 7.4 and 7.5): the last m pairs
/// s = θ₊ − θ, y = g₊ − g define H ≈ ∇²f⁻¹ implicitly; the two-loop recursion computes p = −Hg in O(mn)
/// from the initial matrix γI, γ = sᵀy/yᵀy of the newest pair (eq. 7.20). A strong Wolfe line search
/// (c₂ = 0.9) tries α = 1 first (the first step: about unit length); pairs with yᵀs ≤ 10⁻¹⁰yᵀy are skipped.
/// Both gradients of a pair come from the same step, so on mini-batches they see the same batch. With
/// <c>line_search=none</c> the step is a fixed lr·p. The history is part of the checkpointed state.
/// </summary>
public sealed class Lbfgs : SearchMethod
{
    private Tensor[] s = [], y = [];
    private double[] rho = [];
    private int count, head;
    private Tensor? direction, gradient0;
    private double previousValue = double.NaN;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("lbfgs",
        "limited-memory BFGS: two-loop recursion over the last m curvature pairs",
        "p = −Hg by the two-loop recursion over (sᵢ, yᵢ), H₀ = (sᵀy/yᵀy)I; α from a line search; θ ← θ + αp;\nkeep s = αp, y = g₊ − g",
        "Liu & Nocedal 1989; Nocedal & Wright 2006, Algorithms 7.4–7.5",
        [
            Hp.Integer("history", 10, "m, the number of (s, y) pairs kept", min: 1),
            LineSearchKeys.Kind(allowNone: true),
            LineSearchKeys.C1,
            LineSearchKeys.C2(0.9),
            LineSearchKeys.MaxEvals,
            Hp.Lr(1, description: "the fixed step with line_search=none (scaled by a schedule)"),
        ]);

    /// <summary>Creates the method.</summary>
    public Lbfgs(OptimizerSettings settings) : base(Definition, settings) => Check(settings);

    /// <summary>Pairs currently stored.</summary>
    public int HistoryCount => count;

    /// <summary>Pairs skipped because yᵀs was not positive enough.</summary>
    public int SkippedUpdates { get; private set; }

    /// <inheritdoc />
    protected override IReadOnlyCollection<string> FixedKeys => ["history"];

    /// <inheritdoc />
    protected override void Check(OptimizerSettings settings) => LineSearchKeys.Check(settings);

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters)
    {
        int m = (int)Settings.Integer("history"), n = parameters.Count;
        s = Enumerable.Range(0, m).Select(_ => FlatVector.Zeros(n, parameters.DType)).ToArray();
        y = Enumerable.Range(0, m).Select(_ => FlatVector.Zeros(n, parameters.DType)).ToArray();
        rho = new double[m];
        direction = FlatVector.Zeros(n, parameters.DType);
        gradient0 = FlatVector.Zeros(n, parameters.DType);
    }

    /// <summary>p = −H·g by the two-loop recursion (N&amp;W Algorithm 7.4) into <paramref name="p"/>.</summary>
    private void TwoLoop(Tensor g, Tensor p)
    {
        int m = s.Length;
        var alpha = new double[count];
        p.CopyFrom(g);
        for (int k = 0; k < count; k++)
        {
            int i = ((head - 1 - k) % m + m) % m;
            alpha[k] = rho[i] * FlatVector.Dot(s[i], p);
            FlatVector.Axpy(-alpha[k], y[i], p);
        }
        if (count > 0)
        {
            int newest = ((head - 1) % m + m) % m;
            p.MulInPlace(1 / (rho[newest] * FlatVector.Dot(y[newest], y[newest])));
        }
        for (int k = count - 1; k >= 0; k--)
        {
            int i = ((head - 1 - k) % m + m) % m;
            double beta = rho[i] * FlatVector.Dot(y[i], p);
            FlatVector.Axpy(alpha[k] - beta, s[i], p);
        }
        p.MulInPlace(-1);
    }

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        var g = StartGradient;
        TwoLoop(g, direction!);
        double slope = FlatVector.Dot(g, direction!);
        string note = "";
        if (!(slope < 0))
        {
            count = 0;
            direction!.CopyFrom(g);
            direction.MulInPlace(-1);
            slope = -gradientNorm * gradientNorm;
            note = "history cleared (not a descent direction); ";
        }
        gradient0!.CopyFrom(g);
        var search = LineSearchKeys.Create(Settings, true);
        double alpha;
        StepOutcome outcome;
        if (search is null)
        {
            alpha = LearningRate;
            double f = new Ray(objective, StartPoint, direction!).MoveTo(alpha, true);
            outcome = StepOutcome.Step($"fixed step α = {alpha:G4}", f, true);
        }
        else
        {
            double alpha0 = count > 0 ? 1 : LineSearchKeys.InitialStep(value, previousValue, slope, gradientNorm);
            (var r, outcome) = SearchAlong(objective, search, direction!, value, slope, alpha0, true);
            alpha = r.Alpha;
            if (!outcome.Moved)
            {
                bool had = count > 0;
                count = 0;
                previousValue = value;
                return outcome with { Message = note + outcome.Message + (had ? "; history cleared" : "") };
            }
        }
        previousValue = value;
        if (!Push(alpha, Parameters.Grads)) note += "pair skipped (yᵀs ≤ 0); ";
        return outcome with { Message = note + outcome.Message };
    }

    /// <summary>Stores s = α·p and y = g₊ − g if yᵀs is positive enough (y is formed in the saved-gradient buffer,
    /// so a skipped pair never overwrites the oldest stored one).</summary>
    private bool Push(double alpha, Tensor gradient1)
    {
        int m = s.Length;
        var yNew = gradient0!;
        FlatVector.Subtract(gradient1, yNew, yNew);
        double ys = alpha * FlatVector.Dot(yNew, direction!), yy = FlatVector.Dot(yNew, yNew);
        if (!(ys > 1e-10 * yy) || !double.IsFinite(ys))
        {
            SkippedUpdates++;
            return false;
        }
        FlatVector.Combine(alpha, direction!, 0, direction!, s[head]);
        y[head].CopyFrom(yNew);
        rho[head] = 1 / ys;
        head = (head + 1) % m;
        count = Math.Min(count + 1, m);
        return true;
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        for (int i = 0; i < s.Length; i++)
        {
            tensors[$"lbfgs.s{i}"] = s[i].CloneUnscoped();
            tensors[$"lbfgs.y{i}"] = y[i].CloneUnscoped();
            scalars[$"lbfgs.rho{i}"] = rho[i];
        }
        scalars["lbfgs.count"] = count;
        scalars["lbfgs.head"] = head;
        scalars["lbfgs.previous_value"] = previousValue;
        scalars["lbfgs.skipped_updates"] = SkippedUpdates;
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        for (int i = 0; i < s.Length; i++)
        {
            Restore(tensors, $"lbfgs.s{i}", s[i]);
            Restore(tensors, $"lbfgs.y{i}", y[i]);
            rho[i] = Saved(scalars, $"lbfgs.rho{i}");
        }
        count = (int)Saved(scalars, "lbfgs.count");
        head = (int)Saved(scalars, "lbfgs.head");
        previousValue = Saved(scalars, "lbfgs.previous_value");
        SkippedUpdates = (int)Saved(scalars, "lbfgs.skipped_updates");
    }
}

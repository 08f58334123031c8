using Descent.Nn;
using Descent.Optim.Schedules;
using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Optim;

/// <summary>
/// Lookahead (Zhang, Lucas, Hinton &amp; Ba 2019, "Lookahead Optimizer: k steps forward, 1 step back"), a wrapper
/// of any optimizer: the inner optimizer moves the fast weights θ for k steps, then the slow weights follow,
/// <c>φ ← φ + α(θ − φ)</c>, and θ restarts from φ. Defaults from the paper: k = 5, α = 0.5, inner = adam.
/// Keys other than <c>k</c>, <c>alpha</c> and <c>inner</c> go to the inner optimizer.
/// </summary>
public sealed class Lookahead : Optimizer
{
    private readonly Optimizer inner;
    private Tensor? slow;

    private Lookahead(OptimizerSettings settings, Optimizer inner) : base(Definition, settings) => this.inner = inner;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("lookahead", "Lookahead: k fast steps forward, one slow step back (wraps any optimizer)",
        "inner optimizer k steps on θ; then φ ← φ + α(θ − φ); θ ← φ", "Zhang, Lucas, Hinton & Ba 2019",
        [
            Hp.Integer("k", 5, "fast steps between slow updates", min: 1),
            Hp.Real("alpha", 0.5, "α, the slow weights' step toward the fast weights", 0, 1),
            new HyperparameterSpec { Key = "inner", Type = HyperparameterType.Text, Default = "adam", Description = "the inner optimizer (its keys may be given too)" },
        ]);

    internal static Lookahead Create(IReadOnlyDictionary<string, string>? settings)
    {
        var own = new Dictionary<string, string>();
        var rest = new Dictionary<string, string>();
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
            (Definition.Keys.Any(s => s.Key == k.Trim().ToLowerInvariant()) ? own : rest)[k] = v;
        var s = OptimizerSettings.Parse(Definition.Name, Definition.Keys, own);
        if (s["inner"].Equals(Definition.Name, StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException("lookahead: inner=lookahead is not allowed; choose an optimizer such as adam or sgd.");
        return new Lookahead(s, OptimizerFactory.Create(s["inner"], rest));
    }

    /// <summary>The wrapped optimizer.</summary>
    public Optimizer Inner => inner;

    /// <summary>The slow weights φ (flat).</summary>
    public Tensor? SlowWeights => slow;

    /// <inheritdoc />
    public override OptimizerKind Kind => inner.Kind;

    /// <inheritdoc />
    public override Schedule Schedule { get => inner.Schedule; set => inner.Schedule = value; }

    /// <inheritdoc />
    public override double LearningRate => inner.LearningRate;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterGroup> Groups => inner.Groups;

    /// <inheritdoc />
    public override PolyakAverage? Average => inner.Average;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> ExplicitSettings
    {
        get
        {
            var d = new Dictionary<string, string>(inner.ExplicitSettings);
            foreach (var (k, v) in Settings.Explicit) d[k] = v;
            d["inner"] = Settings["inner"];
            return d;
        }
    }

    /// <inheritdoc />
    protected override void InitCore(FlatParameters parameters, ParameterGroups? groups)
    {
        inner.Init(parameters, groups);
        slow = parameters.Values.CloneUnscoped();
    }

    /// <inheritdoc />
    public override StepResult Step() => Sync(inner.Step());

    /// <inheritdoc />
    public override StepResult Step(IObjective objective) => Sync(inner.Step(objective));

    private StepResult Sync(StepResult r)
    {
        if (r.Skipped) { SkippedSteps++; return r; }
        StepCount++;
        if (StepCount % Settings.Integer("k") == 0)
        {
            var fast = Parameters.Values;
            double alpha = Settings.Real("alpha");
            if (fast.DType == DType.Float32)
            {
                TP.Lerp(slow!.Floats, fast.Floats, (float)alpha, slow.Floats);
                slow.Floats.CopyTo(fast.Floats);
            }
            else
            {
                TP.Lerp(slow!.Doubles, fast.Doubles, alpha, slow.Doubles);
                slow.Doubles.CopyTo(fast.Doubles);
            }
        }
        return r with { Step = StepCount };
    }

    /// <inheritdoc />
    public override void Set(string key, string value, string? group = null)
    {
        if (Definition.Keys.Any(s => s.Key == key.Trim().ToLowerInvariant()))
        {
            if (key.Trim().ToLowerInvariant() == "inner") throw new ConfigurationException("lookahead: the inner optimizer cannot change; create a new optimizer.");
            if (group is not null) throw new ConfigurationException($"lookahead: '{key}' applies to the whole optimizer, not to group '{group}'.");
            Settings = Settings.With(key, value);
        }
        else inner.Set(key, value, group);
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        tensors["lookahead.slow"] = slow!.CloneUnscoped();
        var s = inner.ExportState();
        foreach (var (k, t) in s.Tensors) tensors["inner." + k] = t;
        foreach (var (k, v) in s.Scalars) scalars["inner." + k] = v;
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        Restore(tensors, "lookahead.slow", slow!);
        var t = tensors.Where(kv => kv.Key.StartsWith("inner.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value);
        var s = scalars.Where(kv => kv.Key.StartsWith("inner.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => kv.Value);
        inner.ImportState(new OptimizerState(inner.Name, inner.ExplicitSettings, inner.Schedule.Spec, t, s));
    }
}

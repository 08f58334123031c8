using System.Numerics;
using Descent.Nn;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Tensors;

namespace Descent.Optim;

/// <summary>
/// A first-order optimizer over a model's flat buffers: a definition's chain of rules per parameter group
/// (<see cref="OptimizerDefinition"/>), run as one fused pass, plus the optimizer-side stabilizers: the
/// global gradient norm (reported, and used for <c>clip_norm</c>), <c>clip_value</c>, the non-finite
/// policy, Polyak averaging and an L1 proximal step. A steady-state <see cref="Step()"/> makes one read pass
/// over the gradient (norm and finiteness) and one fused pass over parameters, gradient and state, and
/// allocates nothing. Settings are typed once (when created or changed), never parsed in a step.
/// </summary>
public sealed class FirstOrderOptimizer : Optimizer
{
    private readonly OptimizerDefinition definition;
    private readonly SumOfSquares norm = new();
    private GroupState[] groups = [];
    private readonly Dictionary<string, Tensor> buffers = [];
    private Tensor? scratch;
    private PolyakAverage? average;
    private Stabilizers stabilizers;

    internal FirstOrderOptimizer(OptimizerDefinition definition, OptimizerSettings settings) : base(definition.Info, settings)
    {
        this.definition = definition;
        Kind = definition.CreateUpdate(settings).LookAhead is null ? OptimizerKind.UpdateRule : OptimizerKind.SearchMethod;
        stabilizers = new Stabilizers(settings);
    }

    /// <summary>The vector width of the fused pass (<see cref="SimdWidth.Auto"/>: the widest the CPU has). A
    /// per-optimizer choice, so tests can compare widths without touching anything process-wide.</summary>
    public SimdWidth Width { get; init; }

    /// <summary>The definition this optimizer runs.</summary>
    public OptimizerDefinition Definition => definition;

    /// <inheritdoc />
    public override OptimizerKind Kind { get; }

    /// <inheritdoc />
    public override IReadOnlyList<ParameterGroup> Groups => groups.Select(g => g.Group).ToArray();

    /// <inheritdoc />
    public override PolyakAverage? Average => average;

    /// <summary>The state buffers by name (live, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> StateBuffers => buffers;

    /// <summary>The update of each group as formulas (the default group first).</summary>
    public IReadOnlyList<IReadOnlyList<RuleText>> Updates => groups.Select(g => g.Update.Describe()).ToArray();

    /// <inheritdoc />
    protected override void InitCore(FlatParameters parameters, ParameterGroups? parameterGroups)
    {
        var resolved = (parameterGroups ?? new ParameterGroups()).Resolve(parameters, Settings);
        groups = resolved.Select(g => new GroupState(g, Make(g.Settings))).ToArray();
        var layout = groups[0].Update.State;
        foreach (var g in groups) CheckSameState(layout, g.Update.State, g.Group.Name);
        foreach (var slot in layout)
            buffers[slot.Name] = Tensor.ZerosUnscoped(new Shape(parameters.Count), parameters.DType);
        foreach (var g in groups)
            foreach (var slot in g.Update.State)
                if (slot.Initial != 0)
                    foreach (var (off, len) in g.Group.Ranges) buffers[slot.Name].Narrow(0, off, len).Fill(slot.Initial);
        var fused = new FusedBuffers(parameters.Values, parameters.Grads, layout.Select(s => buffers[s.Name]).ToArray());
        foreach (var g in groups) g.Buffers = fused;
        if (Kind == OptimizerKind.SearchMethod) scratch = Tensor.ZerosUnscoped(new Shape(parameters.Count), parameters.DType);
        if (Settings["average"] != "none")
            average = new PolyakAverage(parameters, Settings["average"] == "ema" ? AveragingMode.Exponential : AveragingMode.Arithmetic,
                Settings.Real("average_decay"), Settings.Integer("average_start"));
    }

    private IFusedUpdate Make(OptimizerSettings s)
    {
        definition.Validate(s);
        return definition.CreateUpdate(s);
    }

    private void CheckSameState(IReadOnlyList<StateSlot> expected, IReadOnlyList<StateSlot> actual, string group)
    {
        if (!expected.Select(s => s.Name).SequenceEqual(actual.Select(s => s.Name)))
            throw new ConfigurationException($"{Name}: parameter group '{group}' needs different state buffers ([{string.Join(", ", actual.Select(s => s.Name))}] instead of [{string.Join(", ", expected.Select(s => s.Name))}]); options that add state (amsgrad, centered, momentum > 0 …) must be the same in every group.");
    }

    /// <inheritdoc />
    public override StepResult Step()
    {
        if (Kind == OptimizerKind.SearchMethod)
            throw new InvalidOperationException($"{Name} takes its gradient at the look-ahead point θ + αv, so it needs the objective: call Step(objective).");
        return StepCore(null);
    }

    /// <inheritdoc />
    public override StepResult Step(IObjective objective)
    {
        if (!ReferenceEquals(objective.Parameters, Parameters))
            throw new InvalidOperationException($"{Name}: the objective's parameters are not the ones this optimizer was initialized with.");
        double loss = Kind == OptimizerKind.SearchMethod ? EvaluateAtLookAhead(objective) : objective.Evaluate(computeGradient: true);
        return StepCore(loss);
    }

    /// <summary>θ ← θ + αv, evaluate f and ∇f there, then θ back (exactly, from a saved copy).</summary>
    private double EvaluateAtLookAhead(IObjective objective)
    {
        var values = Parameters.Values;
        scratch!.CopyFrom(values);
        foreach (var g in groups)
        {
            var (buffer, alpha) = g.Update.LookAhead!.Value;
            var v = buffers[buffer];
            foreach (var (off, len) in g.Group.Ranges) values.Narrow(0, off, len).AddInPlace(v.Narrow(0, off, len), alpha);
        }
        try
        {
            return objective.Evaluate(computeGradient: true);
        }
        finally
        {
            values.CopyFrom(scratch);
        }
    }

    private StepResult StepCore(double? loss)
    {
        var p = Parameters;
        if (average?.IsSwappedIn == true) throw new InvalidOperationException("The averaged weights are swapped in; dispose the SwapIn scope before stepping.");
        double sumSq = norm.Compute(p.Grads);
        double gnorm = Math.Sqrt(sumSq);
        bool finite = double.IsFinite(sumSq) || p.Grads.AllFinite();
        if (finite && !double.IsFinite(sumSq)) gnorm = RobustNorm(p.Grads);
        double factor = Schedule.Factor(StepCount);
        double lr0 = groups[0].LearningRate * factor;
        if (!finite || (loss is double l && !double.IsFinite(l)))
            return NonFinite(loss ?? double.NaN, gnorm, lr0, finite);
        var s = stabilizers;
        double scale = s.ClipNorm > 0 && gnorm > s.ClipNorm ? s.ClipNorm / (gnorm + 1e-6) : 1;
        var clip = new GradientClip(scale, s.ClipValue > 0 ? s.ClipValue : double.PositiveInfinity);
        long t = StepCount + 1;
        foreach (var g in groups)
        {
            double lr = g.LearningRate * factor;
            g.Update.Step(g.Buffers!, new RuleStep(t, lr), clip, g.Group.RangeArray, Width);
            if (g.L1 > 0) Proximal(p.Values, g.Group, lr * g.L1);
        }
        StepCount = t;
        average?.Update(t);
        return new StepResult(t, loss ?? double.NaN, gnorm, lr0, Skipped: false, Clipped: scale < 1);
    }

    /// <summary>Only the fused pass of every group as step <paramref name="step"/> (no gradient-norm pass, no
    /// clipping, no averaging): what benchmarks time as the kernel.</summary>
    internal void FusedPassOnly(long step)
    {
        foreach (var g in groups) g.Update.Step(g.Buffers!, new RuleStep(step, g.LearningRate), GradientClip.None, g.Group.RangeArray, Width);
    }

    private StepResult NonFinite(double loss, double gnorm, double lr, bool gradFinite)
    {
        if (stabilizers.SkipNonFinite)
        {
            SkippedSteps++;
            return new StepResult(StepCount, loss, gnorm, lr, Skipped: true, Clipped: false);
        }
        string what = gradFinite ? $"the loss is {loss}"
            : $"the gradient of '{Parameters.Slots.FirstOrDefault(s => !s.Parameter.Grad!.AllFinite())?.Name ?? "?"}' is not finite";
        throw new NonFiniteException($"{Name}: step {StepCount + 1}: {what} (learning rate {lr:G4}). Lower the learning rate, " +
            "clip the gradient (--set clip_norm=1), or skip such steps (--set nonfinite=skip).");
    }

    /// <summary>Soft-thresholding θ ← sign(θ)·max(|θ| − τ, 0) over the group's ranges.</summary>
    private static void Proximal(Tensor values, ParameterGroup group, double tau)
    {
        foreach (var (off, len) in group.RangeArray)
        {
            if (values.DType == DType.Float32) Shrink(values.Floats.Slice(off, len), (float)tau);
            else Shrink(values.Doubles.Slice(off, len), tau);
        }
    }

    private static void Shrink<T>(Span<T> x, T tau) where T : IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) x[i] = T.CopySign(T.Max(T.Abs(x[i]) - tau, T.Zero), x[i]);
    }

    private static double RobustNorm(Tensor x)
    {
        var v = x.ToDoubleArray();
        double max = v.Max(Math.Abs);
        if (max == 0) return 0;
        double s = 0;
        foreach (var e in v) { double r = e / max; s += r * r; }
        return max * Math.Sqrt(s);
    }

    /// <inheritdoc />
    public override void Set(string key, string value, string? group = null)
    {
        var spec = Settings.Specs.FirstOrDefault(s => s.Key == key.Trim().ToLowerInvariant() || s.Alias == key.Trim().ToLowerInvariant())
            ?? throw new ConfigurationException(OptimizerSettings.UnknownKey(Name, key, Settings.Specs));
        var changed = Settings.With(spec.Key, value);
        definition.Validate(changed);
        if ((definition.CreateUpdate(changed).LookAhead is null) != (Kind == OptimizerKind.UpdateRule))
            throw new ConfigurationException($"{Name}: '{spec.Key}={value}' would turn an update rule into a search method or back; create a new optimizer instead.");
        if (!IsInitialized)
        {
            if (group is not null && group != "default") throw new ConfigurationException($"{Name} has no parameter group '{group}'.");
            Settings = changed;
            stabilizers = new Stabilizers(changed);
            return;
        }
        if (group is not null && !spec.PerGroup)
            throw new ConfigurationException($"{Name}: '{spec.Key}' applies to the whole optimizer and cannot be set for group '{group}'.");
        if (spec.Key is "average" or "average_decay" or "average_start")
            throw new ConfigurationException($"{Name}: '{spec.Key}' cannot change after Init; set it when creating the optimizer.");
        var newBase = group is null || group == "default" ? changed : Settings;
        var updated = new (OptimizerSettings Settings, IFusedUpdate Update, Dictionary<string, string> Overrides)[groups.Length];
        bool found = group is null;
        for (int i = 0; i < groups.Length; i++)
        {
            var g = groups[i].Group;
            var overrides = new Dictionary<string, string>(g.Overrides);
            if (group is not null && g.Name == group)
            {
                found = true;
                if (g.Name != "default") overrides[spec.Key] = value;
            }
            var s = newBase.With(overrides, forGroup: true);
            var update = Make(s);
            var before = groups[i].Update.State.Select(x => x.Name);
            if (!update.State.Select(x => x.Name).SequenceEqual(before))
                throw new ConfigurationException($"{Name}: changing '{spec.Key}' to '{value}' needs different state buffers ([{string.Join(", ", update.State.Select(x => x.Name))}] instead of [{string.Join(", ", before)}]); create a new optimizer instead.");
            updated[i] = (s, update, overrides);
        }
        if (!found)
            throw new ConfigurationException($"{Name} has no parameter group '{group}'; groups: {string.Join(", ", groups.Select(g => g.Group.Name))}.");
        Settings = newBase;
        stabilizers = new Stabilizers(newBase);
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i].Group.Settings = updated[i].Settings;
            groups[i].Group.Overrides.Clear();
            foreach (var (k, v) in updated[i].Overrides) groups[i].Group.Overrides[k] = v;
            groups[i].Replace(updated[i].Update);
        }
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        foreach (var (name, t) in buffers) tensors[name] = t.CloneUnscoped();
        if (average is not null)
        {
            tensors["polyak.average"] = average.Average.CloneUnscoped();
            scalars["polyak.count"] = average.Count;
        }
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        foreach (var (name, t) in buffers) Restore(tensors, name, t);
        if (average is not null)
        {
            Restore(tensors, "polyak.average", average.Average);
            average.Count = (long)Scalar(scalars, "polyak.count");
        }
    }

    /// <summary>One group's update, its buffers and its typed settings.</summary>
    private sealed class GroupState(ParameterGroup group, IFusedUpdate update)
    {
        public ParameterGroup Group { get; } = group;
        public IFusedUpdate Update { get; private set; } = update;
        public FusedBuffers? Buffers { get; set; }
        public double LearningRate { get; private set; } = group.Settings.Real("lr");
        public double L1 { get; private set; } = group.Settings.Real("l1");

        public void Replace(IFusedUpdate next)
        {
            Update = next;
            LearningRate = Group.Settings.Real("lr");
            L1 = Group.Settings.Real("l1");
        }
    }

    /// <summary>The optimizer-wide stabilizer settings, typed once.</summary>
    private readonly record struct Stabilizers(double ClipNorm, double ClipValue, bool SkipNonFinite)
    {
        public Stabilizers(OptimizerSettings s) : this(s.Real("clip_norm"), s.Real("clip_value"), s["nonfinite"] == "skip") { }
    }
}

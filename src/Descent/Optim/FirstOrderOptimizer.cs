using System.Numerics;
using Descent.Nn;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Tensors;

namespace Descent.Optim;

/// <summary>
/// A first-order optimizer over a model's flat buffers: a named optimizer's fused rule per parameter group
/// (or a custom <see cref="IUpdateRule"/> chain, <see cref="FromRule"/>), plus the optimizer-side stabilizers:
/// the global gradient norm (reported, and used for <c>clip_norm</c>), <c>clip_value</c>, the non-finite
/// policy, Polyak averaging and an L1 proximal step. A steady-state <see cref="Step()"/> makes one read pass
/// over the gradient (norm and finiteness) and one fused pass over parameters, gradient and state, and
/// allocates nothing.
/// </summary>
public sealed class FirstOrderOptimizer : Optimizer
{
    private readonly OptimizerFactory.Entry? entry;
    private readonly IUpdateRule? chain;
    private readonly SumOfSquares norm = new();
    private GroupState[] groups = [];
    private readonly Dictionary<string, Tensor> buffers = [];
    private RuleState? chainState;
    private Tensor? scratch;
    private PolyakAverage? average;

    internal FirstOrderOptimizer(OptimizerFactory.Entry entry, OptimizerSettings settings) : base(entry.Info, settings)
    {
        this.entry = entry;
        entry.Check?.Invoke(settings);
        Kind = entry.Create(settings).LookAheadBuffer is null ? OptimizerKind.UpdateRule : OptimizerKind.SearchMethod;
    }

    private FirstOrderOptimizer(OptimizerInfo info, OptimizerSettings settings, IUpdateRule chain) : base(info, settings)
    {
        this.chain = chain;
        Kind = OptimizerKind.UpdateRule;
    }

    /// <summary>
    /// An optimizer from a custom chain of rules (which carries its own learning rate and schedule), with
    /// the common stabilizer keys (<c>clip_norm</c>, <c>nonfinite</c>, <c>average</c>, …) as settings.
    /// The chain's updates are computed in a scratch buffer and added to θ; parameter groups are not supported.
    /// </summary>
    public static FirstOrderOptimizer FromRule(IUpdateRule rule, IReadOnlyDictionary<string, string>? settings = null)
    {
        var info = new OptimizerInfo("custom", rule.Name, rule.Name, "user-defined chain", CommonKeys.All);
        return new FirstOrderOptimizer(info, OptimizerSettings.Parse("custom", info.Keys, settings), rule);
    }

    /// <inheritdoc />
    public override OptimizerKind Kind { get; }

    /// <inheritdoc />
    public override IReadOnlyList<ParameterGroup> Groups => groups.Select(g => g.Group).ToArray();

    /// <inheritdoc />
    public override PolyakAverage? Average => average;

    /// <summary>The fused rule of each group (named optimizers), default group first.</summary>
    public IReadOnlyList<FusedRule> Rules => groups.Where(g => g.Rule is not null).Select(g => g.Rule!).ToArray();

    /// <summary>The state buffers by name (live, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> StateBuffers => buffers;

    /// <inheritdoc />
    protected override void InitCore(FlatParameters parameters, ParameterGroups? parameterGroups)
    {
        if (chain is not null)
        {
            if (parameterGroups is not null && parameterGroups.Rules.Count > 0)
                throw new ConfigurationException("Parameter groups need a named optimizer; a custom rule chain applies to all parameters.");
            chainState = chain.Init(parameters.Count, parameters.DType);
            foreach (var (path, t) in chainState.Flatten()) buffers[path] = t;
            scratch = Tensor.ZerosUnscoped(new Shape(parameters.Count), parameters.DType);
            groups = [new GroupState((parameterGroups ?? new ParameterGroups()).Resolve(parameters, Settings)[0], null)];
        }
        else
        {
            var resolved = (parameterGroups ?? new ParameterGroups()).Resolve(parameters, Settings);
            groups = resolved.Select(g => new GroupState(g, MakeRule(g.Settings))).ToArray();
            foreach (var g in groups)
                foreach (var name in g.Rule!.StateNames)
                    if (!buffers.ContainsKey(name)) buffers[name] = Tensor.ZerosUnscoped(new Shape(parameters.Count), parameters.DType);
            foreach (var g in groups)
                foreach (var name in g.Rule!.StateNames)
                {
                    double init = g.Rule.InitialValue(name);
                    if (init == 0) continue;
                    foreach (var (off, len) in g.Group.Ranges) buffers[name].Narrow(0, off, len).Fill(init);
                }
            foreach (var g in groups) g.Bind(parameters, buffers);
            if (Kind == OptimizerKind.SearchMethod) scratch = Tensor.ZerosUnscoped(new Shape(parameters.Count), parameters.DType);
        }
        if (Settings["average"] != "none")
            average = new PolyakAverage(parameters, Settings["average"] == "ema" ? AveragingMode.Exponential : AveragingMode.Arithmetic,
                Settings.Real("average_decay"), Settings.Integer("average_start"));
    }

    private FusedRule MakeRule(OptimizerSettings s)
    {
        entry!.Check?.Invoke(s);
        return entry.Create(s);
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
            var v = buffers[g.Rule!.LookAheadBuffer!];
            double alpha = g.Rule.LookAheadScale;
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
        double lr0 = LearningRate;
        if (!finite || (loss is double l && !double.IsFinite(l)))
            return NonFinite(loss ?? double.NaN, gnorm, lr0, finite);
        double clipNorm = Settings.Real("clip_norm"), clipValue = Settings.Real("clip_value");
        double scale = clipNorm > 0 && gnorm > clipNorm ? clipNorm / (gnorm + 1e-6) : 1;
        long t = StepCount + 1;
        double factor = Schedule.Factor(StepCount);
        var fusedClip = clipValue > 0 ? clipValue : double.PositiveInfinity;
        if (chain is not null) ChainStep(t, scale, fusedClip);
        else if (p.DType == DType.Float32) Apply<float>(t, factor, scale, fusedClip);
        else Apply<double>(t, factor, scale, fusedClip);
        StepCount = t;
        average?.Update(t);
        return new StepResult(t, loss ?? double.NaN, gnorm, lr0, Skipped: false, Clipped: scale < 1);
    }

    private StepResult NonFinite(double loss, double gnorm, double lr, bool gradFinite)
    {
        if (Settings["nonfinite"] == "skip")
        {
            SkippedSteps++;
            return new StepResult(StepCount, loss, gnorm, lr, Skipped: true, Clipped: false);
        }
        string what = gradFinite ? $"the loss is {loss}"
            : $"the gradient of '{Parameters.Slots.FirstOrDefault(s => !s.Parameter.Grad!.AllFinite())?.Name ?? "?"}' is not finite";
        throw new NonFiniteException($"{Name}: step {StepCount + 1}: {what} (learning rate {lr:G4}). Lower the learning rate, " +
            "clip the gradient (--set clip_norm=1), or skip such steps (--set nonfinite=skip).");
    }

    private void Apply<T>(long t, double factor, double scale, double clipValue) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach (var g in groups)
        {
            var step = new FusedStep(t, g.Group.Settings.Real("lr") * factor, scale, clipValue);
            var b = (FusedBuffers<T>)g.Buffers!;
            foreach (var (off, len) in g.Group.RangeArray) g.Rule!.Apply(b, step, off, len);
            double l1 = g.Group.Settings.Real("l1");
            if (l1 > 0) Proximal(Parameters.Values, g.Group, step.LearningRate * l1);
        }
    }

    private void ChainStep(long t, double scale, double clipValue)
    {
        var p = Parameters;
        scratch!.CopyFrom(p.Grads);
        if (scale != 1) scratch.MulInPlace(scale);
        if (double.IsFinite(clipValue))
        {
            if (p.DType == DType.Float32) Clamp(scratch.Floats, (float)clipValue);
            else Clamp(scratch.Doubles, clipValue);
        }
        if (p.DType == DType.Float32) chain!.Update(scratch.Floats, chainState!, p.Values.Floats, t);
        else chain!.Update(scratch.Doubles, chainState!, p.Values.Doubles, t);
        p.Values.AddInPlace(scratch);
        double l1 = Settings.Real("l1");
        if (l1 > 0) Proximal(p.Values, groups[0].Group, l1);
    }

    private static void Clamp<T>(Span<T> x, T c) where T : IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) x[i] = T.Clamp(x[i], -c, c);
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
        if (entry is not null && (entry.Create(Settings.With(spec.Key, value)).LookAheadBuffer is null) != (Kind == OptimizerKind.UpdateRule))
            throw new ConfigurationException($"{Name}: '{spec.Key}={value}' would turn an update rule into a search method or back; create a new optimizer instead.");
        if (!IsInitialized || chain is not null)
        {
            if (group is not null && group != "default") throw new ConfigurationException($"{Name} has no parameter group '{group}'.");
            var s = Settings.With(spec.Key, value);
            entry?.Check?.Invoke(s);
            if (chain is not null && IsInitialized && spec.Key is "average" or "average_decay" or "average_start")
                throw new ConfigurationException($"{Name}: '{spec.Key}' cannot change after Init; set it when creating the optimizer.");
            Settings = s;
            return;
        }
        if (group is not null && !spec.PerGroup)
            throw new ConfigurationException($"{Name}: '{spec.Key}' applies to the whole optimizer and cannot be set for group '{group}'.");
        if (!spec.PerGroup && spec.Key is "average" or "average_decay" or "average_start")
            throw new ConfigurationException($"{Name}: '{spec.Key}' cannot change after Init; set it when creating the optimizer.");
        var newBase = group is null || group == "default" ? Settings.With(spec.Key, value) : Settings;
        var updated = new (OptimizerSettings Settings, FusedRule Rule, Dictionary<string, string> Overrides)[groups.Length];
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
            var rule = MakeRule(s);
            if (!rule.StateNames.SequenceEqual(groups[i].Rule!.StateNames))
                throw new ConfigurationException($"{Name}: changing '{spec.Key}' to '{value}' needs different state buffers ([{string.Join(", ", rule.StateNames)}] instead of [{string.Join(", ", groups[i].Rule!.StateNames)}]); create a new optimizer instead.");
            updated[i] = (s, rule, overrides);
        }
        if (!found)
            throw new ConfigurationException($"{Name} has no parameter group '{group}'; groups: {string.Join(", ", groups.Select(g => g.Group.Name))}.");
        Settings = newBase;
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i].Group.Settings = updated[i].Settings;
            groups[i].Group.Overrides.Clear();
            foreach (var (k, v) in updated[i].Overrides) groups[i].Group.Overrides[k] = v;
            groups[i].Replace(updated[i].Rule);
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

    /// <summary>One group's rule and its bound buffers.</summary>
    private sealed class GroupState(ParameterGroup group, FusedRule? rule)
    {
        public ParameterGroup Group { get; } = group;
        public FusedRule? Rule { get; private set; } = rule;
        public object? Buffers { get; private set; }
        private FlatParameters? parameters;
        private IReadOnlyDictionary<string, Tensor>? state;

        public void Bind(FlatParameters p, IReadOnlyDictionary<string, Tensor> s)
        {
            parameters = p;
            state = s;
            var list = Rule!.StateNames.Select(n => s[n]).ToArray();
            Buffers = p.DType == DType.Float32
                ? new FusedBuffers<float>(p.Values, p.Grads, list)
                : new FusedBuffers<double>(p.Values, p.Grads, list);
        }

        public void Replace(FusedRule rule)
        {
            Rule = rule;
            Bind(parameters!, state!);
        }
    }
}

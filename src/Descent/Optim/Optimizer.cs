using Descent.Nn;
using Descent.Optim.Schedules;
using Descent.Tensors;

namespace Descent.Optim;

/// <summary>
/// The optimizer interface the trainer uses, for both kinds (docs/architecture.md, "Optimizers: one
/// definition each"): update rules see gradients only (<see cref="Step()"/> after the caller's
/// backward pass), search methods evaluate the objective themselves (<see cref="Step(IObjective)"/>, which
/// also works for update rules: it evaluates f and ∇f once, then steps). Created by
/// <see cref="OptimizerFactory.Create(string, IReadOnlyDictionary{string, string})"/>, bound to a model's flat
/// parameters by <see cref="Init"/>. Hyperparameters can be changed by key (<see cref="Set"/>), the whole
/// state exported and imported for checkpoints (<see cref="ExportState"/>, <see cref="ImportState"/>).
/// </summary>
public abstract class Optimizer
{
    private FlatParameters? parameters;
    private Schedule schedule = Schedule.Constant;

    /// <summary>Creates the optimizer with validated settings.</summary>
    protected Optimizer(OptimizerInfo info, OptimizerSettings settings)
    {
        Info = info;
        Settings = settings;
    }

    /// <summary>What the optimizer is (name, update, citation, keys).</summary>
    public OptimizerInfo Info { get; }

    /// <summary>The optimizer's name, e.g. <c>adam</c>.</summary>
    public string Name => Info.Name;

    /// <summary>The settings of the default parameter group (and the optimizer-wide ones).</summary>
    public OptimizerSettings Settings { get; protected set; }

    /// <summary>Update rule or search method.</summary>
    public abstract OptimizerKind Kind { get; }

    /// <summary>True once <see cref="Init"/> has bound the optimizer to parameters.</summary>
    public bool IsInitialized => parameters is not null;

    /// <summary>The parameters being optimized.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Init"/>.</exception>
    public FlatParameters Parameters
    {
        get
        {
            var p = parameters ?? throw new InvalidOperationException($"{Name}: call Init(parameters) before using the optimizer.");
            if (p.IsRetired) p.EnsureLive($"optimizer {Name}");
            return p;
        }
    }

    /// <summary>Completed steps (the next step is number <c>StepCount + 1</c>; its schedule step is
    /// <c>StepCount</c>).</summary>
    public long StepCount { get; protected set; }

    /// <summary>Steps skipped because of non-finite values (<c>nonfinite=skip</c>).</summary>
    public long SkippedSteps { get; protected set; }

    /// <summary>The learning-rate schedule (a factor on every group's <c>lr</c>); constant by default.</summary>
    public virtual Schedule Schedule
    {
        get => schedule;
        set => schedule = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The default group's learning rate for the next step (base × schedule).</summary>
    public virtual double LearningRate => Settings.Has("lr") ? Settings.Real("lr") * Schedule.Factor(StepCount) : double.NaN;

    /// <summary>The parameter groups (the <c>default</c> group first).</summary>
    public abstract IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>Polyak averaging of the iterates, when <c>average</c> is not <c>none</c>.</summary>
    public virtual PolyakAverage? Average => null;

    /// <summary>Binds the optimizer to <paramref name="parameters"/>, resolves parameter groups and allocates
    /// the state (flat buffers as long as the parameter vector).</summary>
    /// <exception cref="ConfigurationException">A group override is invalid.</exception>
    /// <exception cref="InvalidOperationException">Already initialized.</exception>
    public void Init(FlatParameters parameters, ParameterGroups? groups = null)
    {
        if (this.parameters is not null) throw new InvalidOperationException($"{Name} is already bound to parameters; create a new optimizer.");
        parameters.EnsureLive($"optimizer {Name}");
        InitCore(parameters, groups);
        this.parameters = parameters;
    }

    /// <summary>Allocates the state for <paramref name="parameters"/>.</summary>
    protected abstract void InitCore(FlatParameters parameters, ParameterGroups? groups);

    /// <summary>One step using the gradient already in <see cref="FlatParameters.Grads"/> (update rules).</summary>
    /// <exception cref="InvalidOperationException">For search methods, which need the objective.</exception>
    /// <exception cref="NonFiniteException">A non-finite gradient with <c>nonfinite=halt</c>.</exception>
    public abstract StepResult Step();

    /// <summary>One step that evaluates the objective (loss and gradient) itself, as often as the method needs.</summary>
    /// <exception cref="NonFiniteException">A non-finite loss or gradient with <c>nonfinite=halt</c>.</exception>
    public abstract StepResult Step(IObjective objective);

    /// <summary>Changes a hyperparameter by key, for the default group (and every group that does not override
    /// it), or for the named group only. Validated like the creation settings.</summary>
    /// <exception cref="ConfigurationException">Unknown key or group, an invalid value, or a change that would
    /// need different state buffers (e.g. <c>amsgrad</c>) after <see cref="Init"/>.</exception>
    public abstract void Set(string key, string value, string? group = null);

    /// <summary>The settings given explicitly (what <see cref="OptimizerFactory"/> needs to recreate the
    /// optimizer); a wrapper includes its inner optimizer's.</summary>
    public virtual IReadOnlyDictionary<string, string> ExplicitSettings => Settings.Explicit;

    /// <summary>The resolved parameter groups as a table (parameter, shape, group, lr, weight_decay).</summary>
    public string DescribeGroups() => ParameterGroups.Table(Groups);

    /// <summary>A copy of the whole state (see <see cref="OptimizerState"/>).</summary>
    public OptimizerState ExportState()
    {
        if (Average?.IsSwappedIn == true) throw new InvalidOperationException("Swap the averaged weights out before exporting the optimizer state.");
        var tensors = new Dictionary<string, Tensor>();
        var scalars = new Dictionary<string, double> { ["step"] = StepCount, ["skipped_steps"] = SkippedSteps };
        foreach (var (k, v) in Schedule.State) scalars["schedule." + k] = v;
        ExportCore(tensors, scalars);
        return new OptimizerState(Name, ExplicitSettings, Schedule.Spec, tensors, scalars);
    }

    /// <summary>Restores a state exported from an optimizer with the same name, settings and parameter
    /// layout; the run then continues bit-identically.</summary>
    /// <exception cref="DataFormatException">The state does not fit this optimizer (name, tensors, sizes).</exception>
    public void ImportState(OptimizerState state)
    {
        _ = Parameters;
        if (state.Optimizer != Name)
            throw new DataFormatException($"The saved optimizer state is for '{state.Optimizer}', not '{Name}'; resume with --optimizer {state.Optimizer}.");
        ImportCore(state.Tensors, state.Scalars);
        StepCount = (long)Scalar(state.Scalars, "step");
        SkippedSteps = (long)Scalar(state.Scalars, "skipped_steps");
        var sched = state.Scalars.Where(kv => kv.Key.StartsWith("schedule.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["schedule.".Length..], kv => kv.Value);
        if (sched.Count > 0) Schedule.LoadState(sched);
    }

    /// <summary>Adds the method's tensors and scalars to an export.</summary>
    protected abstract void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars);

    /// <summary>Reads the method's tensors and scalars from an import.</summary>
    protected abstract void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars);

    /// <summary>Copies a saved tensor into a live buffer, checking its presence and size.</summary>
    protected static void Restore(IReadOnlyDictionary<string, Tensor> tensors, string name, Tensor into)
    {
        if (!tensors.TryGetValue(name, out var t))
            throw new DataFormatException($"The saved optimizer state has no tensor '{name}' (it has [{string.Join(", ", tensors.Keys)}]); was it saved with other settings?");
        if (t.Size != into.Size)
            throw new DataFormatException($"Saved optimizer tensor '{name}' has {t.Size} elements; this model needs {into.Size}.");
        into.CopyFrom(t);
    }

    /// <summary>Reads a saved scalar.</summary>
    protected static double Scalar(IReadOnlyDictionary<string, double> scalars, string name) =>
        scalars.TryGetValue(name, out var v) ? v : throw new DataFormatException($"The saved optimizer state has no value '{name}'.");

    /// <inheritdoc />
    public override string ToString() => Settings.ToString();
}

using Descent.Nn;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// The base of the second-order and line-search methods: optimizers of kind
/// <see cref="OptimizerKind.SearchMethod"/> that evaluate the objective themselves, as often as they need, in
/// <see cref="Optimizer.Step(IObjective)"/>. One step is one iteration of the method: it evaluates f and ∇f at
/// θ (or reuses them, see <see cref="FixedObjective"/>), then runs the method's <see cref="Iterate"/>, and
/// reports what it did in <see cref="LastStep"/> (evaluations, curvature products, status) like SciPy.
/// All parameters form one vector: parameter groups are not supported. A non-finite f or ∇f at θ raises
/// <see cref="NonFiniteException"/>; non-finite values at trial points only shrink the step.
/// </summary>
public abstract class SearchMethod : Optimizer
{
    private ParameterGroup[] groups = [];
    private Tensor? startPoint, startGradient, cachedPoint, cachedGradient;
    private double cachedValue = double.NaN;
    private bool cacheValid;

    /// <summary>Creates the method with validated settings.</summary>
    protected SearchMethod(OptimizerInfo info, OptimizerSettings settings) : base(info, settings) { }

    /// <inheritdoc />
    public override OptimizerKind Kind => OptimizerKind.SearchMethod;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterGroup> Groups => groups;

    /// <summary>What the last step did (null before the first step).</summary>
    public SearchResult? LastStep { get; private set; }

    /// <summary>
    /// True when the objective is the same function at every step (a test function, a full-batch objective):
    /// a step then starts from the value and gradient the previous step ended with, when θ has not changed
    /// since, instead of evaluating them again — as SciPy's methods do. False (the default) for mini-batch
    /// training, where every step sees a new batch and so a new function.
    /// </summary>
    public bool FixedObjective { get; set; }

    /// <summary>θ at the start of the current step (a copy; valid inside <see cref="Iterate"/>).</summary>
    protected Tensor StartPoint => startPoint!;

    /// <summary>∇f(θ) at the start of the current step (a copy; valid inside <see cref="Iterate"/>).</summary>
    protected Tensor StartGradient => startGradient!;

    /// <summary>Curvature work the objective's counters do not see (dense Hessian columns count there; K-FAC
    /// statistics passes or Gauss-Newton products count here). Reset at the start of every step.</summary>
    protected int CurvatureWork { get; set; }

    /// <summary>Function evaluations on objectives the step's counters do not see (e.g. Hessian-free's f on the
    /// curvature examples for ρ), added to nfev. Reset at the start of every step.</summary>
    protected int EvaluationWork { get; set; }

    /// <summary>All <see cref="CurvatureWork"/> so far (what a run adds to the objective's own product count).</summary>
    public long UncountedCurvatureWork { get; private set; }

    /// <summary>Keys that size the state and so cannot change after <see cref="Optimizer.Init"/>.</summary>
    protected virtual IReadOnlyCollection<string> FixedKeys => [];

    /// <inheritdoc />
    protected sealed override void InitCore(FlatParameters parameters, ParameterGroups? parameterGroups)
    {
        if (parameterGroups is { Rules.Count: > 0 })
            throw new ConfigurationException($"{Name} treats all parameters as one vector, so it has no parameter groups; remove --group or use a first-order optimizer.");
        groups = [.. new ParameterGroups().Resolve(parameters, Settings)];
        startPoint = FlatVector.Zeros(parameters.Count, parameters.DType);
        startGradient = FlatVector.Zeros(parameters.Count, parameters.DType);
        cachedPoint = FlatVector.Zeros(parameters.Count, parameters.DType);
        cachedGradient = FlatVector.Zeros(parameters.Count, parameters.DType);
        Allocate(parameters);
    }

    /// <summary>Allocates the method's state for <paramref name="parameters"/> (and checks it can handle them).</summary>
    protected abstract void Allocate(FlatParameters parameters);

    /// <inheritdoc />
    public override StepResult Step() =>
        throw new InvalidOperationException($"{Name} is a search method: it evaluates the objective itself, so call Step(objective).");

    /// <inheritdoc />
    public sealed override StepResult Step(IObjective objective)
    {
        var p = Parameters;
        if (!ReferenceEquals(objective.Parameters, p))
            throw new InvalidOperationException($"{Name}: the objective's parameters are not the ones this optimizer was initialized with.");
        int f0 = objective.FunctionEvaluations, g0 = objective.GradientEvaluations, h0 = objective.HessianVectorProducts;
        CurvatureWork = 0;
        EvaluationWork = 0;
        double value;
        if (FixedObjective && cacheValid && FlatVector.SameValues(cachedPoint!, p.Values))
        {
            value = cachedValue;
            p.Grads.CopyFrom(cachedGradient!);
        }
        else value = objective.Evaluate(computeGradient: true);
        cacheValid = false;
        double gnorm = FlatVector.Norm(p.Grads);
        double lr = LearningRate;
        if (!double.IsFinite(value) || !double.IsFinite(gnorm))
        {
            LastStep = Report(objective, f0, g0, h0, SearchStatus.NonFinite, $"f = {value}, ‖∇f‖ = {gnorm} at θ", value, gnorm);
            throw new NonFiniteException($"{Name}: step {StepCount + 1}: {(double.IsFinite(value) ? "the gradient" : $"the loss ({value})")} is not finite at the current parameters; " +
                "lower the learning rate or the step limits, or raise the damping.");
        }
        startPoint!.CopyFrom(p.Values);
        startGradient!.CopyFrom(p.Grads);
        var outcome = Iterate(objective, value, gnorm);
        double endValue = outcome.Value, endNorm = double.NaN;
        if (!outcome.Moved)
        {
            p.Values.CopyFrom(startPoint);
            p.Grads.CopyFrom(startGradient);
            endValue = value;
            endNorm = gnorm;
            Remember(value);
        }
        else if (outcome.GradientKnown && double.IsFinite(endValue))
        {
            endNorm = FlatVector.Norm(p.Grads);
            if (double.IsFinite(endNorm)) Remember(endValue);
        }
        StepCount++;
        UncountedCurvatureWork += CurvatureWork;
        LastStep = Report(objective, f0, g0, h0, outcome.Status, outcome.Message, endValue, endNorm);
        return new StepResult(StepCount, value, gnorm, lr, Skipped: false, Clipped: false);
    }

    /// <summary>Takes f(θ) = <paramref name="value"/> and the gradient buffer as the evaluation the next step
    /// starts from (with <see cref="FixedObjective"/>), so a driver that evaluated θ itself does not pay twice.</summary>
    internal void Prime(double value) => Remember(value);

    private void Remember(double value)
    {
        var p = Parameters;
        cachedPoint!.CopyFrom(p.Values);
        cachedGradient!.CopyFrom(p.Grads);
        cachedValue = value;
        cacheValid = true;
    }

    private SearchResult Report(IObjective o, int f0, int g0, int h0, SearchStatus status, string message, double value, double gnorm) =>
        new(status, message, 1, o.FunctionEvaluations - f0 + EvaluationWork, o.GradientEvaluations - g0,
            o.HessianVectorProducts - h0 + CurvatureWork, value, gnorm);

    /// <summary>
    /// One iteration of the method. On entry the parameters hold θ, <see cref="FlatParameters.Grads"/> and
    /// <see cref="StartGradient"/> hold ∇f(θ), <see cref="StartPoint"/> holds θ. On return the parameters hold
    /// the new point when <see cref="StepOutcome.Moved"/> (with ∇f there in the gradient buffer when
    /// <see cref="StepOutcome.GradientKnown"/>); otherwise the base restores θ and ∇f(θ).
    /// </summary>
    protected abstract StepOutcome Iterate(IObjective objective, double value, double gradientNorm);

    /// <summary>What an iteration did.</summary>
    /// <param name="Status">Stepped, rejected or line search failed.</param>
    /// <param name="Message">One sentence.</param>
    /// <param name="Moved">True if θ changed.</param>
    /// <param name="Value">f at the new θ (NaN if not evaluated there).</param>
    /// <param name="GradientKnown">True if the gradient buffer holds ∇f at the new θ.</param>
    protected readonly record struct StepOutcome(SearchStatus Status, string Message, bool Moved, double Value, bool GradientKnown)
    {
        /// <summary>θ moved to a point with value <paramref name="value"/>.</summary>
        public static StepOutcome Step(string message, double value, bool gradientKnown) =>
            new(SearchStatus.Stepped, message, true, value, gradientKnown);

        /// <summary>θ stays where it was.</summary>
        public static StepOutcome Stay(SearchStatus status, string message) => new(status, message, false, double.NaN, false);
    }

    /// <summary>Runs a line search along <paramref name="direction"/> from the start point and leaves the
    /// parameters at the accepted step (with the gradient there when the search computed it or
    /// <paramref name="needGradient"/>); a failed search leaves them at the start.</summary>
    protected (LineSearchResult Search, StepOutcome Outcome) SearchAlong(IObjective objective, ILineSearch search, Tensor direction,
        double value, double slope, double initialStep, bool needGradient)
    {
        var ray = new Ray(objective, StartPoint, direction);
        var r = search.Search(ray.Function, value, slope, initialStep);
        if (!r.Success)
            return (r, StepOutcome.Stay(SearchStatus.LineSearchFailed, $"{search.Name} line search: {r.Message}"));
        bool gradient = needGradient || !double.IsNaN(r.Slope);
        double f = ray.MoveTo(r.Alpha, gradient);
        if (double.IsNaN(f)) f = r.Value;
        return (r, StepOutcome.Step($"step α = {r.Alpha:G4} ({search.Name}: {r.Message})", f, gradient));
    }

    /// <summary>Whether <see cref="FixedObjective"/> reuse wants the new point's gradient.</summary>
    protected bool WantEndGradient => FixedObjective;

    /// <inheritdoc />
    public override void Set(string key, string value, string? group = null)
    {
        if (group is not null && group != "default")
            throw new ConfigurationException($"{Name} has no parameter groups; set '{key}' without a group.");
        var updated = Settings.With(key, value);
        string k = updated.Specs.First(s => s.Key == key.Trim().ToLowerInvariant() || s.Alias == key.Trim().ToLowerInvariant()).Key;
        if (IsInitialized && FixedKeys.Contains(k) && updated[k] != Settings[k])
            throw new ConfigurationException($"{Name}: '{k}' sizes the method's state and cannot change after the start; create a new optimizer with {k}={value}.");
        Check(updated);
        Settings = updated;
    }

    /// <summary>Checks settings that depend on each other (called on creation and on <see cref="Set"/>).</summary>
    /// <exception cref="ConfigurationException">The combination is invalid.</exception>
    protected virtual void Check(OptimizerSettings settings) { }

    /// <summary>Reads a scalar saved under this method's name.</summary>
    protected static double Saved(IReadOnlyDictionary<string, double> scalars, string name) => Scalar(scalars, name);
}

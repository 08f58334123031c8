using Descent.Nn;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Problems;

namespace Descent.Training;

/// <summary>
/// A <see cref="RunSpec"/> checked and completed, exactly once: canonical names, the problem's epochs and batch
/// size, the sampler, the parameter groups and the <c>--l2-on</c> selector in their canonical text (so a
/// resumed run compares equal however they were spelled), with the typed objects that checking made.
/// Only <see cref="RunSpec.Resolve"/> makes one, and <see cref="Build"/> takes only this type, so a run
/// cannot be resolved twice or built unchecked.
/// </summary>
public sealed class ResolvedRun
{
    private ResolvedRun(RunSpec spec, Problem problem, OptimizerInfo optimizer, ParameterGroups groups, ParameterSelector? l2On, ValidationMetric monitor)
    {
        Spec = spec;
        Problem = problem;
        Optimizer = optimizer;
        Groups = groups;
        L2On = l2On;
        Monitor = monitor;
    }

    /// <summary>The completed spec (what checkpoints store and <see cref="RunSpec.Differences"/> compares).</summary>
    public RunSpec Spec { get; }

    /// <summary>The problem.</summary>
    public Problem Problem { get; }

    /// <summary>What the optimizer is.</summary>
    public OptimizerInfo Optimizer { get; }

    /// <summary>The parameter groups.</summary>
    public ParameterGroups Groups { get; }

    /// <summary>The parameters of the L2 penalty (null without one).</summary>
    public ParameterSelector? L2On { get; }

    /// <summary>The monitored validation metric.</summary>
    public ValidationMetric Monitor { get; }

    /// <summary>Epochs.</summary>
    public int Epochs => Spec.Epochs!.Value;

    /// <summary>The sampler kinds <see cref="RunSpec.Sampler"/> accepts.</summary>
    public static IReadOnlyList<string> SamplerKinds { get; } = ["shuffle", "uniform", "full", "online"];

    /// <summary>Checks <paramref name="spec"/> without loading data and fills in its defaults (see the class).</summary>
    /// <exception cref="ConfigurationException">An unknown name, an invalid setting or schedule, or a number out of range.</exception>
    internal static ResolvedRun From(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problem = Recipe.RecipeSetup.Problem(spec);
        var optimizer = OptimizerFactory.Create(spec.Optimizer, spec.Settings);
        if (spec.Schedule is not null) Schedule.Parse(spec.Schedule);
        string sampler = (spec.Sampler ?? (optimizer.Info.FullBatch && spec.BatchSize is null ? "full" : "shuffle")).Trim().ToLowerInvariant();
        if (!SamplerKinds.Contains(sampler) && !Recipe.RecipeData.IsRecipeSampler(sampler))
            throw new ConfigurationException($"Unknown sampler '{spec.Sampler}'; valid: {string.Join(", ", SamplerKinds)}.");
        int epochs = spec.Epochs ?? problem.DefaultEpochs;
        Positive(epochs, "--epochs", allowZero: true);
        int? batch = sampler switch { "full" => null, "online" => 1, _ => spec.BatchSize ?? Math.Max(problem.DefaultBatchSize, optimizer.Info.PreferredBatchSize ?? 0) };
        if (batch is int b) Positive(b, "--batch-size");
        if (spec.LimitTrain is int lt) Positive(lt, "--limit-train");
        if (spec.LimitEval is int le) Positive(le, "--limit-eval");
        if (spec.MaxSteps is long ms && ms < 1) throw new ConfigurationException($"--max-steps must be at least 1, got {ms}.");
        if (spec.CheckpointEvery < 0) throw new ConfigurationException($"--checkpoint-every must be ≥ 0, got {spec.CheckpointEvery}.");
        if (spec.LogEvery < 0) throw new ConfigurationException($"--log-every must be ≥ 0, got {spec.LogEvery}.");
        if (spec.CurvatureEvery < 0) throw new ConfigurationException($"--curvature-every must be ≥ 0, got {spec.CurvatureEvery}.");
        if (spec.EarlyStopping is int es) Positive(es, "--early-stopping");
        Positive(spec.EvalBatchSize, "--eval-batch-size");
        if (!(spec.L2 >= 0) || double.IsInfinity(spec.L2)) throw new ConfigurationException($"--l2 must be a finite number ≥ 0, got {spec.L2}.");
        if (spec.L2On is not null && spec.L2 == 0)
            throw new ConfigurationException($"--l2-on {spec.L2On} chooses the parameters of the --l2 penalty; give --l2 λ > 0 too, or leave --l2-on out.");
        var l2On = spec.L2 > 0 ? ParameterSelector.Parse(spec.L2On ?? RunSpec.DefaultL2On) : null;
        var groups = ParameterGroups.Parse(string.Join(";", spec.Groups));
        var groupSettings = GroupSettings(optimizer);
        foreach (var rule in groups.Rules) groupSettings.With(rule.Overrides, forGroup: true);
        var monitor = ValidationMetric.Parse(spec.Monitor);
        if (monitor.Maximize && !problem.IsClassification)
            throw new ConfigurationException($"{problem.Name} is a regression problem, so it has no accuracy to monitor; use --monitor val_loss.");
        var completed = spec with
        {
            Problem = problem.Name,
            Optimizer = optimizer.Name,
            Settings = optimizer.ExplicitSettings.ToDictionary(kv => kv.Key, kv => kv.Value),
            Groups = groups.Rules.Select(r => r.Text).ToArray(),
            L2On = spec.L2On is null ? null : l2On!.Text,
            Schedule = spec.Schedule?.Trim(),
            Epochs = epochs,
            BatchSize = batch,
            Sampler = sampler,
            Monitor = monitor.Name,
            Recipe = Recipe.RecipeSetup.Resolve(spec),
        };
        return new ResolvedRun(completed, problem, optimizer.Info, groups, l2On, monitor);
    }

    /// <summary>
    /// Loads the data and builds everything: the problem's data (limited if asked), the model seeded from the
    /// spec's seed, the objective (problem loss + penalties + the optional L2), the optimizer with its schedule
    /// and groups, the sampler, the trainer's options and the callbacks the spec asks for.
    /// </summary>
    /// <param name="runDirectory">Where the trainer writes, or null.</param>
    /// <param name="extraCallbacks">Callbacks to run after the spec's own (e.g. progress output).</param>
    /// <param name="communicator">The processes training together (data parallelism); null: this process alone.</param>
    /// <exception cref="DataFormatException">The data cannot be read.</exception>
    public RunSetup Build(string? runDirectory = null, IEnumerable<ITrainingCallback>? extraCallbacks = null, Distributed.Communicator? communicator = null) =>
        RunSetup.Build(this, runDirectory, extraCallbacks, communicator);

    /// <summary>The settings parameter groups override: a wrapper's inner optimizer's.</summary>
    private static OptimizerSettings GroupSettings(Optimizer optimizer) => optimizer is Lookahead l ? GroupSettings(l.Inner) : optimizer.Settings;

    private static void Positive(int value, string option, bool allowZero = false)
    {
        if (value < (allowZero ? 0 : 1))
            throw new ConfigurationException($"{option} must be {(allowZero ? "≥ 0" : "at least 1")}, got {value}.");
    }
}

using Descent.Data;
using Descent.Nn;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// Builds a run from a <see cref="RunSpec"/>: the problem, its data (limited if asked), the model seeded
/// from the spec's seed, the objective (problem loss + penalties + optional L2), the optimizer with its
/// schedule, the sampler, and the callbacks the spec asks for. Building twice from the same spec gives
/// identical objects (problems draw their initialization and dropout streams from
/// <c>Rng.Stream(seed, …)</c>, never from the process-wide default stream), which is what makes a resumed
/// run continue exactly, in this process or another.
/// </summary>
public sealed class RunSetup
{
    private RunSetup(RunSpec spec, Problem problem, TrainingParts parts, TrainerOptions options, List<ITrainingCallback> callbacks)
    {
        Spec = spec;
        Problem = problem;
        Parts = parts;
        Options = options;
        Callbacks = callbacks;
    }

    /// <summary>The resolved spec (defaults filled in).</summary>
    public RunSpec Spec { get; }

    /// <summary>The problem.</summary>
    public Problem Problem { get; }

    /// <summary>Model, objective, optimizer, sampler and data.</summary>
    public TrainingParts Parts { get; }

    /// <summary>The trainer's options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The callbacks the spec asks for (reduce-on-plateau feed, early stopping, best weights, Polyak
    /// evaluation, gradient-norm log, curvature monitor), followed by the caller's.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; }

    /// <summary>A trainer over these parts.</summary>
    public Trainer CreateTrainer() => new(Parts, Options, Callbacks);

    /// <summary>Names the sampler kinds <see cref="RunSpec.Sampler"/> accepts.</summary>
    public static IReadOnlyList<string> SamplerKinds { get; } = ["shuffle", "uniform", "full", "online"];

    /// <summary>
    /// Checks a spec without loading data and fills in its defaults: canonical problem and optimizer names,
    /// the problem's epochs and batch size, the sampler (<c>full</c> for a full-batch optimizer without a
    /// batch size). Settings, the schedule, the parameter groups (with their settings) and the <c>--l2-on</c>
    /// selector are validated by creating them; groups and the selector are written back in their canonical
    /// text (so a resumed run compares equal however they were spelled).
    /// </summary>
    /// <exception cref="ConfigurationException">An unknown name, an invalid setting or schedule, or a number out of range.</exception>
    public static RunSpec Resolve(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problem = ProblemCatalog.Create(spec.Problem);
        var optimizer = OptimizerFactory.Create(spec.Optimizer, spec.Settings);
        if (spec.Schedule is not null) Schedule.Parse(spec.Schedule);
        string sampler = (spec.Sampler ?? (optimizer.Info.FullBatch && spec.BatchSize is null ? "full" : "shuffle")).Trim().ToLowerInvariant();
        if (!SamplerKinds.Contains(sampler))
            throw new ConfigurationException($"Unknown sampler '{spec.Sampler}'; valid: {string.Join(", ", SamplerKinds)}.");
        int epochs = spec.Epochs ?? problem.DefaultEpochs;
        Positive(epochs, "--epochs", allowZero: true);
        int? batch = sampler switch { "full" => null, "online" => 1, _ => spec.BatchSize ?? problem.DefaultBatchSize };
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
        string? l2On = spec.L2On is null ? null : ParameterSelector.Parse(spec.L2On).Text;
        var groups = ParseGroups(spec.Groups);
        var groupSettings = GroupSettings(optimizer);
        foreach (var rule in groups.Rules) groupSettings.With(rule.Overrides, forGroup: true);
        var monitor = ValidationMetric.Parse(spec.Monitor);
        if (monitor.Maximize && !problem.IsClassification)
            throw new ConfigurationException($"{problem.Name} is a regression problem, so it has no accuracy to monitor; use --monitor val_loss.");
        return spec with
        {
            Problem = problem.Name,
            Optimizer = optimizer.Name,
            Settings = optimizer.ExplicitSettings.ToDictionary(kv => kv.Key, kv => kv.Value),
            Groups = groups.Rules.Select(r => r.Text).ToArray(),
            L2On = l2On,
            Schedule = spec.Schedule?.Trim(),
            Epochs = epochs,
            BatchSize = batch,
            Sampler = sampler,
            Monitor = monitor.Name,
        };
    }

    /// <summary>
    /// Loads the data and builds everything for <paramref name="spec"/> (resolved first).
    /// </summary>
    /// <param name="spec">The run.</param>
    /// <param name="runDirectory">Where the trainer writes, or null.</param>
    /// <param name="extraCallbacks">Callbacks to run after the spec's own (e.g. progress output).</param>
    /// <exception cref="ConfigurationException">The spec is invalid.</exception>
    /// <exception cref="DataFormatException">The data cannot be read.</exception>
    public static RunSetup Build(RunSpec spec, string? runDirectory = null, IEnumerable<ITrainingCallback>? extraCallbacks = null)
    {
        spec = Resolve(spec);
        var problem = ProblemCatalog.Create(spec.Problem);
        var data = Limit(problem.LoadData(new ProblemContext(spec.DataDir, ValidationFraction: spec.ValidationFraction)), spec);
        var model = problem.BuildModel(spec.Seed);
        var penalties = problem.Penalties.ToList();
        if (spec.L2 > 0) penalties.Add(Penalty.L2(spec.L2, ParameterSelector.Parse(spec.L2On ?? RunSpec.DefaultL2On)));
        var objective = new Objective(model, problem.Loss, [.. penalties]);
        var optimizer = OptimizerFactory.Create(spec.Optimizer, spec.Settings);
        if (spec.Schedule is not null) optimizer.Schedule = Schedule.Parse(spec.Schedule);
        optimizer.Init(model.Flat, ParseGroups(spec.Groups));
        var sampler = CreateSampler(spec, data.Train.Count);
        var parts = new TrainingParts(model, objective, optimizer, sampler, data, problem.IsClassification);
        var monitor = ValidationMetric.Parse(spec.Monitor);
        var options = new TrainerOptions
        {
            Epochs = spec.Epochs!.Value,
            RunDirectory = runDirectory,
            CheckpointEvery = spec.CheckpointEvery,
            KeepEpochCheckpoints = spec.KeepEpochCheckpoints,
            MaxSteps = spec.MaxSteps,
            EvalBatchSize = spec.EvalBatchSize,
            Monitor = monitor,
            Spec = spec,
        };
        var callbacks = new List<ITrainingCallback>();
        if (PlateauFeed.Needed(optimizer.Schedule)) callbacks.Add(new PlateauFeed(PlateauFeed.For(optimizer.Schedule)));
        if (spec.EarlyStopping is int patience) callbacks.Add(new EarlyStopping(patience, monitor));
        if (spec.RestoreBest) callbacks.Add(new BestWeights(monitor));
        if (optimizer.Average is not null) callbacks.Add(new PolyakEvaluation());
        if (spec.LogEvery > 0) callbacks.Add(new GradientNormLog(spec.LogEvery));
        if (spec.CurvatureEvery > 0) callbacks.Add(new CurvatureMonitor(spec.CurvatureEvery));
        callbacks.AddRange(extraCallbacks ?? []);
        return new RunSetup(spec, problem, parts, options, callbacks);
    }

    /// <summary>Reads <see cref="RunSpec.Groups"/> (numbering unnamed groups across all of them).</summary>
    /// <exception cref="ConfigurationException">A group is malformed.</exception>
    public static ParameterGroups ParseGroups(IReadOnlyList<string>? groups) => ParameterGroups.Parse(string.Join(";", groups ?? []));

    /// <summary>The settings parameter groups override: a wrapper's inner optimizer's.</summary>
    private static OptimizerSettings GroupSettings(Optimizer optimizer) => optimizer is Lookahead l ? GroupSettings(l.Inner) : optimizer.Settings;

    /// <summary>A seed for one purpose derived from the run's seed (so streams never overlap).</summary>
    public static ulong Derive(ulong seed, string purpose) => Rng.Stream(seed, purpose).NextUInt64();

    private static ISampler CreateSampler(RunSpec spec, int count)
    {
        ulong seed = Derive(spec.Seed, "data-order");
        return spec.Sampler switch
        {
            "full" => new FullBatchSampler(count),
            "online" => new OnlineSampler(count, seed),
            "uniform" => new UniformSampler(count, spec.BatchSize!.Value, seed),
            _ => new ShuffledSampler(count, spec.BatchSize!.Value, seed),
        };
    }

    private static DataSplits Limit(DataSplits data, RunSpec spec)
    {
        static Dataset First(Dataset d, int? n) =>
            n is int k && k < d.Count ? d.Subset(Enumerable.Range(0, k).ToArray(), d.Name) : d;
        return data with
        {
            Train = First(data.Train, spec.LimitTrain),
            Validation = First(data.Validation, spec.LimitEval),
            Test = First(data.Test, spec.LimitEval),
        };
    }

    private static void Positive(int value, string option, bool allowZero = false)
    {
        if (value < (allowZero ? 0 : 1))
            throw new ConfigurationException($"{option} must be {(allowZero ? "≥ 0" : "at least 1")}, got {value}.");
    }
}

using Descent.Data;
using Descent.Nn;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// A run built from a <see cref="ResolvedRun"/>: the problem, its data, the model seeded from the spec's seed,
/// the objective, the optimizer with its schedule, the sampler, the trainer's options and the callbacks.
/// Building twice from the same resolved run gives identical objects (problems draw their initialization and
/// dropout streams from <c>Rng.Stream(seed, …)</c>, never from a default stream), which is what makes a resumed
/// run continue exactly, in this process or another.
/// </summary>
public sealed class RunSetup
{
    private RunSetup(ResolvedRun run, TrainingParts parts, TrainerOptions options, List<ITrainingCallback> callbacks)
    {
        Run = run;
        Parts = parts;
        Options = options;
        Callbacks = callbacks;
    }

    /// <summary>The resolved run this was built from.</summary>
    public ResolvedRun Run { get; }

    /// <summary>The completed spec.</summary>
    public RunSpec Spec => Run.Spec;

    /// <summary>The problem.</summary>
    public Problem Problem => Run.Problem;

    /// <summary>Model, objective, optimizer, sampler and data.</summary>
    public TrainingParts Parts { get; }

    /// <summary>The trainer's options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The callbacks the spec asks for (reduce-on-plateau feed, early stopping, best weights, Polyak
    /// evaluation, gradient-norm log, curvature monitor), followed by the caller's.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; }

    /// <summary>A trainer over these parts.</summary>
    public Trainer CreateTrainer() => new(Parts, Options, Callbacks);

    internal static RunSetup Build(ResolvedRun run, string? runDirectory, IEnumerable<ITrainingCallback>? extraCallbacks, Distributed.Communicator? communicator)
    {
        var spec = run.Spec;
        var problem = run.Problem;
        var data = Recipe.RecipeData.Normalize(Limit(problem.LoadData(new ProblemContext(spec.DataDir, ValidationFraction: spec.ValidationFraction)), spec), spec.Recipe);
        RequireValidation(spec, data);
        var model = problem.BuildModel(spec.Seed);
        Recipe.RecipeInit.Apply(model, spec.Recipe, problem, data, spec.Seed);
        var penalties = problem.Penalties.ToList();
        if (run.L2On is not null) penalties.Add(Penalty.L2(spec.L2, run.L2On));
        var objective = new Objective(model, problem.Loss, [.. penalties]);
        var optimizer = OptimizerFactory.Create(spec.Optimizer, spec.Settings);
        if (spec.Schedule is not null) optimizer.Schedule = Schedule.Parse(spec.Schedule);
        optimizer.Init(model.Flatten(), run.Groups);
        var sampler = Recipe.RecipeData.Sampler(spec, data.Train) ?? CreateSampler(spec, data.Train.Count);
        var parts = new TrainingParts(model, objective, optimizer, sampler, data, problem.IsClassification);
        var options = new TrainerOptions
        {
            Epochs = run.Epochs,
            RunDirectory = runDirectory,
            CheckpointEvery = spec.CheckpointEvery,
            KeepEpochCheckpoints = spec.KeepEpochCheckpoints,
            MaxSteps = spec.MaxSteps,
            EvalBatchSize = spec.EvalBatchSize,
            Monitor = run.Monitor,
            Spec = spec,
            Communicator = communicator,
            SyncBatchNorm = spec.SyncBatchNorm,
        };
        var callbacks = new List<ITrainingCallback>();
        if (PlateauFeed.Needed(optimizer.Schedule)) callbacks.Add(new PlateauFeed(PlateauFeed.For(optimizer.Schedule)));
        if (spec.EarlyStopping is int patience) callbacks.Add(new EarlyStopping(patience, run.Monitor));
        if (spec.RestoreBest) callbacks.Add(new BestWeights(run.Monitor));
        if (optimizer.Average is not null) callbacks.Add(new PolyakEvaluation());
        if (spec.LogEvery > 0) callbacks.Add(new GradientNormLog(spec.LogEvery));
        if (spec.CurvatureEvery > 0) callbacks.Add(new CurvatureMonitor(spec.CurvatureEvery));
        if (Recipe.RecipeSetup.Augmentation(spec) is { } augmentation) callbacks.Add(augmentation);
        callbacks.AddRange(extraCallbacks ?? []);
        return new RunSetup(run, parts, options, callbacks);
    }

    /// <summary>Early stopping, best-weight restoring and reduce-on-plateau act on the validation metric: refuses them
    /// when the run has no validation set (e.g. <c>--val-fraction 0</c>) instead of letting them act on a missing value.</summary>
    /// <exception cref="ConfigurationException">One of them without a validation set.</exception>
    private static void RequireValidation(RunSpec spec, DataSplits data)
    {
        if (data.Validation.Count > 0) return;
        string? what = spec.EarlyStopping is not null ? "--early-stopping" : spec.RestoreBest ? "--restore-best"
            : spec.Schedule is { } s && s.Contains("plateau", StringComparison.OrdinalIgnoreCase) ? "the plateau schedule" : null;
        if (what is not null)
            throw new ConfigurationException($"{what} watches the validation {spec.Monitor.Replace("val_", "")}, but this run has no validation set " +
                $"(--val-fraction {spec.ValidationFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}); give --val-fraction > 0 (e.g. 0.1), or leave {what} out.");
    }

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
}

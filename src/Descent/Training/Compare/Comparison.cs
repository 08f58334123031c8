using System.Globalization;
using Descent.Optim;

namespace Descent.Training.Compare;

/// <summary>
/// Runs a <see cref="CompareSpec"/>: for each optimizer, the learning-rate search (one run per rate, scored by
/// the best validation accuracy over the epochs, or the lowest validation loss for regression; runs that halt
/// on non-finite values score nothing), then the seeds at the chosen rate. Each run is an ordinary training
/// run (<see cref="TrainingRun.Execute"/>) in <c>runs/OPTIMIZER/lr-RATE-seed-SEED</c> under the comparison's
/// directory, with its <c>metrics.csv</c>, <c>summary.json</c> and <c>log.txt</c>; checkpoints are removed when
/// a run ends (and the model too unless <see cref="CompareSpec.KeepModels"/>). With <c>resume</c>, runs that
/// already finished are read back instead of run again.
/// </summary>
public static class Comparison
{
    /// <summary>The folder of the runs inside a comparison's directory.</summary>
    public const string RunsFolder = "runs";

    /// <summary>The log file of each run.</summary>
    public const string LogFileName = "log.txt";

    /// <summary>Checks <paramref name="spec"/> without running anything: names, settings, grid, budget.</summary>
    /// <exception cref="ConfigurationException">An invalid spec.</exception>
    public static CompareSpec Resolve(CompareSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Optimizers.Count == 0) throw new ConfigurationException("--optimizers names no optimizer; give at least one, e.g. --optimizers sgd,adam.");
        var names = spec.Optimizers.Select(o => OptimizerFactory.Describe(o).Name).ToList();
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ConfigurationException($"--optimizers names {dup.Key} twice; name each optimizer once.");
        if (spec.Seeds < 1) throw new ConfigurationException($"--seeds must be at least 1, got {spec.Seeds}.");
        if (spec.TuneEpochs is int te && te < 1) throw new ConfigurationException($"--tune-epochs must be at least 1, got {te}.");
        var problem = Recipe.RecipeSetup.Problem(spec.Template);
        string monitor = spec.Monitor ?? (problem.IsClassification ? "val_accuracy" : "val_loss");
        var template = (spec.Template with { Optimizer = names[0], Settings = new Dictionary<string, string>(), Monitor = monitor }).Resolve().Spec;
        var settings = CompareSettings.Split(spec.Settings, names);
        bool searches = names.Any(n => !settings[n].ContainsKey("lr") && spec.Grid.RatesFor(n).Count > 0);
        if (searches && template.ValidationFraction == 0)
            throw new ConfigurationException("The learning-rate search scores runs on the validation split, but --val-fraction is 0; give --val-fraction > 0 (e.g. 0.1) or --tune none.");
        foreach (var n in names)
            foreach (double lr in Rates(spec, n, settings[n]))
                (template with { Optimizer = n, Settings = WithRate(settings[n], lr) }).Resolve();
        return spec with { Template = template, Optimizers = names, Monitor = template.Monitor };
    }

    /// <summary>Runs the comparison into <paramref name="directory"/> and returns its results.</summary>
    /// <param name="spec">What to compare.</param>
    /// <param name="directory">The comparison's directory.</param>
    /// <param name="observer">Told about progress, or null.</param>
    /// <param name="resume">Read back runs that already finished instead of running them again.</param>
    /// <param name="cancellation">Stops after the current step of the current run.</param>
    /// <exception cref="ConfigurationException">An invalid spec.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (finished runs stay on disk for <paramref name="resume"/>).</exception>
    public static ComparisonResult Run(CompareSpec spec, string directory, IComparisonObserver? observer = null, bool resume = false,
        CancellationToken cancellation = default)
    {
        spec = Resolve(spec);
        observer ??= new NullObserver();
        var settings = CompareSettings.Split(spec.Settings, spec.Optimizers);
        int epochs = spec.Template.Epochs!.Value, tuneEpochs = spec.TuneEpochs ?? epochs;
        bool reuse = tuneEpochs == epochs;
        int runs = 0, totalEpochs = 0;
        foreach (var o in spec.Optimizers)
        {
            int grid = SearchRates(spec, o, settings[o]).Count;
            int seeds = grid > 0 && reuse ? spec.Seeds - 1 : spec.Seeds;
            runs += grid + seeds;
            totalEpochs += grid * tuneEpochs + seeds * epochs;
        }
        observer.Planned(runs, totalEpochs);
        Directory.CreateDirectory(directory);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int index = 0;
        var outcomes = new List<OptimizerOutcome>();
        foreach (var opt in spec.Optimizers)
        {
            var own = settings[opt];
            var trials = new List<TrialOutcome>();
            var records = new Dictionary<(double, ulong), RunRecord>();
            foreach (double lr in SearchRates(spec, opt, own))
            {
                var run = Plan(spec, directory, opt, own, lr, spec.Template.Seed, search: true, tuneEpochs);
                var record = Execute(run, observer, ++index, resume, spec.KeepModels, cancellation);
                trials.Add(new TrialOutcome(lr, Score(record, spec), record.Status, run.Directory));
                if (reuse) records[(lr, run.Seed)] = record;
            }
            double? chosen = trials.Count == 0 ? FixedRate(opt, own) : Choose(trials, spec);
            if (trials.Count > 0) observer.RateChosen(opt, chosen);
            var seeds = new List<RunRecord>();
            if (chosen is double rate)
                for (int k = 0; k < spec.Seeds; k++)
                {
                    ulong seed = spec.Template.Seed + (ulong)k;
                    if (records.TryGetValue((rate, seed), out var done)) { seeds.Add(done); continue; }
                    var run = Plan(spec, directory, opt, own, rate, seed, search: false, epochs);
                    seeds.Add(Execute(run, observer, ++index, resume, spec.KeepModels, cancellation));
                }
            outcomes.Add(OptimizerOutcome.From(opt, own, chosen, trials.Count > 0, trials, seeds, spec));
        }
        return ComparisonResult.From(spec, outcomes, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The rates searched for <paramref name="optimizer"/>: none when its <c>lr</c> is given.</summary>
    private static IReadOnlyList<double> SearchRates(CompareSpec spec, string optimizer, IReadOnlyDictionary<string, string> own) =>
        own.ContainsKey("lr") ? [] : spec.Grid.RatesFor(optimizer);

    private static IEnumerable<double> Rates(CompareSpec spec, string optimizer, IReadOnlyDictionary<string, string> own)
    {
        var search = SearchRates(spec, optimizer, own);
        return search.Count > 0 ? search : FixedRate(optimizer, own) is double r ? [r] : [];
    }

    /// <summary>The rate without a search: the given one, else the default (null for an optimizer without a rate).</summary>
    private static double? FixedRate(string optimizer, IReadOnlyDictionary<string, string> own)
    {
        if (own.TryGetValue("lr", out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        var key = OptimizerFactory.Describe(optimizer).Keys.FirstOrDefault(k => k.Key == "lr");
        return key is null ? null : double.Parse(key.Default, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, string> WithRate(IReadOnlyDictionary<string, string> own, double lr)
    {
        var d = own.ToDictionary(kv => kv.Key, kv => kv.Value);
        d["lr"] = lr.ToString("R", CultureInfo.InvariantCulture);
        return d;
    }

    private static ComparisonRun Plan(CompareSpec spec, string directory, string optimizer, IReadOnlyDictionary<string, string> own,
        double lr, ulong seed, bool search, int epochs)
    {
        string name = (search && spec.TuneEpochs is not null ? "search-" : "") + $"lr-{LearningRateGrid.Format(lr)}-seed-{seed}";
        string dir = Path.Combine(directory, RunsFolder, optimizer, name);
        var runSpec = spec.Template with { Optimizer = optimizer, Settings = WithRate(own, lr), Seed = seed, Epochs = epochs };
        return new ComparisonRun(optimizer, lr, seed, search, dir, runSpec);
    }

    /// <summary>The search score: the monitored validation metric's best value (NaN when the run found none).</summary>
    public static double Score(RunRecord record, CompareSpec spec)
    {
        var monitor = ValidationMetric.Parse(spec.Template.Monitor);
        double best = double.NaN;
        foreach (var m in record.History)
            if (monitor.IsBetter(monitor.Read(m), double.IsNaN(best) ? null : best)) best = monitor.Read(m);
        return best;
    }

    private static double? Choose(IReadOnlyList<TrialOutcome> trials, CompareSpec spec)
    {
        var monitor = ValidationMetric.Parse(spec.Template.Monitor);
        TrialOutcome? best = null;
        foreach (var t in trials.Where(t => t.Status != "halted"))
            if (monitor.IsBetter(t.Score, best is null || double.IsNaN(best.Score) ? null : best.Score)) best = t;
        return best is null || double.IsNaN(best.Score) ? null : best.LearningRate;
    }

    private static RunRecord Execute(ComparisonRun run, IComparisonObserver observer, int index, bool resume, bool keepModels, CancellationToken cancellation)
    {
        if (resume && RunRecord.Exists(run.Directory))
        {
            var previous = RunRecord.Load(run.Directory);
            if (previous.Finished)
            {
                observer.RunFinished(run, previous, index);
                return previous;
            }
        }
        Directory.CreateDirectory(run.Directory);
        observer.RunStarting(run, index);
        var log = new StringWriter { NewLine = "\n" };
        var io = new RunIo(run.Directory, Resume: false, Overwrite: true, log, Callbacks: observer.CallbacksFor(run));
        try
        {
            var result = TrainingRun.Execute(run.Spec, io, cancellation);
            if (result.Status is TrainingStatus.Interrupted) throw new OperationCanceledException($"The comparison was interrupted during {run.Label}.");
        }
        catch (NonFiniteException e)
        {
            log.WriteLine($"halted: {e.Message}");
        }
        finally
        {
            File.WriteAllText(Path.Combine(run.Directory, LogFileName), log.ToString());
            Clean(run.Directory, keepModels);
        }
        var record = RunRecord.Load(run.Directory);
        observer.RunFinished(run, record, index);
        return record;
    }

    private static void Clean(string dir, bool keepModels)
    {
        foreach (var f in Directory.GetFiles(dir, "checkpoint*.safetensors")) File.Delete(f);
        if (!keepModels) File.Delete(Path.Combine(dir, Trainer.ModelFileName));
    }

    private sealed class NullObserver : IComparisonObserver;
}

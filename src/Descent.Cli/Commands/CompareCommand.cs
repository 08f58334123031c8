using System.CommandLine;
using Descent.Cli.Experiments;
using Descent.Cli.Figures;
using Descent.Cli.Reports;
using Descent.Cli.Terminal;
using Descent.Tensors.Kernels;
using Descent.Training;
using Descent.Training.Compare;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent compare [--problem P] [--optimizers O1,O2,...] [--tune GRID] [--seeds N] [--epochs E] [--out DIR]</c>:
/// trains the same problem with each optimizer — a learning-rate search scored on validation, then N seeds at the
/// chosen rate — and writes a results table (<c>results.csv</c>, <c>results.json</c>), figures, every run, and
/// <c>report.html</c>. With no options it compares the course's eight optimizers on <c>fmnist_mlp</c> in a few minutes.
/// </summary>
public static class CompareCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var problem = new Option<string>("--problem") { Description = "benchmark problem (listed below)", DefaultValueFactory = _ => CompareSpec.DefaultProblem };
        var optimizers = new Option<string>("--optimizers")
        {
            Description = "optimizers to compare, comma-separated (listed below)",
            DefaultValueFactory = _ => string.Join(",", CompareSpec.DefaultOptimizers),
        };
        var set = new Option<string[]>("--set") { Description = "setting key=value for every optimizer that has the key, or OPTIMIZER:key=value; repeatable. A given lr is not searched", AllowMultipleArgumentsPerToken = false };
        var tune = new Option<string>("--tune") { Description = $"learning-rate search: {LearningRateGrid.Syntax}", Arity = ArgumentArity.ZeroOrOne };
        var tuneEpochs = new Option<int?>("--tune-epochs") { Description = "epochs of each search run (default: --epochs, and the search run at the chosen rate is the first seed)" };
        var seeds = new Option<int>("--seeds") { Description = "seeds at the chosen rate", DefaultValueFactory = _ => CompareSpec.DefaultSeeds };
        var seed = new Option<ulong>("--seed") { Description = "the first seed (then seed+1, …)", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { Description = "epochs of every run", DefaultValueFactory = _ => CompareSpec.DefaultEpochs };
        var batch = new Option<int?>("--batch-size") { Description = "mini-batch size (default: the problem's)" };
        var limitTrain = new Option<int>("--limit-train") { Description = "train on the first N training examples (0: all)", DefaultValueFactory = _ => CompareSpec.DefaultLimitTrain };
        var limitEval = new Option<int>("--limit-eval") { Description = "evaluate on the first N validation and N test examples (0: all)", DefaultValueFactory = _ => CompareSpec.DefaultLimitEval };
        var valFraction = new Option<double>("--val-fraction") { Description = "share of the Fashion-MNIST training images held out for validation", DefaultValueFactory = _ => 0.1 };
        var schedule = new Option<string>("--schedule") { Description = "learning-rate schedule for every run, e.g. cosine:T=200 (syntax below)" };
        var sampler = new Option<string>("--sampler") { Description = "shuffle (default), uniform, full or online" };
        var dataDir = new Option<string>("--data-dir") { Description = "Fashion-MNIST directory (else $DESCENT_DATA, /usr/share/datasets/fashion-mnist, then the bundled sample)" };
        var l2 = new Option<double>("--l2") { Description = "add λ‖w‖² over the weights to every run's objective", DefaultValueFactory = _ => 0 };
        var monitor = new Option<string>("--monitor") { Description = "validation metric that scores the search: val_accuracy (default for classifiers) or val_loss" };
        var target = new Option<string>("--target") { Description = "report steps and time to reach METRIC=VALUE, e.g. test_accuracy=0.8 (default for classifiers), or none" };
        var keepModels = new Option<bool>("--keep-models") { Description = "keep every run's model.safetensors (removed by default to save space)" };
        var output = new Option<string>("--out") { Description = "comparison directory (default: runs/compare-PROBLEM, numbered if it exists)" };
        var resume = new Option<bool>("--resume") { Description = "continue the comparison in --out: finished runs are kept, the rest run" };
        var overwrite = new Option<bool>("--overwrite") { Description = "start over in an --out that already holds a comparison" };
        var threads = new Option<int?>("--threads") { Description = "threads for the numeric kernels (default: all cores)" };
        var config = ExperimentArgs.Option();
        var cmd = new Command("compare", "Compare optimizers on a problem: a learning-rate search on validation, seeds at the chosen rate, a results table, figures and a report.");
        foreach (var o in new Option[] { problem, optimizers, set, tune, tuneEpochs, seeds, seed, epochs, batch, limitTrain, limitEval, valFraction, schedule,
            sampler, dataDir, l2, monitor, target, keepModels, output, resume, overwrite, threads, config })
            cmd.Options.Add(o);
        var recipe = new RecipeOptions().AddTo(cmd);
        var outputOptions = new OutputOptions().AddTo(cmd);

        cmd.SetAction(pr =>
        {
            var mode = outputOptions.Mode(pr);
            using var threadLimit = TrainCommand.ThreadOption(pr.GetValue(threads));
            int lt = pr.GetValue(limitTrain), le = pr.GetValue(limitEval);
            if (lt < 0 || le < 0) throw new ConfigurationException("--limit-train and --limit-eval must be ≥ 0 (0: all).");
            string? tuneText = pr.GetResult(tune) is { Implicit: false } ? pr.GetValue(tune) ?? "auto" : null;
            string? targetText = pr.GetValue(target);
            var template = new RunSpec
            {
                Problem = recipe.HasData(pr) ? "csv" : pr.GetValue(problem)!,
                Optimizer = "sgd",
                Recipe = recipe.Read(pr),
                Epochs = pr.GetValue(epochs),
                BatchSize = pr.GetValue(batch),
                Seed = pr.GetValue(seed),
                DataDir = pr.GetValue(dataDir),
                Sampler = pr.GetValue(sampler),
                LimitTrain = lt == 0 ? null : lt,
                LimitEval = le == 0 ? null : le,
                ValidationFraction = pr.GetValue(valFraction),
                Schedule = pr.GetValue(schedule),
                L2 = pr.GetValue(l2),
            };
            var spec = new CompareSpec
            {
                Template = template,
                Optimizers = pr.GetValue(optimizers)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Settings = pr.GetValue(set) ?? [],
                Grid = tuneText is null ? LearningRateGrid.Default : LearningRateGrid.Parse(tuneText),
                Seeds = pr.GetValue(seeds),
                TuneEpochs = pr.GetValue(tuneEpochs),
                Monitor = pr.GetValue(monitor),
                KeepModels = pr.GetValue(keepModels),
            };
            spec = Comparison.Resolve(spec);
            bool classification = spec.Monitor == "val_accuracy" || Training.Recipe.RecipeSetup.Problem(spec.Template).IsClassification;
            spec = spec with
            {
                Target = targetText is null ? (classification ? CompareSpec.DefaultTarget : null)
                    : targetText.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Target.Parse(targetText),
            };
            string dir = pr.GetValue(output) ?? DefaultDirectory(spec.Template.Problem);
            var experiment = CompareExperiment.From(spec, dir);
            Prepare(dir, experiment.Text(), pr.GetValue(resume), pr.GetValue(overwrite));
            experiment.Save(dir);
            var result = Execute(spec, dir, mode, context, pr.GetValue(resume));
            ResultFiles.Write(dir, result);
            CompareFigures.Write(dir, result);
            string report = CompareReport.Write(dir, result);
            Print(result, dir, report, mode, context);
            return CliErrors.Ok;
        });
        return cmd;
    }

    /// <summary>runs/compare-PROBLEM, or the first of runs/compare-PROBLEM-2, -3, … that does not exist.</summary>
    public static string DefaultDirectory(string problem)
    {
        string baseName = Path.Combine("runs", "compare-" + problem);
        if (!Directory.Exists(baseName)) return baseName;
        for (int i = 2; ; i++)
            if (!Directory.Exists($"{baseName}-{i}")) return $"{baseName}-{i}";
    }

    /// <summary>Refuses to mix two comparisons in one directory: an existing one is resumed (if it is the same
    /// experiment) or removed (its runs and result files only) with <c>--overwrite</c>.</summary>
    private static void Prepare(string dir, string experiment, bool resume, bool overwrite)
    {
        if (resume && overwrite) throw new ConfigurationException("--resume and --overwrite contradict each other; give one of them.");
        string saved = Path.Combine(dir, ExperimentWriter.FileName), runs = Path.Combine(dir, Comparison.RunsFolder);
        bool exists = File.Exists(saved) || Directory.Exists(runs) || File.Exists(Path.Combine(dir, ResultFiles.JsonFileName));
        if (resume)
        {
            if (!File.Exists(saved)) throw new ConfigurationException($"--resume: {dir} holds no comparison ({ExperimentWriter.FileName}); start it without --resume.");
            if (File.ReadAllText(saved) != experiment)
                throw new ConfigurationException($"--resume: the comparison in {dir} was started with other options (see its {ExperimentWriter.FileName}); resume with --config {saved}, or choose another --out.");
            return;
        }
        if (!exists) return;
        if (!overwrite)
            throw new ConfigurationException($"{dir} already holds a comparison; add --resume to continue it, --overwrite to start over, or choose another --out.");
        if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
        foreach (var f in new[] { ResultFiles.CsvFileName, ResultFiles.JsonFileName, CompareReport.FileName, ExperimentWriter.FileName }.Concat(CompareFigures.FileNames))
            File.Delete(Path.Combine(dir, f));
    }

    private static ComparisonResult Execute(CompareSpec spec, string dir, OutputMode mode, CommandContext context, bool resume)
    {
        var progress = new CompareProgress(context.Output, mode);
        var t = spec.Template;
        if (mode == OutputMode.Normal)
        {
            context.Output.WriteLine($"compare: {string.Join(", ", spec.Optimizers)} on {t.Problem} -> {dir}");
            context.Output.WriteLine($"budget: {t.Epochs} epochs{(t.LimitTrain is int n ? $" on {n} training examples" : "")}, learning-rate search {spec.Grid.Text} on {spec.Monitor}, {spec.Seeds} seed{(spec.Seeds == 1 ? "" : "s")} at the chosen rate");
            context.Output.Flush();
        }
        try
        {
            if (mode == OutputMode.Normal && context.Interactive)
            {
                var console = Consoles.For(context);
                return console.Progress()
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        progress.Bar = ctx.AddTask("starting", maxValue: 1);
                        progress.Console = console;
                        return Signals.Run(token => Comparison.Run(spec, dir, progress, resume, token), context.Cancellation);
                    });
            }
            return Signals.Run(token => Comparison.Run(spec, dir, progress, resume, token), context.Cancellation);
        }
        catch (OperationCanceledException e)
        {
            throw new InterruptedException($"{e.Message} Finished runs are kept; continue with: descent compare --config {Path.Combine(dir, ExperimentWriter.FileName)} --resume");
        }
    }

    private static void Print(ComparisonResult result, string dir, string report, OutputMode mode, CommandContext context)
    {
        var o = context.Output;
        switch (mode)
        {
            case OutputMode.Json:
                o.Write(File.ReadAllText(Path.Combine(dir, ResultFiles.JsonFileName)));
                break;
            case OutputMode.Quiet:
                o.WriteLine(ResultsTable.BestLine(result));
                break;
            default:
                var console = Consoles.For(context);
                console.Write(Consoles.Table(ResultsTable.Headers(result), ResultsTable.Rows(result), ResultsTable.BestRow(result)));
                o.WriteLine(ResultsTable.BestLine(result));
                if (result.IsSample) o.WriteLine("note: trained on the bundled Fashion-MNIST sample; results on the full set differ.");
                o.WriteLine($"wrote {Path.Combine(dir, ResultFiles.CsvFileName)}, {ResultFiles.JsonFileName}, {string.Join(", ", CompareFigures.FileNames)}, {CompareReport.FileName} and runs/ ({result.Seconds:F0} s)");
                o.WriteLine($"report: {report}");
                break;
        }
        o.Flush();
    }
}

using System.CommandLine;
using Descent.Cli.Experiments;
using Descent.Cli.Terminal;
using Descent.Tensors.Kernels;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent train --problem P --optimizer O [--set k=v]... [--schedule S] [--epochs E] [--batch-size B]
/// [--seed S] [--data-dir D] --out DIR [--resume]</c>, parameter groups (<c>--group</c>, <c>--show-groups</c>),
/// the penalty (<c>--l2</c>, <c>--l2-on</c>) and the loop's options: trains a benchmark problem
/// and writes the run directory (<c>metrics.csv</c>, <c>summary.json</c>, checkpoints, <c>model.safetensors</c>).
/// Ctrl-C finishes the current step, saves a checkpoint and prints how to resume.
/// </summary>
public static class TrainCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var problem = new Option<string>("--problem") { Description = "benchmark problem (listed below); or give --data csv:PATH" };
        var optimizer = new Option<string>("--optimizer") { Description = "optimizer name (listed below)", Required = true };
        var set = new Option<string[]>("--set") { Description = "optimizer setting key=value, repeatable (keys listed below)", AllowMultipleArgumentsPerToken = false };
        var schedule = new Option<string>("--schedule") { Description = "learning-rate schedule, e.g. cosine:T=4000 or plateau:patience=2 (syntax below)" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs (default: the problem's)" };
        var batch = new Option<int?>("--batch-size") { Description = "mini-batch size (default: the problem's)" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initialization, data order and dropout", DefaultValueFactory = _ => 0 };
        var dataDir = new Option<string>("--data-dir") { Description = "Fashion-MNIST directory (else $DESCENT_DATA, /usr/share/datasets/fashion-mnist, then the bundled sample)" };
        var output = new Option<string>("--out") { Description = "run directory for metrics.csv, summary.json and checkpoints", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue the run in --out from its last checkpoint (same options)" };
        var resumeFrom = new Option<string>("--resume-from") { Description = "continue the run in --out from this checkpoint file, e.g. DIR/checkpoint-prev.safetensors when the latest is damaged" };
        var overwrite = new Option<bool>("--overwrite") { Description = "start over in an --out that already holds a run" };
        var sampler = new Option<string>("--sampler") { Description = "shuffle (default), uniform (with replacement), full (full batch) or online (batch 1)" };
        var limitTrain = new Option<int?>("--limit-train") { Description = "train on the first N training examples only (quick runs)" };
        var valFraction = new Option<double>("--val-fraction") { Description = "share of the Fashion-MNIST training images held out for validation (0: train on all 60,000)", DefaultValueFactory = _ => 0.1 };
        var limitEval = new Option<int?>("--limit-eval") { Description = "evaluate on the first N validation and N test examples only" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "pause with a checkpoint after N steps in total (resume later with --resume)" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "also checkpoint every N steps (default: at the end of each epoch only)" };
        var keepEpochs = new Option<bool>("--keep-epoch-checkpoints") { Description = "keep every epoch's checkpoint as checkpoint-epochN.safetensors" };
        var earlyStopping = new Option<int?>("--early-stopping") { Description = "stop when the monitored metric has not improved for PATIENCE epochs" };
        var monitor = new Option<string>("--monitor") { Description = "val_loss (default) or val_accuracy: the metric for early stopping, --restore-best and the best epoch", DefaultValueFactory = _ => "val_loss" };
        var restoreBest = new Option<bool>("--restore-best") { Description = "end with the weights of the best epoch (by --monitor)" };
        var average = new Option<string>("--average") { Description = "evaluate the averaged iterates: polyak (arithmetic mean) or ema[:decay], e.g. ema:0.999" };
        var clipNorm = new Option<string>("--clip-norm") { Description = "clip the gradient to this global L2 norm (same as --set clip_norm=C)" };
        var weightDecay = new Option<string>("--weight-decay") { Description = "the optimizer's weight decay (same as --set weight_decay=W)" };
        var l2 = new Option<double>("--l2") { Description = "add the penalty λ‖θ‖² to the objective, over the parameters --l2-on chooses (default: the weights)", DefaultValueFactory = _ => 0 };
        var l2On = new Option<string>("--l2-on") { Description = $"parameter selector of the --l2 penalty (default: {RunSpec.DefaultL2On}), e.g. all or kind:weight/bias (syntax below)" };
        var group = new Option<string[]>("--group")
        {
            Description = "parameter group NAME@SELECTOR:key=value[,key=value...] with its own optimizer settings, repeatable; e.g. nodecay@kind:bias/norm_scale:weight_decay=0 (syntax below)",
            AllowMultipleArgumentsPerToken = false,
        };
        var showGroups = new Option<bool>("--show-groups") { Description = "print every parameter with its group, lr and weight_decay at the start (automatic with --group)" };
        var threads = new Option<int?>("--threads") { Description = "threads for the numeric kernels (default: all cores)" };
        var logEvery = new Option<int>("--log-every") { Description = "write step, loss and gradient norm to steps.csv every N steps" };
        var curvatureEvery = new Option<int>("--curvature-every") { Description = "every N steps, write gᵀg, gᵀHg, the predicted and observed loss change of a gradient step and the sharpness against 2/lr to curvature.csv" };
        var evalBatch = new Option<int>("--eval-batch-size") { Description = "examples per evaluation batch", DefaultValueFactory = _ => 1000 };
        var mpi = DistributedTrain.MpiOption();
        var syncBatchNorm = DistributedTrain.SyncBatchNormOption();
        var mpiTimeout = DistributedTrain.TimeoutOption();
        var restarts = new Option<int>("--restarts") { Description = "train from N seeds (--seed, --seed+1, …) into --out/seed-S and keep the best by --monitor", DefaultValueFactory = _ => 1 };
        var config = ExperimentArgs.Option();

        var cmd = new Command("train", "Train a benchmark problem and write a run directory (metrics.csv, summary.json, checkpoints).");
        foreach (var o in new Option[] { problem, optimizer, set, schedule, epochs, batch, seed, dataDir, output, resume, resumeFrom, overwrite, sampler,
            limitTrain, valFraction, limitEval, maxSteps, checkpointEvery, keepEpochs, earlyStopping, monitor, restoreBest, average, clipNorm, weightDecay,
            l2, l2On, group, showGroups, threads, logEvery, curvatureEvery, evalBatch, mpi, syncBatchNorm, mpiTimeout, restarts, config })
            cmd.Options.Add(o);
        var recipe = new RecipeOptions().AddTo(cmd);
        var outputOptions = new OutputOptions().AddTo(cmd);

        cmd.SetAction(pr =>
        {
            var mode = outputOptions.Mode(pr);
            var settings = SettingsParser.Parse(pr.GetValue(set));
            if (pr.GetValue(average) is { } avg) SettingsParser.AddAverage(settings, avg);
            if (pr.GetValue(clipNorm) is { } clip) SettingsParser.Add(settings, "clip_norm", clip, "--clip-norm");
            if (pr.GetValue(weightDecay) is { } wd) SettingsParser.Add(settings, "weight_decay", wd, "--weight-decay");
            using var threadLimit = ThreadOption(pr.GetValue(threads));
            var spec = new RunSpec
            {
                Problem = recipe.Problem(pr, pr.GetValue(problem)),
                Optimizer = pr.GetValue(optimizer)!,
                Settings = settings,
                Schedule = pr.GetValue(schedule),
                Epochs = pr.GetValue(epochs),
                BatchSize = pr.GetValue(batch),
                Seed = pr.GetValue(seed),
                DataDir = pr.GetValue(dataDir),
                Sampler = pr.GetValue(sampler),
                LimitTrain = pr.GetValue(limitTrain),
                LimitEval = pr.GetValue(limitEval),
                ValidationFraction = pr.GetValue(valFraction),
                MaxSteps = pr.GetValue(maxSteps),
                CheckpointEvery = pr.GetValue(checkpointEvery),
                KeepEpochCheckpoints = pr.GetValue(keepEpochs),
                EarlyStopping = pr.GetValue(earlyStopping),
                Monitor = pr.GetValue(monitor)!,
                RestoreBest = pr.GetValue(restoreBest),
                L2 = pr.GetValue(l2),
                L2On = pr.GetValue(l2On),
                Groups = pr.GetValue(group) ?? [],
                LogEvery = pr.GetValue(logEvery),
                CurvatureEvery = pr.GetValue(curvatureEvery),
                EvalBatchSize = pr.GetValue(evalBatch),
                SyncBatchNorm = pr.GetValue(syncBatchNorm),
                Recipe = recipe.Read(pr),
            };
            int n = pr.GetValue(restarts);
            if (n < 1) throw new ConfigurationException($"--restarts must be at least 1, got {n}.");
            return DistributedTrain.Run(pr.GetValue(mpi), pr.GetValue(mpiTimeout), pr.GetValue(threads) is not null, context.Error, comm =>
            {
                var run = new TrainRun(spec, pr.GetValue(output)!, pr.GetValue(resume), pr.GetValue(overwrite), pr.GetValue(showGroups), mode, context,
                    pr.GetValue(resumeFrom), comm);
                return n == 1 ? run.Execute() : run.ExecuteRestarts(n);
            });
        });
        return cmd;
    }

    /// <summary>The kernels' thread limit for the command's duration (<c>--threads</c>), or no limit.</summary>
    internal static KernelThreads.ThreadLimit ThreadOption(int? threads)
    {
        if (threads is not int t) return default;
        if (t < 1) throw new ConfigurationException($"--threads must be at least 1, got {t}.");
        return KernelThreads.Limit(t);
    }

    /// <summary>The command line that resumes this run: the same arguments without <c>--overwrite</c>,
    /// <c>--max-steps</c> and <c>--resume-from</c>, plus <c>--resume</c>.</summary>
    public static string ResumeCommand(string[] args)
    {
        var parts = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--overwrite" || a.StartsWith("--max-steps=", StringComparison.Ordinal) || a.StartsWith("--resume-from=", StringComparison.Ordinal)) continue;
            if (a is "--max-steps" or "--resume-from") { i++; continue; }
            parts.Add(Quote(a));
        }
        if (!args.Contains("--resume")) parts.Add("--resume");
        return "descent " + string.Join(' ', parts);
    }

    private static string Quote(string a) =>
        a.Length > 0 && a.All(ch => char.IsLetterOrDigit(ch) || "-_=.,:/+@%".Contains(ch))
            ? a : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

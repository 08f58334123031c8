using System.CommandLine;
using Descent.Cli.Plots;
using Descent.Cli.Terminal;
using Descent.Optim;
using Descent.Training.Compare;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent optimize --function F [--dim N] --optimizer O[,O2,...] [--set k=v]... --start x0,x1,... --steps N
/// [--gtol G] [--noise S] [--seed S] [--schedule S] [--trace FILE.csv] [--plot FILE.svg] [--animate FILE.svg]</c>: runs
/// one or several optimizers on a test function in float64 from the same start, each until ‖∇f‖₂ ≤ gtol (default
/// 1e-5) or --steps, and prints where each ends as SciPy's <c>OptimizeResult</c> does (message, success, status,
/// fun, nit, nfev, njev, nhev, ‖∇f‖); the plot and the animation show every path over the function's contour lines.
/// </summary>
public static class OptimizeCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var function = new Option<string>("--function") { Description = "test function, e.g. square, rosenbrock, quadratic:kappa=100 (listed below)", Required = true };
        var dim = new Option<int?>("--dim") { Description = "number of variables (default: the length of --start, else the function's own)" };
        var optimizer = new Option<string>("--optimizer") { Description = "optimizer name, or several comma-separated to compare their paths (listed below)", Required = true };
        var set = new Option<string[]>("--set") { Description = "optimizer setting key=value (every optimizer that has the key) or OPTIMIZER:key=value; repeatable (keys listed below)", AllowMultipleArgumentsPerToken = false };
        var start = new Option<string>("--start") { Description = "start point x0,x1,... (default: the function's usual start)" };
        var steps = new Option<int>("--steps") { Description = "the most optimizer steps (iterations) to take", Required = true };
        var gtol = new Option<double>("--gtol") { Description = "stop once the gradient norm ‖∇f(x)‖₂ at an iterate is at most this (0: run all --steps)", DefaultValueFactory = _ => 1e-5 };
        var noise = new Option<double>("--noise") { Description = "standard deviation of Gaussian noise added to each gradient component", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the gradient noise", DefaultValueFactory = _ => 0 };
        var schedule = new Option<string>("--schedule") { Description = "learning-rate schedule, e.g. cosine:T=100 or plateau:patience=20 (fed f(x) after every step; syntax below)" };
        var trace = new Option<string>("--trace") { Description = "write the path as CSV: step,loss,grad_norm,x0,x1,... (row 0 is the start; with several optimizers, one file each: NAME-OPTIMIZER.csv)" };
        var plot = new Option<string>("--plot") { Description = "write an SVG contour plot with every path (2-D functions)" };
        var animate = new Option<string>("--animate") { Description = "write an animated SVG: the paths drawn step by step over the contours (2-D functions)" };
        var cmd = new Command("optimize", "Run optimizers on a test function (float64) and print where they end; plot or animate their paths.");
        foreach (var o in new Option[] { function, dim, optimizer, set, start, steps, gtol, noise, seed, schedule, trace, plot, animate }) cmd.Options.Add(o);
        var outputOptions = new OutputOptions().AddTo(cmd);
        cmd.SetAction(pr =>
        {
            var mode = outputOptions.Mode(pr);
            var names = pr.GetValue(optimizer)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => OptimizerFactory.Describe(n).Name).Distinct().ToList();
            if (names.Count == 0) throw new ConfigurationException("--optimizer names no optimizer; e.g. --optimizer adam or --optimizer sgd,adam.");
            var settings = names.Count == 1 ? new Dictionary<string, IReadOnlyDictionary<string, string>> { [names[0]] = SettingsParser.Parse(pr.GetValue(set)) }
                : CompareSettings.Split(pr.GetValue(set) ?? [], names);
            string? plotPath = pr.GetValue(plot), animatePath = pr.GetValue(animate), tracePath = pr.GetValue(trace);
            var runs = names.Select(n => FunctionRun.Prepare(new FunctionRun.Request(
                pr.GetValue(function)!, pr.GetValue(dim), n, settings[n],
                pr.GetValue(start) is { } s ? SettingsParser.Vector(s, "--start") : null, pr.GetValue(steps),
                pr.GetValue(noise), pr.GetValue(seed), pr.GetValue(schedule), pr.GetValue(gtol)), needsPlot: plotPath is not null || animatePath is not null)).ToList();
            var results = runs.Select(r => r.Execute()).ToList();
            var o = context.Output;
            for (int i = 0; i < runs.Count; i++)
            {
                var result = results[i];
                if (mode == OutputMode.Json) continue;
                string prefix = runs.Count == 1 ? "" : runs[i].Optimizer.Name + ": ";
                o.WriteLine($"{prefix}x = {Numbers.Vector(result.Final)}");
                o.WriteLine($"{prefix}f(x) = {Numbers.Short(result.FinalValue)}");
                if (mode == OutputMode.Normal)
                {
                    string indent = runs.Count == 1 ? "" : "  ";
                    foreach (var line in result.Describe().Split('\n', StringSplitOptions.RemoveEmptyEntries)) o.WriteLine(indent + line);
                }
            }
            if (mode == OutputMode.Json) o.Write(FunctionRun.Json(runs, results));
            var written = new List<string>();
            if (tracePath is not null)
                for (int i = 0; i < runs.Count; i++)
                {
                    string path = runs.Count == 1 ? tracePath : Suffixed(tracePath, runs[i].Optimizer.Name);
                    FunctionRun.WriteTrace(path, results[i]);
                    written.Add(path);
                }
            if (plotPath is not null || animatePath is not null)
            {
                var fn = runs[0].Function;
                var paths = runs.Select((r, i) => (Label(r, runs.Count), results[i].Points)).ToList();
                string title = runs.Count == 1 ? $"{fn.Name}: {runs[0].Optimizer.Name}, {results[0].Steps} steps" : $"{fn.Name}: {runs.Count} optimizers, {pr.GetValue(steps)} steps";
                var contour = runs.Count == 1 ? ContourPlot.ForFunction(fn, results[0].Points, title) : ContourPlot.ForFunction(fn, paths, title);
                if (plotPath is not null) { contour.Save(plotPath); written.Add(plotPath); }
                if (animatePath is not null) { contour.Save(animatePath, animate: true); written.Add(animatePath); }
            }
            if (mode == OutputMode.Normal) foreach (var w in written) o.WriteLine($"wrote {w}");
            // The paths so far are printed and written first, so a divergent run still leaves its trace and plot.
            if (results.FirstOrDefault(r => r.Halt is not null)?.Halt is { } halt) throw halt;
            return CliErrors.Ok;
        });
        return cmd;
    }

    private static string Label(FunctionRun run, int count)
    {
        if (count == 1) return "path";
        string lr = run.Optimizer.ExplicitSettings.TryGetValue("lr", out var v) ? v : run.Optimizer.Settings.All.FirstOrDefault(kv => kv.Key == "lr").Value ?? "";
        return lr.Length > 0 ? $"{run.Optimizer.Name} (lr {lr})" : run.Optimizer.Name;
    }

    /// <summary><c>dir/trace.csv</c> → <c>dir/trace-adam.csv</c>.</summary>
    public static string Suffixed(string path, string suffix) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path) + "-" + suffix + Path.GetExtension(path));
}

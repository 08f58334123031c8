using System.CommandLine;
using Descent.Cli.Plots;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent optimize --function F [--dim N] --optimizer O [--set k=v]... --start x0,x1,... --steps N
/// [--gtol G] [--noise S] [--seed S] [--schedule S] [--trace FILE.csv] [--plot FILE.svg]</c>: runs an optimizer on a
/// test function in float64 until ‖∇f‖₂ ≤ gtol (default 1e-5) or --steps, and prints the final point, its value and
/// what the run did as SciPy's <c>OptimizeResult</c> does (message, success, status, fun, nit, nfev, njev, nhev, ‖∇f‖).
/// </summary>
public static class OptimizeCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var function = new Option<string>("--function") { Description = "test function, e.g. square, rosenbrock, quadratic:kappa=100 (listed below)", Required = true };
        var dim = new Option<int?>("--dim") { Description = "number of variables (default: the length of --start, else the function's own)" };
        var optimizer = new Option<string>("--optimizer") { Description = "optimizer name (listed below)", Required = true };
        var set = new Option<string[]>("--set") { Description = "optimizer setting key=value, repeatable (keys listed below)", AllowMultipleArgumentsPerToken = false };
        var start = new Option<string>("--start") { Description = "start point x0,x1,... (default: the function's usual start)" };
        var steps = new Option<int>("--steps") { Description = "the most optimizer steps (iterations) to take", Required = true };
        var gtol = new Option<double>("--gtol") { Description = "stop once the gradient norm ‖∇f(x)‖₂ at an iterate is at most this (0: run all --steps)", DefaultValueFactory = _ => 1e-5 };
        var noise = new Option<double>("--noise") { Description = "standard deviation of Gaussian noise added to each gradient component", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the gradient noise", DefaultValueFactory = _ => 0 };
        var schedule = new Option<string>("--schedule") { Description = "learning-rate schedule, e.g. cosine:T=100 (syntax below)" };
        var trace = new Option<string>("--trace") { Description = "write the path as CSV: step,loss,grad_norm,x0,x1,... (row 0 is the start)" };
        var plot = new Option<string>("--plot") { Description = "write an SVG contour plot with the path (2-D functions)" };
        var cmd = new Command("optimize", "Run an optimizer on a test function (float64) and print where it ends.");
        foreach (var o in new Option[] { function, dim, optimizer, set, start, steps, gtol, noise, seed, schedule, trace, plot }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            var request = new FunctionRun.Request(
                pr.GetValue(function)!, pr.GetValue(dim), pr.GetValue(optimizer)!, SettingsParser.Parse(pr.GetValue(set)),
                pr.GetValue(start) is { } s ? SettingsParser.Vector(s, "--start") : null, pr.GetValue(steps),
                pr.GetValue(noise), pr.GetValue(seed), pr.GetValue(schedule), pr.GetValue(gtol));
            string? plotPath = pr.GetValue(plot);
            var run = FunctionRun.Prepare(request, needsPlot: plotPath is not null);
            var result = run.Execute();
            var o = context.Output;
            o.WriteLine($"x = {Numbers.Vector(result.Final)}");
            o.WriteLine($"f(x) = {Numbers.Short(result.FinalValue)}");
            o.Write(result.Describe());
            o.WriteLine();
            if (pr.GetValue(trace) is { } tracePath)
            {
                FunctionRun.WriteTrace(tracePath, result);
                o.WriteLine($"wrote {tracePath}");
            }
            if (plotPath is not null)
            {
                ContourPlot.ForFunction(run.Function, result.Points, $"{run.Function.Name}: {run.Optimizer.Name}, {result.Steps} steps").Save(plotPath);
                o.WriteLine($"wrote {plotPath}");
            }
            // The path so far is printed and written first, so a divergent run still leaves its trace and plot.
            if (result.Halt is { } halt) throw halt;
            return CliErrors.Ok;
        });
        return cmd;
    }
}

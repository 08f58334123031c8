using System.CommandLine;
using System.CommandLine.Invocation;
using Descent.Cli.Commands;

namespace Descent.Cli;

/// <summary>
/// The <c>descent</c> command: <c>optimize</c> (an optimizer on a test function), <c>init</c> (signal
/// propagation under an initialization scheme), <c>train</c> (a benchmark problem with a run directory),
/// <c>hessian</c> (curvature spectra) and <c>landscape</c> (loss-landscape plots). <see cref="Run"/> is the whole program with its streams passed
/// in, so tests run it in-process.
/// </summary>
public static class Cli
{
    /// <summary>Parses and runs <paramref name="args"/>, writing to <paramref name="output"/> and
    /// <paramref name="error"/>; returns the exit code (0 success, 2 bad input, 130 interrupted).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, CancellationToken.None);

    /// <summary>Like <see cref="Run(string[], TextWriter, TextWriter)"/>; <paramref name="cancellation"/>
    /// interrupts training as Ctrl-C does (after the current step, with a checkpoint).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            var context = new CommandContext(args, output, error, cancellation,
                Interactive: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
            var root = BuildRoot(context);
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is null))
                return CliErrors.Report(error, string.Join("; ", parse.Errors.Select(e => e.Message)));
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (DescentException e)
        {
            return CliErrors.Report(error, e.Message);
        }
        catch (Exception e)
        {
            return CliErrors.Unexpected(error, e);
        }
    }

    private static RootCommand BuildRoot(CommandContext context)
    {
        var root = new RootCommand(
            "Descent: a deep-learning optimization workbench. Run an optimizer on a test function (optimize), train a benchmark problem (train), see what an initialization does to signal propagation (init), measure the curvature spectrum of a model (hessian) or plot its loss landscape (landscape).");
        root.Subcommands.Add(OptimizeCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(HessianCommand.Create(context));
        root.Subcommands.Add(LandscapeCommand.Create(context));
        root.Subcommands.Add(BenchScaleCommand.Create(context));
        root.SetAction(_ => CliErrors.Report(context.Error, "no command given; try 'descent --help', 'descent optimize --help', 'descent train --help', 'descent init --help', 'descent hessian --help' or 'descent landscape --help'."));
        HelpText.Install(root);
        return root;
    }
}

/// <summary>What a command needs besides its parse result: the raw arguments, the streams, cancellation.</summary>
/// <param name="Args">The command line (for the resume hint).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Cancellation">Cancels training (besides Ctrl-C).</param>
/// <param name="Interactive">True when output is a terminal (progress bar in place).</param>
public sealed record CommandContext(string[] Args, TextWriter Output, TextWriter Error, CancellationToken Cancellation, bool Interactive);

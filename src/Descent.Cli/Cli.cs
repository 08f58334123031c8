using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Descent.Cli.Commands;
using Descent.Cli.Experiments;

namespace Descent.Cli;

/// <summary>
/// The <c>descent</c> command: <c>compare</c> (optimizers against each other), <c>train</c> (a benchmark problem
/// with a run directory), <c>optimize</c> (optimizers on a test function), <c>init</c> (signal propagation under an
/// initialization scheme), <c>hessian</c> (curvature spectra), <c>landscape</c> (loss-landscape plots), <c>report</c>
/// (a directory's HTML report) and <c>board</c> (a live view of runs). <see cref="Run"/> is the whole program with
/// its streams passed in, so tests run it in-process.
/// </summary>
public static class Cli
{
    /// <summary>The program's name in usage lines and messages.</summary>
    public const string ProgramName = "descent";

    /// <summary>Parses and runs <paramref name="args"/>, writing to <paramref name="output"/> and
    /// <paramref name="error"/>; returns the exit code (0 success, 2 bad input, 130 interrupted).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, CancellationToken.None);

    /// <summary>Like <see cref="Run(string[], TextWriter, TextWriter)"/>; <paramref name="cancellation"/>
    /// interrupts training as Ctrl-C does (after the current step, with a checkpoint).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation) =>
        Run(args, output, error, cancellation, Terminal.ConsoleStart.IsLive(output));

    /// <summary>Like <see cref="Run(string[], TextWriter, TextWriter, CancellationToken)"/>, drawing live progress
    /// as on a terminal when <paramref name="interactive"/> (tests check that display this way).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            var context = new CommandContext(args, output, error, cancellation, Interactive: interactive);
            var root = BuildRoot(context);
            args = ExperimentArgs.Expand(root, args);
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is null))
                return CliErrors.Report(error, string.Join("; ", parse.Errors.Select(e => e.Message)));
            if (parse.Action is HelpText.CommandHelpAction)
            {
                var text = new StringWriter { NewLine = "\n" };
                int code = parse.Invoke(new InvocationConfiguration { Output = text, Error = error, EnableDefaultExceptionHandler = false });
                output.Write(HelpText.WithProgramName(text.ToString(), root.Name));
                output.Flush();
                return code;
            }
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (DescentException e)
        {
            return CliErrors.Report(error, e.Message);
        }
        catch (InterruptedException e)
        {
            error.WriteLine("descent: " + CliErrors.OneLine(e.Message));
            error.Flush();
            return CliErrors.Interrupted;
        }
        catch (Exception e)
        {
            return CliErrors.Unexpected(error, e);
        }
    }

    private static RootCommand BuildRoot(CommandContext context)
    {
        var root = new RootCommand(
            "Descent: a deep-learning optimization workbench. Compare optimizers on a problem (compare), train one (train), run optimizers on a " +
            "test function (optimize), see what an initialization does to the signal (init), measure the curvature spectrum of a model (hessian), " +
            "plot its loss landscape (landscape), write a directory's report (report), watch runs live (board), or time the training step against PyTorch (bench).");
        root.Subcommands.Add(CompareCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(OptimizeCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(HessianCommand.Create(context));
        root.Subcommands.Add(LandscapeCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(BoardCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.SetAction(_ => CliErrors.Report(context.Error, "no command given; try 'descent compare' (the main command) or 'descent --help'."));
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

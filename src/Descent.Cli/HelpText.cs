using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;
using Descent.Nn;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Problems;
using Descent.Problems.Functions;

namespace Descent.Cli;

/// <summary>
/// What <c>--help</c> adds after the usual option list: examples for the command, then only the catalogs that
/// command uses (problems, optimizers, test functions, schedules, selectors, initialization schemes). Usage lines
/// name the program <c>descent</c>, however it was started.
/// </summary>
public static class HelpText
{
    /// <summary>The examples of each command (also run by the tests).</summary>
    public static IReadOnlyDictionary<string, string[]> Examples { get; } = new Dictionary<string, string[]>
    {
        [""] = ["descent compare", "descent train --problem fmnist_logreg --optimizer sgd --set lr=0.1 --epochs 2 --out runs/logreg-sgd", "descent compare --help"],
        ["compare"] =
        [
            "descent compare",
            "descent compare --problem fmnist_logreg --optimizers sgd,adam --tune 1e-3:1:4 --seeds 3 --epochs 5 --out runs/logreg",
            "descent compare --optimizers momentum,adam --set momentum:momentum=0.95 --tune none --out runs/compare-momentum",
        ],
        ["train"] =
        [
            "descent train --problem fmnist_mlp --optimizer adam --set lr=0.001 --epochs 3 --out runs/mlp-adam",
            "descent train --config runs/mlp-adam/experiment.yaml --epochs 5 --out runs/mlp-adam-5",
            "descent train --problem fmnist_mlp --optimizer sgd --set lr=0.1 --normalize standardize --augment shift:2 --out runs/mlp-aug",
        ],
        ["optimize"] =
        [
            "descent optimize --function square --optimizer gd --set lr=0.2 --start 10 --steps 10",
            "descent optimize --function beale --optimizer sgd,momentum,adam --set lr=0.001 --set adam:lr=0.05 --start 1,1.5 --steps 300 --plot beale.svg --animate beale-anim.svg",
        ],
        ["init"] = ["descent init --scheme glorot_uniform --compare he_normal,lsuv --activation tanh --depth 10 --width 256 --out runs/init-tanh"],
        ["hessian"] = ["descent hessian --problem quadratic_deep --top 5 --bottom 5 --trace --out runs/hessian-quadratic"],
        ["landscape"] = ["descent landscape --problem two_layer_tanh --checkpoint init --grid 11 --out runs/landscape-tanh"],
        ["report"] = ["descent report runs/compare-fmnist_mlp"],
        ["board"] = ["descent board runs", "descent board runs --port 8080"],
    };

    /// <summary>The catalogs each command uses.</summary>
    private static IEnumerable<string> Catalogs(string command) => command switch
    {
        "compare" => [Problems(), Schedules(), OptimizerFactory.Help()],
        "train" => [Problems(), Schedules(), ParameterSelector.Syntax, ParameterGroups.Syntax, Commands.TrainRecipeHelp.Text(), OptimizerFactory.Help()],
        "optimize" => [Functions(), Schedules(), OptimizerFactory.Help()],
        "init" => [Commands.InitCommand.Help()],
        "hessian" or "landscape" => [Problems(), Curvatures()],
        "" => ["Each command's own help lists what it uses: descent compare --help, descent train --help, descent optimize --help, descent init --help, descent hessian --help, descent landscape --help.\n"],
        _ => [],
    };

    /// <summary>The text after the option list for <paramref name="command"/> (empty name: the root).</summary>
    public static string Epilog(string command)
    {
        var sb = new StringBuilder();
        if (Examples.TryGetValue(command, out var examples))
        {
            sb.Append(examples.Length == 1 ? "Example:\n" : "Examples:\n");
            foreach (var e in examples) sb.Append("  ").Append(e).Append('\n');
        }
        foreach (var c in Catalogs(command)) sb.Append('\n').Append(c);
        return sb.ToString();
    }

    private static string Problems()
    {
        var sb = new StringBuilder("Problems (--problem NAME):\n");
        foreach (var p in ProblemCatalog.All)
            sb.Append("  ").Append(p.Name.PadRight(18)).Append(p.Description).Append($" [batch {p.DefaultBatchSize}, {p.DefaultEpochs} epochs]\n");
        return sb.ToString();
    }

    private static string Functions()
    {
        var sb = new StringBuilder("Test functions (--function NAME[:key=value]):\n");
        foreach (var (name, description) in TestFunctions.Catalog) sb.Append("  ").Append(name.PadRight(18)).Append(description).Append('\n');
        return sb.ToString();
    }

    private static string Schedules() => ScheduleParser.Help();

    private static string Curvatures()
    {
        var sb = new StringBuilder("Curvatures (descent hessian/landscape --curvature NAME):\n");
        foreach (var (name, description) in Curvature.CurvatureKinds.Catalog) sb.Append("  ").Append(name.PadRight(18)).Append(description).Append('\n');
        return sb.ToString();
    }

    /// <summary>Replaces the executable's name in usage lines by <see cref="Cli.ProgramName"/>.</summary>
    public static string WithProgramName(string help, string executable) =>
        executable == Cli.ProgramName ? help : help.Replace("  " + executable + " ", "  " + Cli.ProgramName + " ", StringComparison.Ordinal)
            .Replace("  " + executable + "\n", "  " + Cli.ProgramName + "\n", StringComparison.Ordinal);

    /// <summary>Makes the help option of <paramref name="root"/> (which serves every subcommand) print the examples and
    /// catalogs of the command asked about after the usual help.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().First();
        if (help.Action is HelpAction inner) help.Action = new CommandHelpAction(inner, root);
    }

    /// <summary>The help action: the usual help, then <see cref="Epilog"/>.</summary>
    public sealed class CommandHelpAction(HelpAction inner, RootCommand root) : SynchronousCommandLineAction
    {
        /// <inheritdoc />
        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            var command = parseResult.CommandResult.Command;
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine();
            output.Write(Epilog(ReferenceEquals(command, root) ? "" : command.Name));
            output.Flush();
            return code;
        }
    }
}

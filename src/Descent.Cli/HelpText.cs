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
/// The catalogs appended to <c>--help</c>: every optimizer with its keys and defaults (from the optimizer
/// catalog), every problem, every test function, the schedule syntax and the parameter selector and group syntax.
/// </summary>
public static class HelpText
{
    /// <summary>The catalogs as one text.</summary>
    public static string Catalog()
    {
        var sb = new StringBuilder();
        sb.Append("Problems (--problem NAME):\n");
        foreach (var p in ProblemCatalog.All)
            sb.Append("  ").Append(p.Name.PadRight(18)).Append(p.Description)
              .Append($" [batch {p.DefaultBatchSize}, {p.DefaultEpochs} epochs]\n");
        sb.Append("\nTest functions (--function NAME[:key=value]):\n");
        foreach (var (name, description) in TestFunctions.Catalog)
            sb.Append("  ").Append(name.PadRight(18)).Append(description).Append('\n');
        sb.Append("\nCurvatures (descent hessian/landscape --curvature NAME):\n");
        foreach (var (name, description) in Curvature.CurvatureKinds.Catalog)
            sb.Append("  ").Append(name.PadRight(18)).Append(description).Append('\n');
        sb.Append('\n').Append(ScheduleParser.Help());
        sb.Append('\n').Append(ParameterSelector.Syntax);
        sb.Append('\n').Append(ParameterGroups.Syntax);
        sb.Append('\n').Append(OptimizerFactory.Help());
        sb.Append('\n').Append(Commands.InitCommand.Help());
        return sb.ToString();
    }

    /// <summary>Makes the help option of <paramref name="root"/> (which serves every subcommand) print the
    /// catalogs after the usual help.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().First();
        if (help.Action is HelpAction inner) help.Action = new CatalogHelpAction(inner);
    }

    private sealed class CatalogHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = inner.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine();
            output.Write(Catalog());
            output.Flush();
            return code;
        }
    }
}

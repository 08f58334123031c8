using System.CommandLine;

namespace Descent.Cli.Terminal;

/// <summary>How much a command prints.</summary>
public enum OutputMode
{
    /// <summary>Progress, notes and results.</summary>
    Normal,

    /// <summary>Only the result, in a line or two (<c>--quiet</c>).</summary>
    Quiet,

    /// <summary>Only the result, as one JSON document (<c>--json</c>).</summary>
    Json,
}

/// <summary>The <c>--quiet</c> and <c>--json</c> options scripts use; errors go to stderr in every mode.</summary>
public sealed class OutputOptions
{
    /// <summary><c>--quiet</c>.</summary>
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "print only the result (no progress or notes)" };

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "print only the result, as JSON (for scripts)" };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public OutputOptions AddTo(Command command)
    {
        command.Options.Add(Quiet);
        command.Options.Add(Json);
        return this;
    }

    /// <summary>The mode the command line asks for.</summary>
    /// <exception cref="ConfigurationException">Both options given.</exception>
    public OutputMode Mode(ParseResult pr)
    {
        bool q = pr.GetValue(Quiet), j = pr.GetValue(Json);
        if (q && j) throw new ConfigurationException("--quiet and --json contradict each other; give one of them.");
        return j ? OutputMode.Json : q ? OutputMode.Quiet : OutputMode.Normal;
    }
}

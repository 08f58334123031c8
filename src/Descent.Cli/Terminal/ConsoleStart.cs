using Descent.Distributed;

namespace Descent.Cli.Terminal;

/// <summary>How the program sets its console up, and whether its output is a live terminal.</summary>
public static class ConsoleStart
{
    /// <summary>
    /// Call before anything touches the console. Under an MPI launcher every process writes through the launcher,
    /// which merges the processes' output (with Open MPI, through a pseudo-terminal per process, so each looks
    /// interactive), and .NET would begin the output with its keypad escape (ESC[?1h ESC=), which shows as garbage
    /// in logs; so TERM is set to <c>dumb</c> then.
    /// </summary>
    public static void Prepare()
    {
        if (UnderMpi) Environment.SetEnvironmentVariable("TERM", "dumb");
    }

    /// <summary>Whether <paramref name="output"/> is live (progress bars, colours): the process's standard output,
    /// a terminal, and not under an MPI launcher (progress redraws of several processes would interleave).</summary>
    public static bool IsLive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !UnderMpi;

    private static bool UnderMpi => MpiLaunch.Detect() is not null;
}

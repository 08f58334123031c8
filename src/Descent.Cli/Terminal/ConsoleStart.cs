using Descent.Distributed;

namespace Descent.Cli.Terminal;

/// <summary>How the program sets its console up before writing anything.</summary>
public static class ConsoleStart
{
    /// <summary>
    /// Prepares the console and returns whether output is live (progress bars, colours): it is when standard
    /// output is a terminal and the process was not started by an MPI launcher. Under a launcher every process
    /// writes through it, and the launcher merges the processes' output (with Open MPI, through a pseudo-terminal
    /// per process, so each looks interactive): progress redraws would interleave, and .NET would begin the
    /// output with its keypad escape (ESC[?1h ESC=), which shows as garbage in logs. So TERM is set to
    /// <c>dumb</c> then, before anything touches the console.
    /// </summary>
    public static bool Prepare()
    {
        bool underMpi = MpiLaunch.Detect() is not null;
        if (underMpi) Environment.SetEnvironmentVariable("TERM", "dumb");
        return !underMpi && !Console.IsOutputRedirected;
    }
}

using System.Diagnostics;

namespace Descent.Tests.Cli;

/// <summary>Runs the <c>descent</c> command in-process (<see cref="Descent.Cli.Cli.Run(string[], TextWriter, TextWriter)"/>)
/// or as a real child process (<c>dotnet Descent.Cli.dll …</c>).</summary>
public static class CliRunner
{
    /// <summary>What a run printed and returned.</summary>
    public sealed record Outcome(int Code, string Out, string Err)
    {
        /// <summary>The non-empty lines of stderr.</summary>
        public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Runs in-process.</summary>
    public static Outcome Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs in-process with a cancellation token (Ctrl-C in tests).</summary>
    public static Outcome Run(CancellationToken cancellation, params string[] args)
    {
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        int code = Descent.Cli.Cli.Run(args, o, e, cancellation);
        return new Outcome(code, o.ToString(), e.ToString());
    }

    /// <summary>The path of the command's assembly next to the tests.</summary>
    public static string CliDll => typeof(Descent.Cli.Cli).Assembly.Location;

    /// <summary>Starts <c>dotnet Descent.Cli.dll args</c> with redirected output.</summary>
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Runs a child process to the end.</summary>
    public static Outcome RunProcess(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException("descent did not finish in 2 minutes"); }
        return new Outcome(p.ExitCode, stdout.Result, stderr.Result);
    }
}

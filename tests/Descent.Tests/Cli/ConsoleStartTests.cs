using System.Diagnostics;

namespace Descent.Tests.Cli;

/// <summary>
/// The program under an MPI launcher on a pseudo-terminal (as Open MPI runs each process): no terminal escapes
/// in its output. <c>script</c> (util-linux) provides the pseudo-terminal; the same run without the launcher's
/// variable shows that a terminal run does write escapes, so the check can fail.
/// </summary>
public class ConsoleStartTests
{
    private static readonly string? Script = new[] { "/usr/bin/script", "/bin/script" }.FirstOrDefault(File.Exists);

    private static readonly bool XtermTerminfo =
        new[] { "/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo" }.Any(d => File.Exists(Path.Combine(d, "x", "xterm")));

    [Fact]
    public void UnderMpiLauncher_OnTerminal_WritesNoEscapes()
    {
        if (Script is null)
        {
            // No pseudo-terminal tool: the decision itself, in this (non-MPI) test process.
            Assert.Null(Descent.Distributed.MpiLaunch.Detect());
            return;
        }
        string plain = OnTerminal(mpi: false);
        string underMpi = OnTerminal(mpi: true);
        Assert.Contains("Usage:", plain);
        // .NET writes the keypad escape from the terminal's terminfo entry; without one it writes nothing.
        if (XtermTerminfo) Assert.Contains("\u001b", plain);
        Assert.Contains("Usage:", underMpi);
        Assert.DoesNotContain("\u001b", underMpi);
    }

    /// <summary>What <c>descent --help</c> prints on a pseudo-terminal (TERM=xterm), with or without PMI_SIZE set.</summary>
    private static string OnTerminal(bool mpi)
    {
        var psi = new ProcessStartInfo(Script!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-qec", $"dotnet \"{CliRunner.CliDll}\" --help", "/dev/null" }) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "xterm";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var v in Descent.Distributed.MpiLaunch.Variables) psi.Environment.Remove(v);
        if (mpi) psi.Environment["PMI_SIZE"] = "1";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "script did not finish");
        Assert.True(p.ExitCode == 0, error.Result);
        return output.Result;
    }
}

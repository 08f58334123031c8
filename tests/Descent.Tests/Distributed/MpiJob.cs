using System.Diagnostics;
using System.Text;
using Descent.Tests.Cli;
using Descent.Tests.Training;

namespace Descent.Tests.Distributed;

/// <summary>
/// <c>mpirun -np N dotnet Descent.Cli.dll …</c> on this machine, when Open MPI's <c>mpirun</c> is installed
/// (<see cref="Mpirun"/> is null otherwise, and the MPI tests then check the single-process fallback). Runs as
/// root are allowed (CI runs as root), ranks may share cores (<c>--oversubscribe</c>). The fixture runs the
/// reference 2-process job once.
/// </summary>
public sealed class MpiJob : IDisposable
{
    private readonly TempDirectory dir = new();

    /// <summary>Runs the reference job when mpirun is installed.</summary>
    public MpiJob()
    {
        Straight = dir.File("np2");
        if (Mpirun is null) return;
        var r = Run(2, Args(Straight));
        Assert.True(r.Code == 0, r.Err);
    }

    /// <summary>The full path of <c>mpirun</c>, or null when it is not installed.</summary>
    public static string? Mpirun { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>The reference run directory (2 processes, uninterrupted).</summary>
    public string Straight { get; }

    /// <summary>The training arguments of every MPI test: fmnist_mlp, SGD, 2 epochs of 16 steps of 64 examples,
    /// a checkpoint every 4 steps.</summary>
    public static string[] Args(string outDir, params string[] extra) =>
        ["train", "--problem", "fmnist_mlp", "--optimizer", "sgd", "--set", "lr=0.1", "--epochs", "2", "--batch-size", "64",
         "--limit-train", "1024", "--limit-eval", "200", "--checkpoint-every", "4", "--seed", "3", "--out", outDir, .. extra];

    /// <summary>Starts <c>mpirun -np <paramref name="np"/> --oversubscribe dotnet Descent.Cli.dll args</c>.</summary>
    public static Process Start(int np, string[] args)
    {
        var psi = new ProcessStartInfo(Mpirun ?? throw new InvalidOperationException("mpirun is not installed"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-np", np.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "dotnet", CliRunner.CliDll })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start mpirun");
    }

    /// <summary>Runs a job to the end (3 minutes at most) and returns what it printed.</summary>
    internal static CliRunner.Outcome Run(int np, string[] args)
    {
        using var p = Start(np, args);
        return Collect(p, TimeSpan.FromMinutes(3));
    }

    /// <summary>Waits for a started job and returns what it printed.</summary>
    internal static CliRunner.Outcome Collect(Process p, TimeSpan timeout)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpirun did not finish in {timeout.TotalSeconds} s");
        }
        return new CliRunner.Outcome(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>The process id of rank <paramref name="rank"/> among <paramref name="mpirun"/>'s children
    /// (read from /proc: the parent and <c>OMPI_COMM_WORLD_RANK</c>), or null.</summary>
    public static int? RankProcess(Process mpirun, int rank)
    {
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid)) continue;
            try
            {
                var ppid = File.ReadLines(Path.Combine(d, "status")).FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
                if (ppid is null || int.Parse(ppid[5..].Trim(), System.Globalization.CultureInfo.InvariantCulture) != mpirun.Id) continue;
                var env = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(d, "environ"))).Split('\0');
                if (env.Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

    /// <inheritdoc />
    public void Dispose() => dir.Dispose();
}

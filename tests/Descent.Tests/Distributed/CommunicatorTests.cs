using System.Diagnostics;
using Descent.Distributed;
using Descent.Tests.Cli;

namespace Descent.Tests.Distributed;

/// <summary>
/// Without an MPI launcher a process runs alone as rank 0 of 1 and never loads MPI; asking for MPI where it
/// cannot be loaded, or is not Open MPI, gives one clear error naming the fix — from the library and from
/// <c>descent train --mpi</c>.
/// </summary>
public class CommunicatorTests
{
    [Fact]
    public void ASingleProcess_IsRankZeroOfOne_AndItsCollectivesChangeNothing()
    {
        Assert.Null(MpiLaunch.Detect()); // the test host is not started by mpirun
        var c = Communicator.Connect();
        Assert.Same(Communicator.Single, c);
        Assert.Equal((0, 1, true), (c.Rank, c.Size, c.IsRoot));
        Span<float> f = [1.5f, -2f];
        c.AllReduce(f);
        Assert.Equal([1.5f, -2f], f.ToArray());
        Assert.True(c.Any(true));
        Assert.False(c.Any(false));
        Assert.Equal(0, c.FirstWhere(true));
        Assert.Equal(-1, c.FirstWhere(false));
    }

    [Fact]
    public void AskingForMpi_WithoutTheLibrary_IsOneClearError()
    {
        var e = Assert.Throws<ConfigurationException>(() => Communicator.Connect(forceMpi: true, library: "/nonexistent/libmpi.so.40"));
        Assert.Contains("--mpi was given", e.Message);
        Assert.Contains("could not be loaded", e.Message);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", e.Message);
    }

    [Fact]
    public void ALibraryThatIsNotOpenMpi_IsRefusedByName()
    {
        var e = Assert.Throws<ConfigurationException>(() => Communicator.Connect(forceMpi: true, library: "libc.so.6"));
        Assert.Contains("not Open MPI", e.Message);
    }

    [Fact]
    public async Task TrainWithMpi_WithoutTheLibrary_PrintsOneLineAndExits2()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliRunner.CliDll, "train", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--mpi", "--out", Path.GetTempPath() })
            psi.ArgumentList.Add(a);
        psi.Environment["DESCENT_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = await p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000));
        Assert.Equal(2, p.ExitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("descent: error: MPI is needed (--mpi was given)", lines[0]);
        Assert.Equal("", await stdout);
    }
}

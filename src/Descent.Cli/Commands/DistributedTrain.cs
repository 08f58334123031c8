using System.CommandLine;
using System.Globalization;
using Descent.Distributed;
using Descent.Tensors.Kernels;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>
/// How <c>descent train</c> runs under MPI (<c>mpirun -np N descent train …</c>): the options (<c>--mpi</c>,
/// <c>--sync-batchnorm</c>, <c>--mpi-timeout</c>), joining the job, and failures. A failure every process
/// meets at the same point (a bad option, a missing file) is reported once by the lowest failing rank and all
/// leave normally; any other failure of one process is printed with its rank and ends the whole job
/// (<c>MPI_Abort</c>), since the other processes wait for it in the next all-reduce.
/// </summary>
internal static class DistributedTrain
{
    /// <summary><c>--mpi</c>.</summary>
    public static Option<bool> MpiOption() => new("--mpi")
    {
        Description = "train data-parallel over MPI even when not started by mpirun (automatic under mpirun: each process takes 1/N of every batch)",
    };

    /// <summary><c>--sync-batchnorm</c>.</summary>
    public static Option<bool> SyncBatchNormOption() => new("--sync-batchnorm")
    {
        Description = "under MPI, batch normalization uses the statistics of the global batch instead of each process's shard",
    };

    /// <summary><c>--mpi-timeout</c>.</summary>
    public static Option<double> TimeoutOption() => new("--mpi-timeout")
    {
        Description = "under MPI, end the job when one all-reduce waits this many seconds for the other processes (a hung process)",
        DefaultValueFactory = _ => 300,
    };

    /// <summary>Joins the job (or runs alone), trains, and handles a failure as the class describes.</summary>
    /// <param name="forceMpi">Join MPI even when not started by mpirun (<c>--mpi</c>).</param>
    /// <param name="timeoutSeconds"><c>--mpi-timeout</c>.</param>
    /// <param name="threadsGiven">True when <c>--threads</c> was given; otherwise the processes on one machine
    /// share its cores (each gets cores / processes-on-the-machine kernel threads, at least 1).</param>
    /// <param name="error">Standard error.</param>
    /// <param name="train">Trains with the communicator and returns the exit code.</param>
    public static int Run(bool forceMpi, double timeoutSeconds, bool threadsGiven, TextWriter error, Func<Communicator, int> train)
    {
        if (!(timeoutSeconds > 0)) throw new ConfigurationException($"--mpi-timeout must be a positive number of seconds, got {timeoutSeconds.ToString(CultureInfo.InvariantCulture)}.");
        var comm = Communicator.Connect(forceMpi);
        comm.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        using var threadShare = comm.Size > 1 && !threadsGiven ? KernelThreads.Limit(Math.Max(1, Environment.ProcessorCount / ProcessesOnThisMachine())) : default;
        int code;
        try
        {
            code = train(comm);
        }
        catch (PeerFailedException)
        {
            code = CliErrors.Usage; // the failing rank printed the reason
        }
        catch (Exception e) when (comm.Size > 1 && !TrainingRun.EveryProcessStops(e))
        {
            string rank = $"rank {comm.Rank} of {comm.Size}: ";
            code = e is DescentException ? CliErrors.Report(error, rank + e.Message) : CliErrors.Unexpected(error, new DistributedException(rank + e.Message));
            error.WriteLine($"descent: rank {comm.Rank} ends the MPI job (the other processes wait for it). {comm.FaultHint}");
            error.Flush();
            comm.Abort(code);
            throw; // a single process has nothing to abort
        }
        finally
        {
            comm.Dispose();
        }
        return code;
    }

    /// <summary>Says on stderr that this process got <paramref name="signal"/>: it stops after the step when every
    /// process got it (Ctrl-C), but mpirun also sends SIGTERM when another process of the job has died, and then
    /// this process is ended before the step finishes.</summary>
    public static void ReportSignal(TextWriter error, Communicator comm, System.Runtime.InteropServices.PosixSignal signal)
    {
        error.WriteLine($"descent: rank {comm.Rank} of {comm.Size}: {signal} received; stopping after this step with a checkpoint. (mpirun sends it when another process has ended, and then ends this one before the step finishes.) {comm.FaultHint}");
        error.Flush();
    }

    /// <summary>How many processes of the job run on this machine (Open MPI's <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>; 1 if unknown).</summary>
    public static int ProcessesOnThisMachine() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;

    /// <summary>The command that resumes: <c>mpirun -np N</c> in front when there are several processes.</summary>
    public static string ResumeCommand(string command, Communicator comm) =>
        comm.Size > 1 ? $"mpirun -np {comm.Size} {command}" : command;
}

using System.CommandLine;
using Descent.Problems;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Cli.Commands;

/// <summary>The options <c>descent hessian</c> and <c>descent landscape</c> share: the problem, the examples,
/// the seed, the dtype, the data directory, the threads and the output directory.</summary>
public sealed class AnalysisOptions
{
    /// <summary>Creates the options; <paramref name="outDescription"/> says what the output directory receives.</summary>
    public AnalysisOptions(string outDescription, string samplesDescription, string seedDescription)
    {
        Problem = new Option<string>("--problem") { Description = "benchmark problem (listed below)", Required = true };
        Samples = new Option<int>("--samples") { Description = samplesDescription, DefaultValueFactory = _ => 1000 };
        Chunk = new Option<int>("--chunk") { Description = "examples per chunk (memory)", DefaultValueFactory = _ => 1000 };
        Seed = new Option<ulong>("--seed") { Description = seedDescription, DefaultValueFactory = _ => 0 };
        DType = new Option<string>("--dtype") { Description = "auto (float64 up to 200,000 parameters), float32 or float64", DefaultValueFactory = _ => "auto" };
        DataDir = new Option<string>("--data-dir") { Description = "Fashion-MNIST directory (else $DESCENT_DATA, /usr/share/datasets/fashion-mnist, then the bundled sample)" };
        Threads = new Option<int?>("--threads") { Description = "threads for the numeric kernels (default: all cores)" };
        Out = new Option<string>("--out") { Description = outDescription, Required = true };
    }

    /// <summary><c>--problem</c>.</summary>
    public Option<string> Problem { get; }

    /// <summary><c>--samples</c>.</summary>
    public Option<int> Samples { get; }

    /// <summary><c>--chunk</c>.</summary>
    public Option<int> Chunk { get; }

    /// <summary><c>--seed</c>.</summary>
    public Option<ulong> Seed { get; }

    /// <summary><c>--dtype</c>.</summary>
    public Option<string> DType { get; }

    /// <summary><c>--data-dir</c>.</summary>
    public Option<string> DataDir { get; }

    /// <summary><c>--threads</c>.</summary>
    public Option<int?> Threads { get; }

    /// <summary><c>--out</c>.</summary>
    public Option<string> Out { get; }

    /// <summary>Adds the options to <paramref name="command"/> (after its own).</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Samples, Chunk, Seed, DType, DataDir, Threads, Out }) command.Options.Add(o);
    }

    /// <summary>The problem, with the thread limit applied and the dtype resolved.</summary>
    /// <exception cref="ConfigurationException">An unknown problem, a thread count below 1 or an unknown dtype.</exception>
    public (Problem Problem, DType DType) Resolve(ParseResult pr)
    {
        var p = ProblemCatalog.Create(pr.GetValue(Problem)!);
        if (pr.GetValue(Threads) is int t)
        {
            if (t < 1) throw new ConfigurationException($"--threads must be at least 1, got {t}.");
            KernelThreads.MaxThreads = t;
        }
        return (p, AnalysisSetup.ResolveDType(pr.GetValue(DType)!, p));
    }
}

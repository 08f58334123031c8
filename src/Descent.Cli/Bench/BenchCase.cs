using Descent.Problems;

namespace Descent.Cli.Bench;

/// <summary>
/// One problem of <c>descent bench</c>: a benchmark problem with the optimizer recipe it is timed with, the
/// largest Descent/PyTorch time ratio the performance issue accepts, and (for time to accuracy) the test
/// accuracy to reach. The PyTorch peer (<c>bench/peer/torch_problems.py</c>) builds the same network and
/// optimizer under the same name.
/// </summary>
/// <param name="Problem">The problem's name in <see cref="ProblemCatalog"/>.</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Settings">Optimizer settings.</param>
/// <param name="TargetRatio">Accepted Descent/PyTorch step-time ratio.</param>
/// <param name="TargetAccuracy">Test accuracy for the time-to-accuracy run, or null when not measured.</param>
internal sealed record BenchCase(string Problem, string Optimizer, IReadOnlyDictionary<string, string> Settings, double TargetRatio,
    double? TargetAccuracy = null)
{
    /// <summary>The five problems of the performance issue, in the order they are printed.</summary>
    public static IReadOnlyList<BenchCase> All { get; } =
    [
        new("fmnist_logreg", "sgd", new Dictionary<string, string> { ["lr"] = "0.1" }, 0.33),
        new("fmnist_mlp", "adam", new Dictionary<string, string> { ["lr"] = "0.001" }, 0.2, TargetAccuracy: 0.88),
        new("fmnist_2c2d", "momentum", new Dictionary<string, string> { ["lr"] = "0.02", ["momentum"] = "0.9" }, 0.33, TargetAccuracy: 0.91),
        new("deep_skip_bn", "momentum", new Dictionary<string, string> { ["lr"] = "0.05", ["momentum"] = "0.9" }, 0.33),
        new("lstm_adding", "adam", new Dictionary<string, string> { ["lr"] = "0.01" }, 0.33),
    ];

    /// <summary>The recipe as printed, e.g. <c>momentum lr=0.02 momentum=0.9</c>.</summary>
    public string Recipe => Optimizer + string.Concat(Settings.Select(kv => $" {kv.Key}={kv.Value}"));

    /// <summary>The named case.</summary>
    /// <exception cref="ConfigurationException">Unknown name (the message lists the known ones).</exception>
    public static BenchCase Find(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace('-', '_');
        return All.FirstOrDefault(c => c.Problem == key)
            ?? throw new ConfigurationException($"descent bench: unknown problem '{name}'; the benchmark problems are {string.Join(", ", All.Select(c => c.Problem))}.");
    }
}

using Descent.Tests.Training;

namespace Descent.Tests.Cli;

/// <summary>One small comparison (two optimizers, a three-rate search, two seeds, two short epochs on fmnist_logreg),
/// run once through the command and shared by the tests of its table, files, figures and report.</summary>
public sealed class ComparisonFixture : IDisposable
{
    private readonly TempDirectory dir = new();

    /// <summary>Runs it.</summary>
    public ComparisonFixture()
    {
        Directory = dir.File("compare");
        Outcome = CliRunner.Run(Args(Directory));
    }

    /// <summary>The arguments of the comparison into <paramref name="outDir"/>.</summary>
    public static string[] Args(string outDir, params string[] extra) =>
        ["compare", "--problem", "fmnist_logreg", "--optimizers", "sgd,adam", "--epochs", "2", "--limit-train", "512", "--limit-eval", "200",
         "--seeds", "2", "--out", outDir, .. extra];

    /// <summary>The comparison directory.</summary>
    public string Directory { get; }

    /// <summary>What the command printed and returned.</summary>
    public CliRunner.Outcome Outcome { get; }

    /// <summary>A scratch directory for other runs.</summary>
    public string Scratch(string name) => dir.File(name);

    /// <inheritdoc />
    public void Dispose() => dir.Dispose();
}

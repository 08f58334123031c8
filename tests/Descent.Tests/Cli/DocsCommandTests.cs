using System.Diagnostics;
using Xunit.Abstractions;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

/// <summary>
/// The commands of docs/curvature.md and docs/landscapes.md work when pasted: each guide's commands run in order,
/// in-process, with their outputs under a temporary directory and their sizes shrunk (fewer examples, epochs,
/// grid points and eigenvalues, and fmnist_mlp's 1.3 million parameters replaced by fmnist_logreg, which has the
/// same data and options) so the suite stays fast.
/// </summary>
public sealed class DocsCommandTests(ITestOutputHelper output) : IDisposable
{
    private const string Prefix = "dotnet run -c Release --project src/Descent.Cli -- ";
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>The commands in the guide's fenced blocks, in order.</summary>
    internal static List<string[]> Commands(string guide)
    {
        string root = Path.GetDirectoryName(Path.GetDirectoryName(LayeringTests.SourceRoot()))!;
        var commands = new List<string[]>();
        bool inBlock = false;
        foreach (var line in File.ReadAllLines(Path.Combine(root, "docs", guide)))
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) { inBlock = !inBlock; continue; }
            if (inBlock && line.StartsWith(Prefix, StringComparison.Ordinal))
                commands.Add(line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        return commands;
    }

    /// <summary>The command with runs/ under the temporary directory and small sizes.</summary>
    private string[] Shrunk(string[] args)
    {
        var shrink = new Dictionary<string, string>
        {
            ["--samples"] = "64", ["--epochs"] = "2", ["--grid"] = "3", ["--density-steps"] = "8", ["--probes"] = "4", ["--curvature-every"] = "2",
        };
        var list = args.Select(a => a.StartsWith("runs/", StringComparison.Ordinal) ? Path.Combine(dir.Path, a) : a == "fmnist_mlp" ? "fmnist_logreg" : a).ToList();
        for (int i = 0; i + 1 < list.Count; i++)
        {
            if (shrink.TryGetValue(list[i], out var v)) list[i + 1] = v;
            if (list[i] == "--top") list[i + 1] = Math.Min(int.Parse(list[i + 1]), 3).ToString();
        }
        void Add(string option, string value) { if (!list.Contains(option)) list.AddRange([option, value]); }
        switch (list[0])
        {
            case "train":
                Add("--limit-train", "256");
                Add("--limit-eval", "64");
                break;
            case "hessian":
                Add("--samples", "64");
                Add("--max-iter", "10");
                if (list.Contains("--density")) Add("--density-probes", "1");
                break;
            case "landscape":
                Add("--samples", "64");
                Add("--grid", "3");
                break;
        }
        return [.. list];
    }

    [Theory]
    [InlineData("curvature.md", 6)]
    [InlineData("landscapes.md", 6)]
    public void TheGuidesCommandsRun(string guide, int count)
    {
        var commands = Commands(guide);
        Assert.Equal(count, commands.Count);
        foreach (var c in commands)
        {
            var args = Shrunk(c);
            var clock = Stopwatch.StartNew();
            var r = CliRunner.Run(args);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {string.Join(' ', args)}");
            Assert.True(r.Code == 0, $"{string.Join(' ', args)}\n{r.Err}");
            Assert.Equal("", r.Err);
        }
    }
}

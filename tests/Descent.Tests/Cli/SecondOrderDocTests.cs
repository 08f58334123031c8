using Descent.Tests.Training;

namespace Descent.Tests.Cli;

/// <summary>Runs every command of docs/second-order.md (and the README's second-order examples): optimize
/// commands as written, training commands on 300 examples for one epoch; output files go to a temporary
/// directory.</summary>
public sealed class SecondOrderDocTests : IDisposable
{
    private const string Prefix = "dotnet run -c Release --project src/Descent.Cli -- ";
    private static readonly string[] SecondOrder = ["cg", "bfgs", "lbfgs", "newton", "saddle-free-newton", "hessian-free", "natural-gradient", "kfac"];
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string RepositoryRoot() => Path.GetDirectoryName(Path.GetDirectoryName(LayeringTests.SourceRoot()))!;

    public static TheoryData<string, string> Commands()
    {
        var data = new TheoryData<string, string>();
        string root = RepositoryRoot();
        foreach (var file in new[] { "docs/second-order.md", "README.md" })
            foreach (var line in File.ReadAllLines(Path.Combine(root, file)))
            {
                if (!line.StartsWith(Prefix, StringComparison.Ordinal)) continue;
                var args = line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int o = Array.IndexOf(args, "--optimizer");
                if (o >= 0 && SecondOrder.Contains(args[o + 1])) data.Add(file, line[Prefix.Length..]);
            }
        return data;
    }

    [Fact]
    public void TheGuideHasCommandsForEveryMethod()
    {
        var text = string.Join("\n", Commands().Select(row => (string)row[1]));
        foreach (var name in SecondOrder) Assert.Contains($"--optimizer {name} ", text);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void CommandWorks(string file, string command)
    {
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        for (int i = 0; i < args.Count - 1; i++)
            if (args[i] is "--out" or "--plot" or "--trace") args[i + 1] = dir.File(Path.GetFileName(args[i + 1]) + $"-{i}");
        bool train = args[0] == "train";
        if (train)
        {
            int e = args.IndexOf("--epochs");
            if (e >= 0) args.RemoveRange(e, 2);
            args.AddRange(["--epochs", "1", "--limit-train", "300", "--limit-eval", "100"]);
        }
        var r = CliRunner.Run([.. args]);
        Assert.True(r.Code == 0, $"{file}: {command}\n{r.Err}");
        Assert.Contains(train ? "test_accuracy" : "status:", r.Out);
    }
}

using Descent.Tests.Training;

namespace Descent.Tests.Cli;

/// <summary>Every command in the README, in docs/ and in each command's help runs (on small settings) and succeeds.</summary>
public sealed class ExampleTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    public static TheoryData<string> Documents => ["README.md", "docs/README.md", "docs/optimizers.md", "docs/schedules.md", "docs/initialization.md"];

    private void RunAll(IEnumerable<string[]> examples, string source)
    {
        string root = ExampleRunner.Root();
        foreach (var args in examples)
        {
            var small = ExampleRunner.Small(args, dir.Path, root);
            var r = ExampleRunner.Run(small);
            Assert.True(r.Code == 0, $"{source}: descent {string.Join(' ', args)} (run as descent {string.Join(' ', small)}) failed with {r.Code}: {r.Err}");
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryCommandOfTheDocument_Runs(string document)
    {
        string text = File.ReadAllText(Path.Combine(ExampleRunner.Root(), document));
        var lines = ExampleRunner.Commands(text);
        var runnable = lines.Select(ExampleRunner.Arguments).OfType<string[]>().ToList();
        if (document != "docs/README.md") Assert.NotEmpty(runnable);
        RunAll(runnable, document);
    }

    [Fact]
    public void Readme_QuickStart_IsTheDefaultComparisonAndTheTestCommand()
    {
        var lines = ExampleRunner.Commands(File.ReadAllText(Path.Combine(ExampleRunner.Root(), "README.md")));
        Assert.Equal("dotnet run -c Release --project src/Descent.Cli -- compare", lines[0]);
        Assert.Equal("dotnet test tests/Descent.Tests -c Release", lines[1]);
    }

    [Fact]
    public void EveryExampleOfTheHelp_Runs()
    {
        var order = new[] { "compare", "train", "optimize", "init", "hessian", "landscape", "report", "board", "" };
        Assert.Equal(order.Order(), Descent.Cli.HelpText.Examples.Keys.Order());
        RunAll(order.SelectMany(c => Descent.Cli.HelpText.Examples[c]).Select(e => ExampleRunner.Arguments(e)!), "--help");
    }
}

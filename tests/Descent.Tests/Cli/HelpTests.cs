using Descent.Optim;
using Descent.Problems;
using Descent.Problems.Functions;

namespace Descent.Tests.Cli;

public sealed class HelpTests
{
    public static TheoryData<string> Commands => ["compare", "train", "optimize", "init", "hessian", "landscape", "report", "board"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandsHelp_ShowsAnExample_AndNamesTheProgramDescent(string command)
    {
        var r = CliRunner.Run(command, "--help");
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        Assert.Contains($"Usage:\n  descent {command} ", r.Out);
        Assert.DoesNotContain("Descent.Cli ", r.Out);
        Assert.DoesNotContain("testhost", r.Out);
        int examples = r.Out.IndexOf("Example", StringComparison.Ordinal);
        Assert.True(examples > 0, "no example");
        Assert.Contains($"  descent {command}", r.Out[examples..]);
    }

    [Fact]
    public void RootHelp_ListsTheCommands_WithExamples_AndNoCatalog()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("Usage:\n  descent [command] [options]", r.Out);
        foreach (var c in new[] { "compare", "train", "optimize", "init", "hessian", "landscape", "report", "board" }) Assert.Contains("  " + c, r.Out);
        Assert.Contains("  descent compare\n", r.Out);
        Assert.DoesNotContain("Optimizers (--optimizer", r.Out);
        Assert.DoesNotContain("Problems (--problem", r.Out);
    }

    private static void AssertOptimizers(string help)
    {
        foreach (var name in OptimizerFactory.Names)
        {
            Assert.Contains("\n" + name + " — ", help);
            foreach (var key in OptimizerFactory.Describe(name).OwnKeys)
                Assert.Contains($"  {key.Key.PadRight(26)}{key.Description} (default {key.Default}", help);
        }
    }

    [Fact]
    public void EachCommand_ShowsOnlyTheCatalogsItUses()
    {
        var train = CliRunner.Run("train", "--help").Out;
        AssertOptimizers(train);
        foreach (var p in ProblemCatalog.All) Assert.Contains("  " + p.Name, train);
        Assert.Contains("warmup:500+cosine:T=10000", train);
        Assert.Contains("kind:", train); // parameter selectors
        Assert.DoesNotContain("Test functions", train);

        var optimize = CliRunner.Run("optimize", "--help").Out;
        AssertOptimizers(optimize);
        foreach (var (name, _) in TestFunctions.Catalog) Assert.Contains("  " + name, optimize);
        Assert.Contains("plateau", optimize);
        Assert.DoesNotContain("Problems (--problem", optimize);

        var compare = CliRunner.Run("compare", "--help").Out;
        AssertOptimizers(compare);
        foreach (var p in ProblemCatalog.All) Assert.Contains("  " + p.Name, compare);
        Assert.DoesNotContain("Test functions", compare);

        var init = CliRunner.Run("init", "--help").Out;
        Assert.Contains("Initialization schemes", init);
        Assert.DoesNotContain("Optimizers (--optimizer", init);
        Assert.DoesNotContain("Problems (--problem", init);

        foreach (var c in new[] { "board", "report" })
        {
            var h = CliRunner.Run(c, "--help").Out;
            Assert.DoesNotContain("Optimizers (--optimizer", h);
            Assert.DoesNotContain("Problems (--problem", h);
        }
    }

    [Fact]
    public void CommandHelp_ListsItsOptions()
    {
        var train = CliRunner.Run("train", "--help").Out;
        foreach (var o in new[] { "--problem", "--optimizer", "--set", "--schedule", "--epochs", "--batch-size", "--seed", "--data-dir", "--out", "--resume",
            "--sampler", "--limit-train", "--checkpoint-every", "--early-stopping", "--average", "--clip-norm", "--weight-decay", "--l2", "--threads",
            "--config", "--quiet", "--json", "--data", "--target", "--normalize", "--augment", "--init", "--bias", "--output-bias", "--forget-bias", "--restarts" })
            Assert.Contains(o, train);
        var optimize = CliRunner.Run("optimize", "--help").Out;
        foreach (var o in new[] { "--function", "--dim", "--optimizer", "--set", "--start", "--steps", "--noise", "--seed", "--schedule", "--trace", "--plot", "--animate" })
            Assert.Contains(o, optimize);
        var compare = CliRunner.Run("compare", "--help").Out;
        foreach (var o in new[] { "--problem", "--optimizers", "--tune", "--tune-epochs", "--seeds", "--epochs", "--limit-train", "--target", "--config", "--resume", "--json" })
            Assert.Contains(o, compare);
    }

    [Fact]
    public void Version_PrintsTheVersion()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.Code);
        Assert.Matches(@"^\d+\.\d+\.\d+", r.Out);
    }

    [Fact]
    public void NoCommand_PointsToTheMainCommand()
    {
        var r = CliRunner.Run();
        Assert.Equal(2, r.Code);
        Assert.Contains("descent compare", r.Err);
    }
}

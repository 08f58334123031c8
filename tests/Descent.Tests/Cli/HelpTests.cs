using Descent.Optim;
using Descent.Problems;
using Descent.Problems.Functions;

namespace Descent.Tests.Cli;

public sealed class HelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("train", "--help")]
    [InlineData("optimize", "--help")]
    public void Help_ListsEveryOptimizerWithKeys_EveryProblem_EveryFunction_AndTheScheduleSyntax(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        foreach (var name in OptimizerFactory.Names)
        {
            Assert.Contains("\n" + name + " — ", r.Out);
            foreach (var key in OptimizerFactory.Describe(name).OwnKeys)
                Assert.Contains($"  {key.Key.PadRight(26)}{key.Description} (default {key.Default}", r.Out);
        }
        foreach (var p in ProblemCatalog.All) Assert.Contains("  " + p.Name, r.Out);
        foreach (var (name, _) in TestFunctions.Catalog) Assert.Contains("  " + name, r.Out);
        Assert.Contains("warmup:500+cosine:T=10000", r.Out);
        Assert.Contains("plateau", r.Out);
    }

    [Fact]
    public void CommandHelp_ListsItsOptions()
    {
        var train = CliRunner.Run("train", "--help").Out;
        foreach (var o in new[] { "--problem", "--optimizer", "--set", "--schedule", "--epochs", "--batch-size", "--seed", "--data-dir", "--out", "--resume",
            "--sampler", "--limit-train", "--checkpoint-every", "--early-stopping", "--average", "--clip-norm", "--weight-decay", "--l2", "--threads" })
            Assert.Contains(o, train);
        var optimize = CliRunner.Run("optimize", "--help").Out;
        foreach (var o in new[] { "--function", "--dim", "--optimizer", "--set", "--start", "--steps", "--noise", "--seed", "--schedule", "--trace", "--plot" })
            Assert.Contains(o, optimize);
    }
}

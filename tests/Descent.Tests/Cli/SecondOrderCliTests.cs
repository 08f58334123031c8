using System.Globalization;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

public sealed class SecondOrderCliTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string Field(string output, string key) =>
        output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();

    [Fact]
    public void Optimize_PrintsASciPyLikeResult_AndStopsOnGtol()
    {
        var r = CliRunner.Run("optimize", "--function", "rosenbrock", "--optimizer", "lbfgs", "--start", "-1.2,1", "--steps", "500", "--gtol", "1e-6");
        Assert.Equal(0, r.Code);
        Assert.Equal("0 (converged)", Field(r.Out, "status"));
        Assert.Equal("True", Field(r.Out, "success"));
        int nit = int.Parse(Field(r.Out, "nit"), CultureInfo.InvariantCulture);
        Assert.InRange(nit, 10, 80);                                           // SciPy's L-BFGS-B: 37
        Assert.True(int.Parse(Field(r.Out, "nfev"), CultureInfo.InvariantCulture) >= nit);
        Assert.Equal("0", Field(r.Out, "nhev"));
        Assert.True(double.Parse(Field(r.Out, "‖∇f‖"), CultureInfo.InvariantCulture) <= 1e-6);
        Assert.StartsWith("x = [1.000000, 1.000000]\n", r.Out);
    }

    [Fact]
    public void Optimize_FirstOrderToo_ReportsStatusAndCounts()
    {
        // gd on x² from 10 with lr 0.2: ‖∇f‖ = 20·0.6ᵏ ≤ 1e-5 first at k = 29.
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=0.2", "--start", "10", "--steps", "1000");
        Assert.Equal("0 (converged)", Field(r.Out, "status"));
        Assert.Equal("29", Field(r.Out, "nit"));
        Assert.Equal("29", Field(r.Out, "nfev"));
        Assert.Equal("29", Field(r.Out, "njev"));
        var capped = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=0.2", "--start", "10", "--steps", "5");
        Assert.Equal("1 (max-iterations)", Field(capped.Out, "status"));
        Assert.Equal("False", Field(capped.Out, "success"));
        var off = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=0.2", "--start", "10", "--steps", "40", "--gtol", "0");
        Assert.Equal("40", Field(off.Out, "nit"));
    }

    [Theory]
    [InlineData("newton", "")]
    [InlineData("saddle-free-newton", "")]
    [InlineData("bfgs", "")]
    [InlineData("cg", "beta=pr")]
    [InlineData("hessian-free", "")]
    public void Optimize_EverySecondOrderMethodOnAFunction(string name, string setting)
    {
        string[] set = setting.Length == 0 ? [] : ["--set", setting];
        var r = CliRunner.Run(["optimize", "--function", "beale", "--optimizer", name, .. set, "--start", "1,1", "--steps", "300"]);
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        Assert.Equal("0 (converged)", Field(r.Out, "status"));
        Assert.Contains("nearest known minimizer at distance", r.Out);
        if (name.Contains("newton") || name == "hessian-free") Assert.NotEqual("0", Field(r.Out, "nhev"));
    }

    [Theory]
    [InlineData("lbfgs", "history=0", "history must be an integer ≥ 1")]
    [InlineData("lbfgs", "histroy=3", "did you mean 'history'")]
    [InlineData("cg", "beta=dy", "beta must be pr|pr+|fr|hs")]
    [InlineData("cg", "c2=0.00001", "c2 must be larger than c1")]
    [InlineData("bfgs", "line_search=none", "line_search must be wolfe|armijo")]
    [InlineData("newton", "damping=-1", "damping must be")]
    [InlineData("hessian-free", "curvature=ggn", "curvature=hessian")]
    [InlineData("kfac", "lr=0.1", "Linear and Conv2d")]
    [InlineData("natural-gradient", "lr=1", "predictive distribution")]
    [InlineData("newton", "max_params=1", "max_params")]
    public void BadSettings_AreOneLineErrorsWithExitCode2(string name, string setting, string expected)
    {
        var r = CliRunner.Run("optimize", "--function", "rosenbrock", "--optimizer", name, "--set", setting, "--steps", "3");
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void NegativeGtol_IsAnError()
    {
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "lbfgs", "--steps", "3", "--gtol", "-1");
        Assert.Equal(2, r.Code);
        Assert.Contains("--gtol", r.Err);
    }

    [Fact]
    public void Train_WithParameterGroups_ExplainsThatSearchMethodsHaveNone()
    {
        var r = CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "lbfgs", "--group", "head@layer:last:lr=0.01", "--epochs", "1", "--out", dir.File("g"));
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
    }

    [Theory]
    [InlineData("lbfgs", new string[0])]
    [InlineData("cg", new string[0])]
    [InlineData("newton", new string[0])]
    [InlineData("hessian-free", new[] { "--set", "cg_max_iter=5" })]
    [InlineData("kfac", new[] { "--set", "fisher=empirical", "--set", "cov_every=2", "--set", "inverse_every=3" })]
    public void Train_PauseAndResume_EqualsAStraightRun(string name, string[] settings)
    {
        string[] Args(string outDir, params string[] extra) =>
            ["train", "--problem", "two_layer_tanh", "--optimizer", name, .. settings, "--epochs", "6", "--out", outDir, .. extra];
        string a = dir.File("a"), b = dir.File("b");
        var straight = CliRunner.Run(Args(a));
        Assert.True(straight.Code == 0, straight.Err);
        Assert.Contains("epoch 6/6", straight.Out);
        Assert.DoesNotContain("NaN", straight.Out);   // no "lr NaN" for methods whose step has no learning rate
        Assert.Equal(0, CliRunner.Run(Args(b, "--max-steps", "7")).Code);
        var resumed = CliRunner.Run(Args(b, "--resume"));
        Assert.True(resumed.Code == 0, resumed.Err);
        TrainProcessTests.AssertSameFinalState(a, b);
    }

    [Fact]
    public void Train_KfacNeedsEmpiricalLabelsForARegressionLoss()
    {
        var r = CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "kfac", "--epochs", "1", "--out", dir.File("k"));
        Assert.Equal(2, r.Code);
        Assert.Contains("fisher=empirical", r.Err);
    }

    [Fact]
    public void Help_ListsTheSecondOrderMethodsWithTheirKeys()
    {
        var r = CliRunner.Run("train", "--help");
        foreach (var name in new[] { "cg", "bfgs", "lbfgs", "newton", "saddle-free-newton", "hessian-free", "natural-gradient", "kfac" })
            Assert.Contains($"\n{name} — ", r.Out);
        foreach (var key in new[] { "history", "cg_max_iter", "inverse_every", "beta", "curvature_batch" })
            Assert.Contains($"  {key} ", r.Out);
    }
}

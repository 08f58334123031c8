using System.Globalization;
using System.Text.Json;
using Descent.Problems;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

public sealed class HessianCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static void AssertOneLineError(CliRunner.Outcome r, string mustContain)
    {
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.StartsWith("descent: error: ", r.ErrLines[0]);
        Assert.Contains(mustContain, r.ErrLines[0]);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void DeepQuadratic_TopAndBottomTenAreTheConstructedSpectrum()
    {
        string outDir = dir.File("quadratic");
        var r = CliRunner.Run("hessian", "--problem", "quadratic_deep", "--top", "10", "--bottom", "10", "--tol", "1e-8", "--samples", "100",
            "--trace", "--probes", "50", "--density", "--density-probes", "2", "--density-steps", "30", "--out", outDir);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.Code);
        var spectrum = QuadraticDeep.Spectrum(0);
        var rows = File.ReadAllLines(Path.Combine(outDir, "eigenvalues.csv"));
        Assert.Equal("model,end,rank,value,residual,relative_residual,converged", rows[0]);
        Assert.Equal(21, rows.Length);
        foreach (var row in rows.Skip(1))
        {
            var f = row.Split(',');
            int rank = int.Parse(f[2], CultureInfo.InvariantCulture);
            double value = double.Parse(f[3], CultureInfo.InvariantCulture);
            double expected = f[1] == "top" ? spectrum[rank - 1] : spectrum[^rank];
            Assert.True(Math.Abs(value - expected) <= 1e-6 * expected, $"{row} vs {expected}");
            Assert.Equal("1", f[6]);
        }
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "hessian.json")));
        var model = json.RootElement.GetProperty("models")[0];
        Assert.Equal("init", model.GetProperty("model").GetString());
        Assert.Equal(100, model.GetProperty("parameters").GetInt32());
        Assert.Equal(spectrum[0] / spectrum[^1], model.GetProperty("condition_number").GetDouble(), 4);
        var trace = model.GetProperty("trace");
        Assert.True(trace.GetProperty("lower").GetDouble() <= spectrum.Sum() && spectrum.Sum() <= trace.GetProperty("upper").GetDouble());
        Assert.Equal(50, trace.GetProperty("products").GetInt32());
        Assert.Equal(60, model.GetProperty("density").GetProperty("products").GetInt32());
        foreach (var svg in new[] { "spectrum.svg", "density.svg" })
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(outDir, svg)));
        Assert.Contains("condition number", r.Out);
        Assert.Contains("wrote " + Path.Combine(outDir, "hessian.json"), r.Out);
    }

    [Fact]
    public void TwoCheckpoints_AreOverlaidAndTheTrainedOneIsAMinimum()
    {
        // A tanh network of example E: init and a trained checkpoint, every analysis.
        string run = dir.File("run");
        var t = CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "sgd", "--set", "lr=0.2", "--epochs", "200", "--out", run);
        Assert.Equal(0, t.Code);
        string outDir = dir.File("h");
        var r = CliRunner.Run("hessian", "--problem", "two_layer_tanh", "--checkpoint", "init", "--checkpoint", Path.Combine(run, "model.safetensors"),
            "--top", "1", "--bottom", "1", "--power", "--blocks", "--classify", "--out", outDir);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.Code);
        Assert.Contains("power iteration: λ₁ =", r.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "hessian.json")));
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(2, models.Length);
        // The trained point is a minimum of E (critical, both eigenvalues positive).
        var trained = models[1].GetProperty("critical_point");
        Assert.Equal("minimum", trained.GetProperty("kind").GetString());
        Assert.True(trained.GetProperty("gradient_norm").GetDouble() < 1e-6);
        Assert.True(trained.GetProperty("critical").GetBoolean());
        // At the initialization (W, v drawn from N(0, 1)) the Hessian is indefinite.
        Assert.Equal("saddle", models[0].GetProperty("critical_point").GetProperty("kind").GetString());
        Assert.Equal(2, trained.GetProperty("positive").GetInt32());
        double l0 = models[0].GetProperty("lanczos").GetProperty("top")[0].GetProperty("value").GetDouble();
        double l1 = models[1].GetProperty("lanczos").GetProperty("top")[0].GetProperty("value").GetDouble();
        Assert.NotEqual(l0, l1, 3);
        string svg = File.ReadAllText(Path.Combine(outDir, "spectrum.svg"));
        Assert.Contains(">init<", svg);
        Assert.Contains(">" + Path.Combine(run, "model.safetensors") + "<", svg);
        Assert.True(File.Exists(Path.Combine(outDir, "blocks.svg")));
        Assert.Equal(1 + 2 * 2 * 2, File.ReadAllLines(Path.Combine(outDir, "blocks.csv")).Length); // 2 models × 2 layers × (top, bottom)
    }

    [Fact]
    public void UnknownProblem() => AssertOneLineError(CliRunner.Run("hessian", "--problem", "fmnist_mpl", "--out", "x"), "Unknown problem 'fmnist_mpl'");

    [Fact]
    public void MissingCheckpoint() =>
        AssertOneLineError(CliRunner.Run("hessian", "--problem", "quadratic_deep", "--checkpoint", "nope.safetensors", "--out", "x"), "'nope.safetensors' does not exist");

    [Fact]
    public void CorruptCheckpoint()
    {
        string bad = dir.File("bad.safetensors");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        AssertOneLineError(CliRunner.Run("hessian", "--problem", "quadratic_deep", "--checkpoint", bad, "--out", dir.File("o")), bad);
    }

    [Fact]
    public void CheckpointOfAnotherProblem()
    {
        string run = dir.File("lin");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_linear", "--optimizer", "sgd", "--set", "lr=0.1", "--epochs", "1", "--out", run).Code);
        // The resumable checkpoint names its problem; model.safetensors is checked by its parameters.
        AssertOneLineError(CliRunner.Run("hessian", "--problem", "quadratic_deep", "--checkpoint", Path.Combine(run, "checkpoint.safetensors"), "--out", dir.File("o")),
            "is from problem two_layer_linear, not quadratic_deep");
        AssertOneLineError(CliRunner.Run("hessian", "--problem", "quadratic_deep", "--checkpoint", Path.Combine(run, "model.safetensors"), "--out", dir.File("o")),
            "does not hold a quadratic_deep model");
    }

    [Theory]
    [InlineData("--top", "-1", "--top and --bottom")]
    [InlineData("--tol", "0", "--tol must lie in (0, 1)")]
    [InlineData("--samples", "0", "--samples must be at least 1")]
    [InlineData("--prune", "1.5", "--prune must lie in (0, 1)")]
    [InlineData("--curvature", "hesian", "Unknown curvature 'hesian'")]
    [InlineData("--dtype", "half", "--dtype must be auto, float32 or float64")]
    public void BadNumbers(string option, string value, string message) =>
        AssertOneLineError(CliRunner.Run("hessian", "--problem", "quadratic_deep", option, value, "--out", "x"), message);

    [Fact]
    public void RootHelpListsTheCommands()
    {
        var r = CliRunner.Run("--help");
        Assert.Contains("hessian", r.Out);
        Assert.Contains("landscape", r.Out);
        var h = CliRunner.Run("hessian", "--help");
        Assert.Contains("fisher-empirical", h.Out); // each command's help shows the catalogs it uses
        Assert.Contains("fisher-empirical", CliRunner.Run("landscape", "--help").Out);
        foreach (var option in new[] { "--checkpoint", "--top", "--bottom", "--trace", "--density", "--power", "--curvature", "--samples", "--tol", "--out" })
            Assert.Contains(option, h.Out);
    }
}

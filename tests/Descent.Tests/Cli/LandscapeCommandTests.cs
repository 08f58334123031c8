using System.Globalization;
using System.Text.Json;
using Descent.Problems;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

public sealed class LandscapeCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static double[] Column(string csv, int column) =>
        File.ReadAllLines(csv).Skip(1).Select(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Slice_IsExampleEsEnergyAndSavedDirectionsReproduceIt()
    {
        string run = dir.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "sgd", "--set", "lr=0.1", "--epochs", "20", "--out", run).Code);
        string model = Path.Combine(run, "model.safetensors");
        string a = dir.File("a");
        var r = CliRunner.Run("landscape", "--problem", "two_layer_tanh", "--checkpoint", model, "--grid", "5", "--seed", "3", "--out", a);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.Code);
        var surface = File.ReadAllLines(Path.Combine(a, "surface.csv"));
        Assert.Equal("alpha,beta,objective,loss,accuracy", surface[0]);
        Assert.Equal(26, surface.Length);
        // Both weights are 1×1 matrices: filter-normalized directions are ±|w|, so every grid value is E at a known point.
        var state = Descent.Training.CheckpointFile.Load(model).Parameters;
        double w = state["0.weight"].Item(), v = state["2.weight"].Item();
        var (tensors, _) = Descent.Training.Safetensors.Read(Path.Combine(a, "directions.safetensors"));
        var d1 = tensors["d1"].ToDoubleArray();
        var d2 = tensors["d2"].ToDoubleArray();
        Assert.Equal(Math.Abs(w), Math.Abs(d1[0]), 12);
        Assert.Equal(Math.Abs(v), Math.Abs(d1[1]), 12);
        var problem = new TwoLayerScalar(tanh: true);
        foreach (var line in surface.Skip(1))
        {
            var f = line.Split(',').Select(x => x.Length == 0 ? double.NaN : double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(problem.Energy(w + f[0] * d1[0] + f[1] * d2[0], v + f[0] * d1[1] + f[1] * d2[1]), f[2], 9);
        }
        string b = dir.File("b");
        Assert.Equal(0, CliRunner.Run("landscape", "--problem", "two_layer_tanh", "--checkpoint", model, "--grid", "5", "--seed", "99",
            "--directions", Path.Combine(a, "directions.safetensors"), "--out", b).Code);
        Assert.Equal(File.ReadAllText(Path.Combine(a, "surface.csv")), File.ReadAllText(Path.Combine(b, "surface.csv")));
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(a, "landscape.svg")));
    }

    [Fact]
    public void Interpolation_RunsFromInitToTheTrainedModel()
    {
        string run = dir.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_linear", "--optimizer", "sgd", "--set", "lr=0.1", "--epochs", "30", "--out", run).Code);
        string o = dir.File("i");
        var r = CliRunner.Run("landscape", "--problem", "two_layer_linear", "--checkpoint", "init", "--checkpoint2", Path.Combine(run, "model.safetensors"),
            "--grid", "9", "--out", o);
        Assert.Equal(0, r.Code);
        var alphas = Column(Path.Combine(o, "surface.csv"), 0);
        Assert.Equal([-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5], alphas);
        var loss = Column(Path.Combine(o, "surface.csv"), 1);
        Assert.True(loss[6] < loss[2], "the trained end (α = 1) is lower than the initialization (α = 0)");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(o, "landscape.json")));
        Assert.Equal("interpolate", json.RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public void Trajectory_ProjectsEpochCheckpointsOnTheirPrincipalPlane()
    {
        string run = dir.File("run");
        Assert.Equal(0, CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "sgd", "--set", "lr=0.05", "--epochs", "4",
            "--keep-epoch-checkpoints", "--out", run).Code);
        string o = dir.File("t");
        var r = CliRunner.Run("landscape", "--problem", "two_layer_tanh", "--run", run, "--grid", "7", "--out", o);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.Code);
        var lines = File.ReadAllLines(Path.Combine(o, "trajectory.csv"));
        Assert.Equal("point,x,y", lines[0]);
        Assert.Equal(["init", "epoch 1", "epoch 2", "epoch 3", "epoch 4"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.EndsWith(",0,0", lines[^1]);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(o, "landscape.json")));
        var explained = json.RootElement.GetProperty("explained_variance").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(1, explained.Sum(), 9); // two parameters: the plane is the whole space
        Assert.Contains("epoch 4", File.ReadAllText(Path.Combine(o, "landscape.svg")));
    }

    [Fact]
    public void EigenMode_DrawsTheQuadraticModelAlongTheTopEigenvector()
    {
        string o = dir.File("e");
        var r = CliRunner.Run("landscape", "--problem", "quadratic_deep", "--checkpoint", "init", "--mode", "eigen", "--dims", "1", "--grid", "5", "--samples", "200", "--out", o);
        Assert.Equal(0, r.Code);
        // On a quadratic the model is exact.
        var train = Column(Path.Combine(o, "surface.csv"), 1);
        var model = Column(Path.Combine(o, "surface.csv"), 6);
        for (int i = 0; i < train.Length; i++) Assert.Equal(train[i], model[i], 6);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(o, "landscape.json")));
        Assert.Equal(QuadraticDeep.Spectrum(0)[0], json.RootElement.GetProperty("eigenvalues")[0].GetDouble(), 3);
    }

    [Theory]
    [InlineData(new[] { "--mode", "interpolate", "--checkpoint", "init" }, "needs --checkpoint and --checkpoint2")]
    [InlineData(new[] { "--mode", "trajectory" }, "needs --run DIR")]
    [InlineData(new[] { "--checkpoint", "init", "--range", "1,-1" }, "--range must be two numbers")]
    [InlineData(new[] { "--checkpoint", "init", "--grid", "1" }, "--grid must be at least 2")]
    [InlineData(new[] { "--checkpoint", "init", "--mode", "sideways" }, "Unknown --mode 'sideways'")]
    [InlineData(new[] { "--checkpoint", "init", "--dims", "3" }, "--dims must be 1 or 2")]
    [InlineData(new[] { "--checkpoint", "init", "--directions", "none.safetensors" }, "'none.safetensors' does not exist")]
    public void BadInput(string[] args, string message)
    {
        var r = CliRunner.Run(["landscape", "--problem", "two_layer_linear", .. args, "--out", dir.File("x")]);
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains(message, r.ErrLines[0]);
    }
}

using Descent.Tensors;
using Descent.Training;

namespace Descent.Tests.Training;

public sealed class CheckpointFileTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    public sealed record RunState(int Epoch, long Step, double Lr, ulong[] Rng, string Sampler);

    private static Checkpoint Sample(float w0 = 0.5f)
    {
        var rng = new Rng(7);
        rng.NextDouble();
        return new Checkpoint
        {
            Parameters = new Dictionary<string, Tensor>
            {
                ["0.weight"] = Tensor.From(new[] { w0, -1f, 2f, 3f }, 2, 2),
                ["0.bias"] = Tensor.From(new[] { 0.1f, 0.2f }, 2),
            },
            Optimizer = new Dictionary<string, Tensor>
            {
                ["0.weight.exp_avg"] = Tensor.From(new[] { 1e-3f, 2e-3f, 3e-3f, 4e-3f }, 2, 2),
                ["step"] = Tensor.Scalar(17.0, DType.Float64),
            },
            Metadata = new Dictionary<string, string> { ["problem"] = "fashion-mnist-mlp" },
        }.WithRunState(new RunState(3, 1200, 0.05, rng.GetState(), "shuffled"));
    }

    [Fact]
    public void SaveLoad_RoundTripsTensorsRunStateAndMetadata()
    {
        string path = dir.File("c.safetensors");
        var saved = Sample();
        CheckpointFile.Save(path, saved);
        var loaded = CheckpointFile.Load(path);

        Assert.Equal(saved.Parameters.Keys, loaded.Parameters.Keys);
        Assert.Equal(saved.Optimizer.Keys, loaded.Optimizer.Keys);
        foreach (var (k, t) in saved.Parameters) Assert.Equal(t.ToDoubleArray(), loaded.Parameters[k].ToDoubleArray());
        Assert.Equal(17.0, loaded.Optimizer["step"].Item());
        Assert.Equal(DType.Float64, loaded.Optimizer["step"].DType);
        Assert.Equal(saved.Metadata, loaded.Metadata);
        Assert.Equal(path, loaded.Source);

        var state = loaded.RunStateAs<RunState>();
        var expected = saved.RunStateAs<RunState>();
        Assert.Equal((expected.Epoch, expected.Step, expected.Lr, expected.Sampler), (state.Epoch, state.Step, state.Lr, state.Sampler));
        Assert.Equal(expected.Rng, state.Rng);
        var resumed = new Rng(0);
        resumed.SetState(state.Rng);
        var original = new Rng(7);
        original.NextDouble();
        Assert.Equal(original.NextDouble(), resumed.NextDouble());
    }

    [Fact]
    public void File_UsesPrefixedNamesAndPyTorchMetadata()
    {
        string path = dir.File("c.safetensors");
        CheckpointFile.Save(path, Sample());
        var (tensors, meta) = Safetensors.Read(path);
        Assert.Equal(["param/0.weight", "param/0.bias", "optim/0.weight.exp_avg", "optim/step"], tensors.Keys);
        Assert.Equal("pt", meta["format"]);
        Assert.Equal(CheckpointFile.FormatVersion, meta[CheckpointFile.FormatKey]);
        Assert.Contains("\"Step\":1200", meta[CheckpointFile.RunStateKey]);
    }

    [Fact]
    public void ReservedMetadataKey_IsRejected()
    {
        var c = Sample() with { Metadata = new Dictionary<string, string> { [CheckpointFile.RunStateKey] = "{}" } };
        Assert.Throws<ArgumentException>(() => CheckpointFile.Save(dir.File("c.safetensors"), c));
    }

    [Fact]
    public void ForeignFile_LoadsItsTensorsAsParameters()
    {
        var c = CheckpointFile.Load(Path.Combine(AppContext.BaseDirectory, "Training", "Data", "reference.safetensors"));
        Assert.Equal(["empty", "layer.bias", "layer.weight", "moments", "scale"], c.Parameters.Keys);
        Assert.Empty(c.Optimizer);
        Assert.Null(c.RunState);
        Assert.Equal("pt", c.Metadata["format"]);
        var e = Assert.Throws<DataFormatException>(() => c.RunStateAs<RunState>());
        Assert.Contains("reference.safetensors", e.Message);
    }

    [Theory]
    [InlineData("stray", "checkpoint-1", "{}", "neither the 'param/' nor the 'optim/' prefix")]
    [InlineData("param/w", "checkpoint-99", "{}", "layout 'checkpoint-99' is not supported")]
    [InlineData("param/w", "checkpoint-1", "{not json", "is not valid JSON")]
    public void BadDescentCheckpoint_GivesDataFormatException(string tensorName, string version, string runState, string expected)
    {
        string path = dir.File("bad.safetensors");
        Safetensors.Write(path, [(tensorName, Tensor.Zeros(new Shape(2)))],
            new Dictionary<string, string> { [CheckpointFile.FormatKey] = version, [CheckpointFile.RunStateKey] = runState });
        var e = Assert.Throws<DataFormatException>(() => CheckpointFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RunDirectory_LatestAndKeptEpochs()
    {
        string run = Path.Combine(dir.Path, "run");
        Assert.Null(CheckpointFile.LoadLatest(run));

        string latest = CheckpointFile.SaveLatest(run, Sample(1f), keepEpoch: 1);
        Assert.Equal(CheckpointFile.LatestPath(run), latest);
        // An interrupted later save left a temporary file; the next save removes it.
        File.WriteAllBytes(latest + AtomicFile.TemporaryInfix + "abcdef012345", [1, 2, 3]);
        CheckpointFile.SaveLatest(run, Sample(2f));

        Assert.Equal(2f, CheckpointFile.LoadLatest(run)!.Parameters["0.weight"].Floats[0]);
        Assert.Equal(1f, CheckpointFile.Load(CheckpointFile.EpochPath(run, 1)).Parameters["0.weight"].Floats[0]);
        Assert.Equal(1f, CheckpointFile.Load(CheckpointFile.PreviousPath(run)).Parameters["0.weight"].Floats[0]);
        Assert.Equal(
            new[] { "checkpoint-epoch1.safetensors", "checkpoint-prev.safetensors", "checkpoint.safetensors" },
            Directory.GetFiles(run).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The last two are kept: a third save moves the second one to checkpoint-prev.
        CheckpointFile.SaveLatest(run, Sample(3f));
        Assert.Equal(3f, CheckpointFile.LoadLatest(run)!.Parameters["0.weight"].Floats[0]);
        Assert.Equal(2f, CheckpointFile.Load(CheckpointFile.PreviousPath(run)).Parameters["0.weight"].Floats[0]);
    }
}

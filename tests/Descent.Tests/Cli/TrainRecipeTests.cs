using System.Globalization;
using System.Text;
using System.Text.Json;
using Descent.Data;
using Descent.Problems;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Cli;

/// <summary>Each data and initialization option of <c>descent train</c> reaches the library, tested through the command.</summary>
public sealed class TrainRecipeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string Train(string name, params string[] args)
    {
        string run = dir.File(name);
        var r = CliRunner.Run(["train", .. args, "--out", run]);
        Assert.True(r.Code == 0, r.Err);
        return run;
    }

    private static IReadOnlyList<EpochMetrics> Metrics(string run) => Descent.Training.Compare.RunRecord.ReadMetrics(Path.Combine(run, MetricsCsv.FileName));

    private static IReadOnlyDictionary<string, Descent.Tensors.Tensor> Model(string run) => CheckpointFile.Load(Path.Combine(run, Trainer.ModelFileName)).Parameters;

    private static readonly string[] Logreg = ["--problem", "fmnist_logreg", "--optimizer", "sgd", "--set", "lr=0.1", "--limit-train", "512", "--limit-eval", "200", "--batch-size", "64"];

    [Fact]
    public void Normalize_IsRecorded_AndChangesTraining()
    {
        string plain = Train("plain", [.. Logreg, "--epochs", "1"]);
        string standardized = Train("std", [.. Logreg, "--epochs", "1", "--normalize", "standardize"]);
        string zca = Train("zca", [.. Logreg.Select(a => a == "512" ? "2000" : a), "--epochs", "1", "--normalize", "zca:eps=0.1"]);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(standardized, RunSummary.FileName)));
        Assert.Equal("standardize", summary.RootElement.GetProperty("recipe").GetProperty("normalize").GetString());
        Assert.NotEqual(Metrics(plain)[0].TrainLoss, Metrics(standardized)[0].TrainLoss);
        using var z = JsonDocument.Parse(File.ReadAllText(Path.Combine(zca, RunSummary.FileName)));
        Assert.Equal("zca:eps=0.1", z.RootElement.GetProperty("recipe").GetProperty("normalize").GetString());
        Assert.True(double.IsFinite(Metrics(zca)[0].TrainLoss));
    }

    [Fact]
    public void Augment_ChangesTrainingBatchesOnly_AndResumesToTheSameBits()
    {
        string[] args = [.. Logreg, "--epochs", "3", "--augment", "shift:2+flip"];
        string plain = Train("plain", [.. Logreg, "--epochs", "3"]);
        string straight = Train("aug", args);
        Assert.NotEqual(Metrics(plain)[0].TrainLoss, Metrics(straight)[0].TrainLoss);
        string paused = dir.File("paused");
        Assert.Equal(0, CliRunner.Run(["train", .. args, "--max-steps", "11", "--out", paused]).Code);
        Assert.Equal(0, CliRunner.Run(["train", .. args, "--resume", "--out", paused]).Code);
        TrainProcessTests.AssertSameFinalState(straight, paused); // the augmentation's random stream is in the checkpoint
    }

    [Fact]
    public void GrowingAndCurriculumSamplers_ChangeTheStepsPerEpoch()
    {
        string growing = Train("growing", [.. Logreg, "--epochs", "3", "--sampler", "growing:start=32,every=1,factor=2"]);
        Assert.Equal([16L, 24L, 28L], Metrics(growing).Select(m => m.Step)); // batches of 32, 64, 128 over 512 examples
        string curriculum = Train("curriculum", [.. Logreg, "--epochs", "3", "--sampler", "curriculum:start=0.25,ramp=2,random=0"]);
        Assert.Equal([2L, 7L, 15L], Metrics(curriculum).Select(m => m.Step)); // pools of 128, 320, 512 examples
        var bad = CliRunner.Run(["train", .. Logreg, "--sampler", "curriculum:speed=2", "--out", dir.File("bad")]);
        Assert.Equal(2, bad.Code);
        Assert.Contains("--sampler", bad.Err);
    }

    [Fact]
    public void CsvData_TrainsAClassifierAndARegression()
    {
        string csv = dir.File("points.csv");
        var rng = new Descent.Tensors.Rng(7);
        var sb = new StringBuilder("x0,x1,label,y\n");
        for (int i = 0; i < 400; i++)
        {
            double a = rng.NextNormal(), b = rng.NextNormal();
            sb.Append(CultureInfo.InvariantCulture, $"{a:R},{b:R},{(a + b > 0 ? 1 : 0)},{2 * a - b:R}\n");
        }
        File.WriteAllText(csv, sb.ToString().Replace(",y\n", "\n", StringComparison.Ordinal)
            .Split('\n').Select(l => l.Length == 0 ? l : string.Join(',', l.Split(',')[..3])).Aggregate((x, y) => x + "\n" + y));
        string cls = Train("cls", "--data", "csv:" + csv, "--target", "label", "--optimizer", "adam", "--set", "lr=0.05", "--epochs", "15");
        using (var s = JsonDocument.Parse(File.ReadAllText(Path.Combine(cls, RunSummary.FileName))))
        {
            Assert.Equal("csv", s.RootElement.GetProperty("problem").GetString());
            Assert.Equal(80, s.RootElement.GetProperty("data").GetProperty("test").GetInt32()); // 20% of 400
            Assert.InRange(s.RootElement.GetProperty("test_accuracy").GetDouble(), 0.9, 1.0);
        }
        string reg = dir.File("reg.csv");
        File.WriteAllText(reg, "a,b,target\n" + string.Join("\n", Enumerable.Range(0, 300).Select(i =>
        {
            double a = Math.Sin(i), b = Math.Cos(3 * i);
            return string.Create(CultureInfo.InvariantCulture, $"{a:R},{b:R},{2 * a - b + 0.5:R}");
        })));
        string r = Train("reg", "--data", "csv:" + reg, "--target", "target", "--model", "linear", "--optimizer", "adam", "--set", "lr=0.05", "--epochs", "40");
        using (var s = JsonDocument.Parse(File.ReadAllText(Path.Combine(r, RunSummary.FileName))))
        {
            Assert.Equal(JsonValueKind.Null, s.RootElement.GetProperty("test_accuracy").ValueKind);
            Assert.InRange(s.RootElement.GetProperty("test_loss").GetDouble(), 0, 0.01);
        }
        var missing = CliRunner.Run("train", "--data", "csv:" + csv, "--target", "nope", "--optimizer", "sgd", "--out", dir.File("m"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("no column named 'nope'", missing.Err);
    }

    [Fact]
    public void InitAndBias_SetTheWeightsAndBiases()
    {
        string he = Train("he", "--problem", "fmnist_mlp", "--optimizer", "sgd", "--epochs", "0", "--init", "he_normal", "--bias", "constant:0.01");
        var p = Model(he);
        var w = p["0.weight"].ToDoubleArray();
        double sd = Math.Sqrt(w.Select(v => v * v).Average());
        Assert.InRange(sd, 0.95 * Math.Sqrt(2.0 / 784), 1.05 * Math.Sqrt(2.0 / 784)); // He: σ² = 2/fan_in
        Assert.All(p["0.bias"].ToDoubleArray(), b => Assert.Equal(0.01, b, 6));
        Assert.DoesNotContain(p["6.bias"].ToDoubleArray(), b => Math.Abs(b - 0.01) < 1e-9); // the output layer keeps its own
    }

    [Fact]
    public void Lsuv_GivesEveryLayerUnitOutputVariance()
    {
        string run = Train("lsuv", "--problem", "fmnist_mlp", "--optimizer", "sgd", "--epochs", "0", "--init", "lsuv", "--limit-train", "512");
        var model = ProblemCatalog.Create("fmnist_mlp").BuildModel(0);
        model.LoadStateDict(Model(run));
        var data = DataSplits.FashionMnist(FashionMnist.Load());
        using var scope = Descent.Tensors.TensorScope.Begin();
        using var noGrad = Descent.Autograd.Autodiff.NoGrad();
        var x = data.Train.Features.Rows(0, 256);
        var seq = (Descent.Nn.Sequential)model;
        foreach (var (layer, i) in seq.Layers.Select((l, i) => (l, i)))
        {
            x = layer.Forward(x);
            if (layer is Descent.Nn.Linear)
            {
                var v = x.ToDoubleArray();
                double mean = v.Average(), variance = v.Select(t => (t - mean) * (t - mean)).Average();
                Assert.InRange(variance, 0.85, 1.15);
            }
        }
    }

    [Fact]
    public void OutputBiasPrior_IsTheLogOfTheClassFrequencies()
    {
        string run = Train("prior", "--problem", "fmnist_logreg", "--optimizer", "sgd", "--epochs", "0", "--limit-train", "300", "--output-bias", "prior");
        var bias = Model(run)["0.bias"].ToDoubleArray();
        var labels = DataSplits.FashionMnist(FashionMnist.Load()).Train.Labels!.Take(300).ToArray();
        for (int c = 0; c < 10; c++)
            Assert.Equal(Math.Log(Math.Max(labels.Count(l => l == c), 0.5) / 300.0), bias[c], 5);
    }

    [Fact]
    public void ForgetBias_SetsTheLstmsForgetGate()
    {
        string run = Train("lstm", "--problem", "lstm_adding", "--optimizer", "adam", "--epochs", "0", "--forget-bias", "1");
        var p = Model(run);
        var forget = p.Single(kv => kv.Key.EndsWith("forget_bias", StringComparison.Ordinal)).Value.ToDoubleArray();
        Assert.All(forget, f => Assert.Equal(1.0, f));
    }

    [Fact]
    public void Restarts_TrainEachSeed_AndKeepTheBestOnValidation()
    {
        string outDir = dir.File("restarts");
        var r = CliRunner.Run("train", "--problem", "two_layer_tanh", "--optimizer", "sgd", "--set", "lr=0.05", "--epochs", "5", "--restarts", "3", "--seed", "4", "--out", outDir);
        Assert.True(r.Code == 0, r.Err);
        var best = new[] { 4, 5, 6 }.Select(s => (Seed: s, Loss: Metrics(Path.Combine(outDir, $"seed-{s}")).Min(m => m.ValLoss))).MinBy(t => t.Loss);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "restarts.json")));
        Assert.Equal(best.Seed, doc.RootElement.GetProperty("best_seed").GetInt32());
        Assert.Equal(3, doc.RootElement.GetProperty("runs").GetArrayLength());
        Assert.Contains($"best of 3 seeds: seed {best.Seed}", r.Out);
    }
}

using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Tests.Training;

/// <summary>Small synthetic runs for trainer tests: Gaussian blobs in 8-D (3 classes) or a noisy linear
/// regression, and a small MLP with dropout.</summary>
internal static class TrainingFixtures
{
    /// <summary>Three Gaussian blobs: 240 train, 60 validation, 60 test examples.</summary>
    public static DataSplits Blobs(int train = 240)
    {
        var rng = new Rng(123);
        var centers = new double[3, 8];
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 8; j++) centers[c, j] = 2 * rng.NextNormal();
        Dataset Make(int n, string name)
        {
            var x = new float[n * 8];
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = rng.NextInt(3);
                for (int j = 0; j < 8; j++) x[i * 8 + j] = (float)(centers[y[i], j] + 1.5 * rng.NextNormal());
            }
            return new Dataset(Tensor.From(x, n, 8).CloneUnscoped(), y, null, 3, name);
        }
        return new DataSplits(Make(train, "blobs train"), Make(60, "blobs validation"), Make(60, "blobs test"), "synthetic blobs");
    }

    /// <summary>y = x·w + noise in 4-D: 128 train, 32 validation, 32 test examples (float64).</summary>
    public static DataSplits Regression()
    {
        var rng = new Rng(7);
        double[] w = [1, -2, 0.5, 3];
        Dataset Make(int n, string name)
        {
            var x = new double[n * 4];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < 4; j++) { x[i * 4 + j] = rng.NextNormal(); y[i] += w[j] * x[i * 4 + j]; }
                y[i] += 0.1 * rng.NextNormal();
            }
            return new Dataset(Tensor.From(x, n, 4).CloneUnscoped(), targets: Tensor.From(y, n, 1).CloneUnscoped(), name: name);
        }
        return new DataSplits(Make(128, "reg train"), Make(32, "reg validation"), Make(32, "reg test"), "synthetic regression");
    }

    /// <summary>A fresh MLP 8-16-3 with tanh and dropout, an objective, an optimizer bound to it and a shuffled
    /// sampler (batch 32: 8 steps per epoch on 240 examples, the last one of 16).</summary>
    public static TrainingParts Parts(string optimizer = "adam", IReadOnlyDictionary<string, string>? settings = null,
        string? schedule = null, ulong seed = 1, DataSplits? data = null, int batch = 32)
    {
        data ??= Blobs();
        var init = Rng.Stream(seed, "init");
        var model = new Sequential(new Linear(8, 16, rng: init), new Tanh(), new Dropout(0.2, Rng.Stream(seed, "dropout")), new Linear(16, 3, rng: init));
        var objective = new Objective(model, new CrossEntropy(), Penalty.L2(1e-4, ParameterSelector.Kind(ParameterKind.Weight)));
        var opt = OptimizerFactory.Create(optimizer, settings ?? new Dictionary<string, string> { ["lr"] = "0.01" });
        if (schedule is not null) opt.Schedule = Schedule.Parse(schedule);
        opt.Init(model.Flat);
        var sampler = new ShuffledSampler(data.Train.Count, batch, seed);
        return new TrainingParts(model, objective, opt, sampler, data, IsClassification: true);
    }

    /// <summary>A linear regression model 4 → 1 in float64 with SGD.</summary>
    public static TrainingParts RegressionParts(double lr = 0.05)
    {
        var data = Regression();
        var model = new Sequential(new Linear(4, 1, rng: new Rng(3), dtype: DType.Float64));
        var objective = new Objective(model, new MeanSquaredError());
        var opt = OptimizerFactory.Create("sgd", new Dictionary<string, string> { ["lr"] = lr.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        opt.Init(model.Flat);
        return new TrainingParts(model, objective, opt, new ShuffledSampler(data.Train.Count, 16, 5), data, IsClassification: false);
    }

    /// <summary>The raw bits of the model's flat parameters.</summary>
    public static uint[] Bits(TrainingParts parts) => Bits(parts.Model.Flat.Values);

    /// <summary>The raw bits of a float32 tensor.</summary>
    public static uint[] Bits(Tensor t) => t.Floats.ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>The metrics without the wall-clock column.</summary>
    public static object[] WithoutTime(IEnumerable<EpochMetrics> rows) => rows.Select(r => (object)(r with { Seconds = 0 })).ToArray();
}

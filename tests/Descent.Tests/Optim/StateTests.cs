using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Tensors;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

/// <summary>Export/import of the optimizer state: a resumed run equals an uninterrupted one, bit for bit.</summary>
public class StateTests
{
    /// <summary>A float32 least-squares problem whose gradient changes with θ.</summary>
    private static (FreeParameters Model, LossObjective Objective) Problem()
    {
        var rng = new Rng(7);
        var a = Tensor.Randn(new Shape(6, 5), rng);
        var b = Tensor.Randn(new Shape(6), rng);
        var m = new FreeParameters(Tensor.Randn(new Shape(5), new Rng(3)));
        return (m, new LossObjective(m, () => (Tensor.MatMul(a, m.X.Reshape(5, 1)).Reshape(6) - b).Square().Mean()));
    }

    private static Optimizer Make(string name, string[] settings, LossObjective objective, string? schedule)
    {
        var opt = OptimizerFactory.Create(name, S(settings), objective.Parameters);
        if (schedule is not null) opt.Schedule = Schedule.Parse(schedule);
        return opt;
    }

    [Theory]
    [InlineData("adam", new[] { "lr=0.05", "average=ema", "average_decay=0.9" }, "warmup:3+cosine:T=20")]
    [InlineData("nadam", new[] { "variant=pytorch", "lr=0.05" }, null)]
    [InlineData("rmsprop", new[] { "centered=true", "momentum=0.9", "lr=0.01", "average=arithmetic" }, "step:size=4,gamma=0.5")]
    [InlineData("adagrad", new[] { "initial_accumulator_value=0.3", "lr_decay=0.1" }, null)]
    [InlineData("lookahead", new[] { "inner=adam", "k=3", "lr=0.05" }, "plateau:factor=0.5,patience=1")]
    [InlineData("rmsprop-nesterov", new[] { "lr=0.01" }, null)]
    [InlineData("yogi", new[] { "lr=0.05", "clip_norm=0.5" }, null)]
    public void ResumingFromExportedStateIsBitIdentical(string name, string[] settings, string? schedule)
    {
        var (m1, o1) = Problem();
        var straight = Make(name, settings, o1, schedule);
        for (int s = 0; s < 12; s++)
        {
            straight.Step(o1);
            if (s % 3 == 2) straight.Schedule.Report(o1.Evaluate(false) * (s == 5 ? 2 : 1));
        }

        var (m2, o2) = Problem();
        var first = Make(name, settings, o2, schedule);
        for (int s = 0; s < 7; s++)
        {
            first.Step(o2);
            if (s % 3 == 2) first.Schedule.Report(o2.Evaluate(false) * (s == 5 ? 2 : 1));
        }
        var saved = first.ExportState();
        var values = o2.Parameters.Values.CloneUnscoped();

        var (m3, o3) = Problem();
        o3.Parameters.Values.CopyFrom(values);
        var resumed = Make(name, settings, o3, schedule);
        resumed.ImportState(saved);
        Assert.Equal(7, resumed.StepCount);
        for (int s = 7; s < 12; s++)
        {
            resumed.Step(o3);
            if (s % 3 == 2) resumed.Schedule.Report(o3.Evaluate(false) * (s == 5 ? 2 : 1));
        }
        Assert.Equal(o1.Parameters.Values.ToArray(), o3.Parameters.Values.ToArray());
        Assert.Equal(straight.LearningRate, resumed.LearningRate);
        if (straight.Average is not null) Assert.Equal(straight.Average.Average.ToArray(), resumed.Average!.Average.ToArray());
    }

    [Fact]
    public void TheExportNamesItsBuffersLikeTorchOptim()
    {
        var (_, o) = Problem();
        var opt = OptimizerFactory.Create("adam", S("amsgrad=true", "average=ema"), o.Parameters);
        opt.Step(o);
        var state = opt.ExportState();
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "polyak.average"], state.Tensors.Keys.Order().ToArray());
        Assert.Equal(1, state.Step);
        Assert.Equal(1, state.Scalars["polyak.count"]);
        Assert.Equal("adam", state.Optimizer);
        Assert.Equal("true", state.Settings["amsgrad"]);
        // The export is a copy: later steps do not change it.
        var before = state.Tensors["exp_avg"].ToArray();
        opt.Step(o);
        Assert.Equal(before, state.Tensors["exp_avg"].ToArray());
    }

    [Fact]
    public void TheExportedSettingsRecreateTheOptimizer()
    {
        var (_, o) = Problem();
        var opt = OptimizerFactory.Create("lookahead", S("k=3", "lr=0.05", "beta1=0.8"), o.Parameters);
        var state = opt.ExportState();
        Assert.Equal(new Dictionary<string, string> { ["k"] = "3", ["inner"] = "adam", ["lr"] = "0.05", ["beta1"] = "0.8" }, state.Settings);
        var again = OptimizerFactory.Create(state.Optimizer, state.Settings);
        Assert.Equal(0.8, ((Lookahead)again).Inner.Settings.Real("beta1"));
    }

    [Fact]
    public void ImportRejectsAnotherOptimizerOrLayout()
    {
        var (_, o) = Problem();
        var adam = OptimizerFactory.Create("adam", S(), o.Parameters);
        adam.Step(o);
        var state = adam.ExportState();
        var (_, o2) = Problem();
        var sgd = OptimizerFactory.Create("sgd", S("momentum=0.9"), o2.Parameters);
        Assert.Contains("is for 'adam', not 'sgd'", Assert.Throws<DataFormatException>(() => sgd.ImportState(state)).Message);
        var amsgrad = OptimizerFactory.Create("adam", S("amsgrad=true"), o2.Parameters);
        Assert.Contains("no tensor 'max_exp_avg_sq'", Assert.Throws<DataFormatException>(() => amsgrad.ImportState(state)).Message);
        var small = new FreeParameters(Tensor.Zeros(new Shape(3)));
        var other = OptimizerFactory.Create("adam", S(), small.Flat);
        Assert.Contains("has 5 elements; this model needs 3", Assert.Throws<DataFormatException>(() => other.ImportState(state)).Message);
    }
}

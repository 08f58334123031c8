using System.Text.Json;
using Descent.Nn;
using Descent.Optim;
using Descent.Tensors;

namespace Descent.Tests.Optim;

/// <summary>
/// <c>variant=pytorch</c> against torch.optim 1.13: 100 float32 steps on Rosenbrock from (−1.5, 2) and on a
/// small tanh MLP, from trajectories stored in Optim/Reference/torch_optim_trajectories.json (made by
/// tools/reference/optim_trajectories.py; the tests do not need Python). Optimizers torch.optim 1.13 does
/// not have (AdaBelief, Yogi, Lion) are compared, in their paper form, with implementations written in
/// PyTorch from their papers in that script. Our gradients come from our own
/// autograd, so the comparison covers the whole loop. Tolerance: every parameter within
/// tol·max(1, |θ_torch|) at every stored step, and the loss before it within the same relative tolerance,
/// with tol = 1e-6 on Rosenbrock (where most trajectories are bit-identical; the largest difference seen is
/// 2e-7) and 1e-5 on the MLP (float32 rounding differences in the matrix products and the kernels,
/// accumulated over 100 steps; the largest seen is 4e-6, RMSProp dividing by small roots).
/// </summary>
public class PytorchTrajectoryTests
{
    /// <summary>Relative tolerance after up to 100 float32 steps on Rosenbrock.</summary>
    public const double RosenbrockTolerance = 1e-6;

    /// <summary>Relative tolerance after up to 100 float32 steps on the MLP.</summary>
    public const double MlpTolerance = 1e-5;

    private static readonly Lazy<JsonDocument> Data = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Optim", "Reference", "torch_optim_trajectories.json"))));

    public static TheoryData<int, string> Runs()
    {
        var data = new TheoryData<int, string>();
        int i = 0;
        foreach (var run in Data.Value.RootElement.GetProperty("runs").EnumerateArray())
            data.Add(i++, $"{run.GetProperty("problem").GetString()} {run.GetProperty("torch").GetString()}");
        return data;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    /// <summary>Our version of the run's problem: the model and its loss.</summary>
    private static (Module Model, Func<Tensor> Loss) Problem(string name)
    {
        var p = Data.Value.RootElement.GetProperty("problems").GetProperty(name);
        if (name == "rosenbrock")
        {
            var m = new FreeParameters(Tensor.From(Floats(p.GetProperty("x0")), 2));
            return (m, () =>
            {
                var x = m.X.Narrow(0, 0, 1);
                var y = m.X.Narrow(0, 1, 1);
                return ((1 - x).Square() + 100 * (y - x.Square()).Square()).Sum();
            });
        }
        var init = p.GetProperty("init");
        var shapes = p.GetProperty("shapes");
        var items = p.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).Select(n =>
        {
            var shape = shapes.GetProperty(n).EnumerateArray().Select(d => d.GetInt32()).ToArray();
            return (n, Tensor.From(Floats(init.GetProperty(n)), shape), n.StartsWith('b') ? ParameterKind.Bias : ParameterKind.Weight);
        }).ToArray();
        var mlp = new FreeParameters(items);
        var xs = Tensor.From(Floats(p.GetProperty("x")), 16, 4);
        var ys = Tensor.From(Floats(p.GetProperty("y")), 16, 3);
        return (mlp, () =>
        {
            var h = (Tensor.MatMul(xs, mlp.Items[0], transB: true) + mlp.Items[1]).Tanh();
            var o = Tensor.MatMul(h, mlp.Items[2], transB: true) + mlp.Items[3];
            return (o - ys).Square().Mean();
        });
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void MatchesTorchOptim(int index, string description)
    {
        var run = Data.Value.RootElement.GetProperty("runs")[index];
        string problem = run.GetProperty("problem").GetString()!;
        double tol = problem == "rosenbrock" ? RosenbrockTolerance : MlpTolerance;
        var (model, loss) = Problem(problem);
        var settings = run.GetProperty("settings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var objective = new LossObjective(model, loss);
        var opt = OptimizerFactory.Create(run.GetProperty("optimizer").GetString()!, settings, objective.Parameters);
        var snapshots = run.GetProperty("snapshots").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetInt32());
        int last = snapshots.Keys.Max();
        for (int step = 1; step <= last; step++)
        {
            var r = opt.Step(objective);
            if (!snapshots.TryGetValue(step, out var snap)) continue;
            double expectedLoss = snap.GetProperty("loss").GetSingle();
            Assert.True(Math.Abs(r.Loss - expectedLoss) <= tol * Math.Max(1, Math.Abs(expectedLoss)),
                $"{description}: loss before step {step} is {r.Loss:R}, torch {expectedLoss:R}");
            var expected = Floats(snap.GetProperty("params"));
            var actual = objective.Parameters.Values.ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                    $"{description}: θ[{i}] after step {step} is {actual[i]:R}, torch {expected[i]:R} (|Δ| = {Math.Abs(actual[i] - expected[i]):E2})");
        }
    }
}

using System.Diagnostics;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Cli.Commands;

/// <summary>
/// A model whose data-parallel scaling <c>descent bench --scale</c> measures and projects: fmnist_mlp (the
/// benchmark problem's 784-1000-500-100-10 MLP, 1.3 M parameters) and a larger MLP, 784-2048-2048-2048-10
/// (10.0 M parameters, 40 MB of float32 gradients). Inputs are random (the time of a step does not depend on
/// the values).
/// </summary>
/// <param name="Name">Its name in tables.</param>
/// <param name="Build">Builds the model.</param>
internal sealed record ScaleCase(string Name, Func<Module> Build)
{
    /// <summary>The two models.</summary>
    public static IReadOnlyList<ScaleCase> All { get; } =
    [
        new("fmnist_mlp", () => ProblemCatalog.Create("fmnist_mlp").BuildModel(0)),
        new("mlp_2048x3", () =>
        {
            var rng = Rng.Stream(0, "init");
            return new Sequential(
                new Linear(784, 2048, rng: rng), new ReLU(),
                new Linear(2048, 2048, rng: rng), new ReLU(),
                new Linear(2048, 2048, rng: rng), new ReLU(),
                new Linear(2048, 10, rng: rng));
        }),
    ];

    /// <summary>A model with its objective on a random batch of <paramref name="batch"/> examples.</summary>
    public Objective Objective(int batch)
    {
        var model = Build();
        model.Flatten();
        var o = new Objective(model, new CrossEntropy());
        var rng = new Rng(11);
        var x = Tensor.Randn(new Shape(batch, 784), rng).CloneUnscoped();
        o.SetBatch(x, Targets.FromClasses(Enumerable.Range(0, batch).Select(_ => rng.NextInt(10)).ToArray()));
        return o;
    }

    /// <summary>Bytes of the flat gradient (float32).</summary>
    public long GradientBytes(Objective o) => (long)o.Parameters.Count * sizeof(float);

    /// <summary>Median seconds of <paramref name="reps"/> forward-and-backward passes after two warm-up passes;
    /// <paramref name="after"/> runs after each pass, inside the timing (the all-reduce, for a data-parallel step).</summary>
    public static double Median(Objective o, int reps, Action? after = null)
    {
        var times = new double[reps];
        for (int i = -2; i < reps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (TensorScope.Begin()) o.Evaluate();
            after?.Invoke();
            if (i >= 0) times[i] = clock.Elapsed.TotalSeconds;
        }
        return MedianOf(times);
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double MedianOf(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}

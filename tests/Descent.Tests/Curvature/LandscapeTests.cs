using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Tests.Curvature;

public class LandscapeTests
{
    [Fact]
    public void FilterNormalizedDirectionsMatchEveryFiltersNorm()
    {
        var model = new Sequential(new Linear(6, 4, rng: new Rng(1)), new ReLU(), new Linear(4, 3, rng: new Rng(2)));
        var flat = model.Flat;
        var d = Directions.FilterNormalized(flat, Rng.Stream(7, "d1"));
        var theta = flat.Values.ToDoubleArray();
        foreach (var s in flat.Slots)
        {
            if (s.Parameter.Rank < 2)
            {
                Assert.All(d.Skip(s.Offset).Take(s.Length), v => Assert.Equal(0, v));
                continue;
            }
            int rows = s.Parameter.Shape[0], size = s.Length / rows;
            for (int r = 0; r < rows; r++)
            {
                double dn = Math.Sqrt(d.Skip(s.Offset + r * size).Take(size).Sum(v => v * v));
                double tn = Math.Sqrt(theta.Skip(s.Offset + r * size).Take(size).Sum(v => v * v));
                Assert.Equal(tn, dn, 5);
            }
        }
        Assert.Equal(d, Directions.FilterNormalized(flat, Rng.Stream(7, "d1")));
        Assert.NotEqual(d, Directions.FilterNormalized(flat, Rng.Stream(8, "d1")));
        var withBiases = Directions.FilterNormalized(flat, Rng.Stream(7, "d1"), includeVectors: true);
        var bias = flat.Slots[1];
        Assert.Equal(Math.Sqrt(theta.Skip(bias.Offset).Take(bias.Length).Sum(v => v * v)),
            Math.Sqrt(withBiases.Skip(bias.Offset).Take(bias.Length).Sum(v => v * v)), 5);
    }

    [Fact]
    public void ThePlaneOfExampleEIsItsEnergyFunction()
    {
        var problem = new TwoLayerScalar(tanh: true);
        var model = problem.Build(0.3, -0.4);
        var data = problem.LoadData(new ProblemContext()).Train;
        var f = new DatasetObjective(model, problem.Loss, problem.Penalties, CurvatureData.FromDataset(data));
        var before = f.Parameters;
        var alphas = LossSurface.Grid(-1, 1, 5);
        var betas = LossSurface.Grid(-2, 2, 3);
        var plane = LossSurface.Plane(f, [0.3, -0.4], [1, 0], [0, 1], alphas, betas);
        for (int r = 0; r < betas.Length; r++)
            for (int c = 0; c < alphas.Length; c++)
                Assert.Equal(problem.Energy(0.3 + alphas[c], -0.4 + betas[r]), plane.Objective[r, c], 12);
        Assert.Equal(before, f.Parameters);
        Assert.True(double.IsNaN(plane.Accuracy[0, 0]));
        Assert.Equal(15, f.FunctionEvaluations);
    }

    [Fact]
    public void InterpolationRunsFromOneSolutionToTheOther()
    {
        var (model, data) = SpectrumTests.SmallMlp();
        var f = new DatasetObjective(model, new CrossEntropy(), null, data);
        var a = f.Parameters;
        var b = a.Select((v, i) => v * 0.5 + 0.01 * Math.Sin(i)).ToArray();
        var line = LossSurface.Line(f, a, Directions.Between(a, b), LossSurface.Grid(-0.5, 1.5, 9));
        Assert.Equal(a, f.Parameters);
        var atA = f.Evaluate();
        f.Parameters = b;
        var atB = f.Evaluate();
        Assert.Equal(atA.Loss, line.Loss[2], 12);   // α = 0
        Assert.Equal(atB.Loss, line.Loss[6], 12);   // α = 1
        Assert.Equal(atB.Accuracy, line.Accuracy[6], 12);
        Assert.Throws<ConfigurationException>(() => LossSurface.Grid(1, 1, 5));
    }

    [Fact]
    public void ATrajectoryInAPlaneIsProjectedWithoutLoss()
    {
        // Points θ₀ + xₜu + yₜw in 50-D with orthonormal u, w: two components explain everything.
        var rng = new Rng(3);
        var u = Enumerable.Range(0, 50).Select(_ => rng.NextNormal()).ToArray();
        var w = Enumerable.Range(0, 50).Select(_ => rng.NextNormal()).ToArray();
        double nu = Math.Sqrt(u.Sum(v => v * v));
        u = u.Select(v => v / nu).ToArray();
        double uw = u.Zip(w, (p, q) => p * q).Sum();
        w = w.Select((v, i) => v - uw * u[i]).ToArray();
        double nw = Math.Sqrt(w.Sum(v => v * v));
        w = w.Select(v => v / nw).ToArray();
        var origin = Enumerable.Range(0, 50).Select(i => Math.Cos(i)).ToArray();
        double[] xs = [3, 2, 1.2, 0.5, 0.1, 0], ys = [1, -0.5, 0.4, -0.2, 0.05, 0];
        var points = xs.Select((x, t) => origin.Select((o, i) => o + x * u[i] + ys[t] * w[i]).ToArray()).ToList();
        var p = Trajectory.Project(points);
        Assert.Equal(1, p.Explained.Sum(), 10);
        Assert.True(p.Explained[0] > p.Explained[1]);
        for (int t = 0; t < points.Count; t++)
            Assert.Equal(xs[t] * xs[t] + ys[t] * ys[t], p.X[t] * p.X[t] + p.Y[t] * p.Y[t], 10);
        Assert.Equal(0, p.X[^1]);
        Assert.Throws<ConfigurationException>(() => Trajectory.Project([origin, origin]));
    }
}

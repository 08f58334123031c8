using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Tests.Curvature;

public class PruningTests
{
    /// <summary>Linear regression y = Xw + b at its least-squares minimum (float64), with data for it.</summary>
    private static (Module Model, CurvatureData Data) RegressionAtMinimum()
    {
        var rng = new Rng(8);
        int n = 50;
        double[] w = [2, -1, 0.05, 0.5];
        var x = new double[n * 4];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++) { x[i * 4 + j] = rng.NextNormal(); y[i] += w[j] * x[i * 4 + j]; }
            y[i] += 0.3 + 0.1 * rng.NextNormal();
        }
        // Normal equations for [w; b].
        var a = new double[5, 6];
        for (int i = 0; i < n; i++)
        {
            double[] row = [x[i * 4], x[i * 4 + 1], x[i * 4 + 2], x[i * 4 + 3], 1];
            for (int r = 0; r < 5; r++)
            {
                for (int c = 0; c < 5; c++) a[r, c] += row[r] * row[c];
                a[r, 5] += row[r] * y[i];
            }
        }
        for (int p = 0; p < 5; p++)
            for (int r = 0; r < 5; r++)
            {
                if (r == p) continue;
                double f = a[r, p] / a[p, p];
                for (int c = p; c < 6; c++) a[r, c] -= f * a[p, c];
            }
        var model = new Sequential(new Linear(4, 1, dtype: DType.Float64));
        var values = model.Flat.Values.Doubles;
        for (int j = 0; j < 5; j++) values[j] = a[j, 5] / a[j, j];
        return (model, CurvatureData.Batch(Tensor.From(x, n, 4).CloneUnscoped(), Tensor.From(y, n, 1).CloneUnscoped()));
    }

    [Fact]
    public void AtAMinimumTheSaliencyOfOneWeightIsItsLossIncrease()
    {
        var (model, data) = RegressionAtMinimum();
        var loss = new MeanSquaredError();
        var f = new DatasetObjective(model, loss, null, data);
        var g = f.Gradient(out _);
        Assert.True(g.All(v => Math.Abs(v) < 1e-10), "the model sits at its minimum");
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, model, loss, data);
        var theta = f.Parameters;
        // One of four weights: the one with the smallest ½Hᵢᵢwᵢ² (the 0.05 weight).
        var r = OptimalBrainDamage.Prune(model, h, f, new PruningOptions { Fraction = 0.25 });
        Assert.Equal(1, r.Pruned);
        Assert.Equal(4, r.Candidates);
        Assert.Equal(2, Array.IndexOf(r.Mask, (byte)0));
        Assert.Equal(r.PredictedIncrease, r.After.Objective - r.Before.Objective, 12);
        Assert.True(r.ExactDiagonal);
        Assert.Equal(5, r.Products);
        Assert.Equal(theta, f.Parameters);
    }

    [Fact]
    public void PruningHalfTheWeightsReportsBothRulesAndRestoresTheModel()
    {
        var (model, data) = SpectrumTests.SmallMlp();
        var loss = new CrossEntropy();
        var f = new DatasetObjective(model, loss, null, data);
        var ggn = CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data);
        var theta = f.Parameters;
        var r = OptimalBrainDamage.Prune(model, ggn, f, new PruningOptions { Fraction = 0.5, ExactDiagonalLimit = 100, Samples = 20 });
        Assert.False(r.ExactDiagonal);
        Assert.Equal(20, r.Products);
        int weights = model.Flat.Slots.Where(s => s.Kind == ParameterKind.Weight).Sum(s => s.Length);
        Assert.Equal(weights, r.Candidates);
        Assert.Equal(weights / 2, r.Pruned);
        Assert.Equal(r.Pruned, r.Mask.Count(m => m == 0));
        Assert.All(model.Flat.Slots.Where(s => s.Kind == ParameterKind.Bias), s => Assert.All(r.Mask.Skip(s.Offset).Take(s.Length), m => Assert.Equal(1, m)));
        Assert.Equal(theta, f.Parameters);
        Assert.NotEqual(r.Before.Loss, r.After.Loss);
        Assert.NotEqual(r.After.Loss, r.MagnitudeAfter.Loss);
        Assert.InRange(r.After.Accuracy, 0, 1);
        Assert.Throws<ConfigurationException>(() => OptimalBrainDamage.Prune(model, ggn, f, new PruningOptions { Fraction = 1.5 }));
    }
}

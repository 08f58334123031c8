using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Problems;
using Descent.Problems.Functions;
using Descent.Tensors;
using static Descent.Tests.Curvature.CurvatureFixtures;

namespace Descent.Tests.Curvature;

/// <summary>Every product of the curvature layer against a dense matrix built independently from Jacobians and
/// dense Hessians, on tiny float64 models.</summary>
public class CurvatureOperatorTests
{
    [Fact]
    public void HessianProductsEqualTheDenseHessianOfTheObjective()
    {
        var loss = new CrossEntropy();
        var (model, x, y) = Tiny(loss);
        var objective = new Objective(model, loss, Penalty.L2(0.03));
        objective.SetBatch(x, y);
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, objective);
        var reference = CurvatureFixtures.ToMatrix(Descent.Autograd.Derivatives.Hessian(objective.Value, model.Flat.Values.Clone()));
        Assert.True(RelativeError(Dense(h), reference) < 1e-12);
        Assert.Equal(model.Flat.Count, h.Products);
    }

    [Theory]
    [InlineData("cross_entropy")]
    [InlineData("mse")]
    [InlineData("bce_logits")]
    public void GaussNewtonProductsEqualJTransposeHJFromJacobians(string lossName)
    {
        var loss = Loss.Create(lossName);
        var (model, x, y) = Tiny(loss);
        var ggn = CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, CurvatureData.Batch(x, y));
        var outputs = model.Forward(x);
        var reference = Sandwich(Jacobian(model, x), OutputHessian(loss, outputs, y));
        Assert.True(RelativeError(Dense(ggn), reference) < 1e-12, $"{lossName}: {RelativeError(Dense(ggn), reference)}");
    }

    [Fact]
    public void TheTrueFisherIsTheGaussNewtonMatrixAndTheHessianIsNot()
    {
        var loss = new CrossEntropy();
        var (model, x, y) = Tiny(loss);
        var data = CurvatureData.Batch(x, y);
        var f = Dense(CurvatureOperator.Create(CurvatureKind.Fisher, model, loss, data));
        var g = Dense(CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data));
        var h = Dense(CurvatureOperator.Create(CurvatureKind.Hessian, model, loss, data));
        Assert.True(RelativeError(f, g) < 1e-14);
        // The network's own second derivatives (tanh) make the Hessian differ from the GGN.
        Assert.True(RelativeError(h, g) > 1e-3);
        // ...and the Hessian of the loss alone matches a dense reference.
        Assert.True(RelativeError(h, LossHessian(model, loss, x, y)) < 1e-12);
    }

    [Theory]
    [InlineData("cross_entropy")]
    [InlineData("mse")]
    public void EmpiricalFisherIsTheMeanOuterProductOfPerExampleGradients(string lossName)
    {
        var loss = Loss.Create(lossName);
        var (model, x, y) = Tiny(loss);
        int n = x.Shape[0], dim = model.Flat.Count;
        var ef = Dense(CurvatureOperator.Create(CurvatureKind.EmpiricalFisher, model, loss, CurvatureData.Batch(x, y)));
        var reference = new double[dim, dim];
        var one = new Objective(model, loss);
        for (int i = 0; i < n; i++)
        {
            one.SetBatch(x.Rows(i, 1), y.Rows(i, 1));
            one.Evaluate();
            var g = model.Flat.Grads.ToDoubleArray();
            for (int a = 0; a < dim; a++)
                for (int b = 0; b < dim; b++) reference[a, b] += g[a] * g[b] / n;
        }
        Assert.True(RelativeError(ef, reference) < 1e-12, $"{RelativeError(ef, reference)}");
    }

    [Fact]
    public void SampledFisherIsSymmetricPositiveAndAveragesToTheTrueFisher()
    {
        var loss = new CrossEntropy();
        var (model, x, y) = Tiny(loss);
        var data = CurvatureData.Batch(x, y);
        var few = CurvatureOperator.Create(CurvatureKind.SampledFisher, model, loss, data, options: new CurvatureOptions { Seed = 5 });
        var v = Tensor.Randn(new Shape(model.Flat.Count), new Rng(9), dtype: F64).ToDoubleArray();
        var u = Tensor.Randn(new Shape(model.Flat.Count), new Rng(10), dtype: F64).ToDoubleArray();
        // A fixed matrix at fixed θ: the same labels for every product, so it is symmetric and PSD.
        Assert.Equal(few.Apply(v), few.Apply(v));
        double uFv = Dot(u, few.Apply(v)), vFu = Dot(v, few.Apply(u));
        Assert.Equal(uFv, vFu, 10);
        Assert.True(Dot(v, few.Apply(v)) >= 0);
        // Many labels per example: close to the true Fisher (Monte Carlo error ~ 1/√(S·N)).
        var many = CurvatureOperator.Create(CurvatureKind.SampledFisher, model, loss, data, options: new CurvatureOptions { Seed = 5, FisherSamples = 4000 });
        var exact = CurvatureOperator.Create(CurvatureKind.Fisher, model, loss, data).Apply(v);
        var estimate = many.Apply(v);
        double err = Math.Sqrt(estimate.Zip(exact, (a, b) => (a - b) * (a - b)).Sum()) / Math.Sqrt(exact.Sum(a => a * a));
        Assert.True(err < 0.05, $"relative error {err}");
        // A single draw is much further off, and a different seed draws different labels.
        var other = CurvatureOperator.Create(CurvatureKind.SampledFisher, model, loss, data, options: new CurvatureOptions { Seed = 6 });
        Assert.NotEqual(few.Apply(v), other.Apply(v));
    }

    [Fact]
    public void ChunksAverageToTheWholeBatchAndKeptGraphsChangeNothing()
    {
        var loss = new CrossEntropy();
        var (model, x, y) = Tiny(loss, n: 10);
        var labels = y.Classes!;
        var ds = new Descent.Data.Dataset(x, labels, classCount: 3);
        foreach (var kind in new[] { CurvatureKind.Hessian, CurvatureKind.GaussNewton, CurvatureKind.EmpiricalFisher })
        {
            var whole = Dense(CurvatureOperator.Create(kind, model, loss, CurvatureData.Batch(x, y)));
            var chunked = Dense(CurvatureOperator.Create(kind, model, loss, CurvatureData.FromDataset(ds, chunkSize: 3)));
            var uncached = Dense(CurvatureOperator.Create(kind, model, loss, CurvatureData.FromDataset(ds, chunkSize: 4),
                options: new CurvatureOptions { CachedExamples = 0 }));
            Assert.True(RelativeError(chunked, whole) < 1e-13, kind.ToString());
            Assert.True(RelativeError(uncached, whole) < 1e-13, kind.ToString());
        }
    }

    [Fact]
    public void PenaltiesAddTheirHessianToEveryKind()
    {
        var loss = new CrossEntropy();
        var (model, x, y) = Tiny(loss);
        var data = CurvatureData.Batch(x, y);
        var plain = Dense(CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data));
        var penalized = Dense(CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data, [Penalty.L2(0.25)]));
        var off = Dense(CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data, [Penalty.L2(0.25)],
            new CurvatureOptions { IncludePenalties = false }));
        foreach (var s in model.Flat.Slots)
            for (int i = s.Offset; i < s.Offset + s.Length; i++)
                Assert.Equal(plain[i, i] + (s.Kind == ParameterKind.Weight ? 0.5 : 0), penalized[i, i], 12);
        Assert.True(RelativeError(off, plain) == 0);
    }

    [Fact]
    public void ProductsFollowTheParametersAndAreCountedInOneSharedCounter()
    {
        var loss = new CrossEntropy();
        var (model, x, y) = Tiny(loss);
        var counter = new ProductCounter();
        var data = CurvatureData.Batch(x, y);
        var h = CurvatureOperator.Create(CurvatureKind.Hessian, model, loss, data, counter: counter);
        var g = CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data, counter: counter);
        var e = new double[model.Flat.Count];
        e[3] = 1;
        var before = g.Apply(e);
        h.Apply(e);
        using (Descent.Autograd.Autodiff.NoGrad()) model.Flat.Values.MulInPlace(1.5);
        var after = g.Apply(e);
        Assert.NotEqual(before, after);
        var fresh = CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, data).Apply(e);
        Assert.Equal(fresh, after);
        Assert.Equal(3, counter.Total);
        Assert.Equal(2, counter.Count(CurvatureKind.GaussNewton));
        Assert.Equal(1, counter.Count(CurvatureKind.Hessian));
        Assert.Equal(2, g.Products);
        g.Damped(2).Apply(e);
        Assert.Equal(3, g.Products);
    }

    [Fact]
    public void DampingAndBlocksAreTheMatrixPieces()
    {
        var loss = new MeanSquaredError();
        var (model, x, y) = Tiny(loss);
        var ggn = CurvatureOperator.Create(CurvatureKind.GaussNewton, model, loss, CurvatureData.Batch(x, y));
        var g = Dense(ggn);
        var damped = Dense(ggn.Damped(0.7));
        for (int i = 0; i < ggn.Dimension; i++) Assert.Equal(g[i, i] + 0.7, damped[i, i], 13);
        var blocks = CurvatureBlocks.ByLayer(model.Flat);
        Assert.Equal(["0", "2"], blocks.Select(b => b.Name));
        Assert.Equal([25, 18], blocks.Select(b => b.Length));
        var second = Dense(ggn.Block(blocks[1]));
        for (int i = 0; i < 18; i++)
            for (int j = 0; j < 18; j++) Assert.Equal(g[25 + i, 25 + j], second[i, j], 13);
        Assert.Throws<ShapeException>(() => ggn.Block(new ParameterBlock("x", 40, 10, [])));
    }

    [Fact]
    public void FisherKindsRefuseLossesThatAreNotLikelihoods()
    {
        var loss = new Hinge();
        var (model, x, _) = Tiny(new CrossEntropy());
        var data = CurvatureData.Batch(x, new[] { 0, 1, 2, 0, 1, 2, 0 });
        var e = Assert.Throws<ConfigurationException>(() => CurvatureOperator.Create(CurvatureKind.Fisher, model, loss, data));
        Assert.Contains("hinge", e.Message);
        Assert.Throws<ConfigurationException>(() => CurvatureOperator.Create(CurvatureKind.SampledFisher, model, loss, data));
        // The empirical Fisher and the GGN need no likelihood.
        Assert.True(CurvatureOperator.Create(CurvatureKind.EmpiricalFisher, model, loss, data).Apply(new double[model.Flat.Count]).All(v => v == 0));
        Assert.Equal(CurvatureKind.SampledFisher, CurvatureKinds.Parse("fisher_sampled"));
        Assert.Equal(CurvatureKind.GaussNewton, CurvatureKinds.Parse("Gauss-Newton"));
        Assert.Throws<ConfigurationException>(() => CurvatureKinds.Parse("hessain"));
    }

    [Fact]
    public void OnTheDeepQuadraticHessianAndGaussNewtonAreTheConstructedMatrix()
    {
        var problem = new QuadraticDeep();
        var model = problem.BuildModel(0).To(F64);
        var data = problem.LoadData(new ProblemContext());
        var q = QuadraticDeep.HessianMatrix(0).ToDoubleArray();
        foreach (var kind in new[] { CurvatureKind.Hessian, CurvatureKind.GaussNewton })
        {
            var c = CurvatureOperator.Create(kind, model, problem.Loss, CurvatureData.FromDataset(data.Train, 64));
            Assert.True(RelativeError(Dense(c), CurvatureFixtures.ToMatrix(q, 100)) < 1e-12, kind.ToString());
        }
    }

    [Fact]
    public void TheHessianOfATestFunctionComesFromItsObjective()
    {
        var saddle = new FunctionObjective(new Saddle(), [0.0, 0.0]);
        var h = Dense(CurvatureOperator.Hessian(saddle));
        Assert.Equal(new double[,] { { 2, 0 }, { 0, -2 } }, h);
        Assert.Equal(2, saddle.HessianVectorProducts);
        var m = CurvatureOperator.FromMatrix([1, 2, 2, 5], 2);
        Assert.Equal([5.0, 12.0], m.Apply([1.0, 2.0]));
        Assert.Throws<ShapeException>(() => CurvatureOperator.FromMatrix([1, 2, 3], 2));
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();
}

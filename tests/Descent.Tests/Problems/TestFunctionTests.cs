using Descent.Autograd;
using Descent.Problems.Functions;
using Descent.Tensors;

namespace Descent.Tests.Problems;

public class TestFunctionTests
{
    public static TheoryData<string, int?> Functions => new()
    {
        { "square", 3 }, { "rosenbrock", 2 }, { "rosenbrock", 4 }, { "beale", null }, { "himmelblau", null },
        { "rastrigin", 3 }, { "saddle", null }, { "quadratic:kappa=50", 3 },
    };

    private static double[] Point(int n, int seed)
    {
        var rng = new Rng((ulong)seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 0.5).ToArray();
    }

    [Theory, MemberData(nameof(Functions))]
    public void ExactDerivativesEqualAutograd(string spec, int? dim)
    {
        var f = TestFunctions.Create(spec, dim);
        for (int trial = 0; trial < 3; trial++)
        {
            var x = Point(f.Dimension, trial + 7);
            var xt = Tensor.From(x).RequireGrad();
            var value = f.Evaluate(xt);
            Assert.Equal(f.Value(x), value.Item(), 10);
            var auto = Autodiff.Grad(value, [xt])[0]!.ToDoubleArray();
            var exact = new double[f.Dimension];
            f.Gradient(x, exact);
            for (int i = 0; i < exact.Length; i++) Assert.Equal(exact[i], auto[i], 1e-9 * (1 + Math.Abs(exact[i])));

            var h = Derivatives.Hessian(f.Evaluate, Tensor.From(x));
            var he = f.Hessian(x);
            for (int i = 0; i < f.Dimension; i++)
                for (int j = 0; j < f.Dimension; j++)
                    Assert.Equal(he[i, j], h[i, j], 1e-8 * (1 + Math.Abs(he[i, j])));
        }
    }

    [Theory, MemberData(nameof(Functions))]
    public void MinimizersAreStationaryWithZeroValue(string spec, int? dim)
    {
        var f = TestFunctions.Create(spec, dim);
        foreach (var m in f.Minimizers)
        {
            Assert.Equal(0, f.Value(m), 9);
            var g = new double[f.Dimension];
            f.Gradient(m, g);
            Assert.All(g, v => Assert.Equal(0, v, 1e-8));
        }
    }

    [Fact]
    public void IllConditionedQuadraticHasTheRequestedConditionNumber()
    {
        var f = (IllConditionedQuadratic)TestFunctions.Create("quadratic:kappa=100", 5);
        var h = f.Hessian(new double[5]);
        Assert.Equal(100, h[4, 4] / h[0, 0], 9);
    }

    [Theory]
    [InlineData("nope", null, "Unknown function 'nope'")]
    [InlineData("beale", 3, "2 dimensions")]
    [InlineData("quadratic:kappa=0.5", null, "kappa")]
    [InlineData("square:zeta=1", null, "no setting 'zeta'")]
    public void BadSpecsGiveClearErrors(string spec, int? dim, string fragment)
    {
        var ex = Assert.Throws<ConfigurationException>(() => TestFunctions.Create(spec, dim));
        Assert.Contains(fragment, ex.Message);
    }

    [Fact]
    public void ObjectiveGradientNoiseIsSeededAndUnbiasedInMean()
    {
        var f = TestFunctions.Create("square", 1);
        double Mean(ulong seed)
        {
            var o = new FunctionObjective(f, [3.0], gradientNoise: 0.5, seed: seed);
            double s = 0;
            for (int i = 0; i < 2000; i++) { o.Evaluate(); s += o.Parameters.Grads.Item(); }
            return s / 2000;
        }
        Assert.Equal(Mean(4), Mean(4));
        Assert.Equal(6.0, Mean(4), 0.05);
        Assert.NotEqual(Mean(4), Mean(5));
    }

    [Fact]
    public void ObjectiveHessianVectorProductOnRosenbrock()
    {
        var f = new Rosenbrock(2);
        var o = new FunctionObjective(f, [-1.5, 2.0]);
        var hv = o.HessianVectorProduct(Tensor.From(new double[] { 1, -2 })).ToDoubleArray();
        var h = f.Hessian([-1.5, 2.0]);
        Assert.Equal(h[0, 0] - 2 * h[0, 1], hv[0], 9);
        Assert.Equal(h[1, 0] - 2 * h[1, 1], hv[1], 9);
        Assert.Equal(1, o.HessianVectorProducts);
    }
}

using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Problems.Functions;
using Descent.Tensors;

namespace Descent.Tests.Optim.SecondOrder;

public sealed class KfacTests
{
    private static Dictionary<string, string> S(params string[] kv) => kv.ToDictionary(s => s.Split('=')[0], s => s.Split('=')[1]);

    /// <summary>A one-layer model on ONE example: its empirical Fisher is exactly (āāᵀ) ⊗ (ggᵀ), so K-FAC's factors
    /// must reproduce the curvature layer's dense empirical Fisher entry by entry.</summary>
    private static (Objective Objective, int Out, int In) OneExample(Module layer, Tensor x)
    {
        var model = new Sequential(layer);
        var objective = new Objective(model, new CrossEntropy());
        objective.SetBatch(x, new[] { 1 });
        var flat = model.Flat;
        return (objective, flat.Slots[0].Parameter.Shape[0], flat.Slots[0].Length / flat.Slots[0].Parameter.Shape[0]);
    }

    private static double[] KronFisher(double[] a, double[] g, int outs, int ins)
    {
        // θ = [W row-major (o, i), b (o)]; ā = (a, 1): index i = ins stands for the bias.
        int n = outs * ins + outs;
        int Index(int o, int i) => i < ins ? o * ins + i : outs * ins + o;
        int da = ins + 1;
        var f = new double[n * n];
        for (int o = 0; o < outs; o++)
            for (int i = 0; i <= ins; i++)
                for (int o2 = 0; o2 < outs; o2++)
                    for (int i2 = 0; i2 <= ins; i2++)
                        f[Index(o, i) * n + Index(o2, i2)] = g[o * outs + o2] * a[i * da + i2];
        return f;
    }

    public static TheoryData<string> Layers => ["linear", "conv"];

    [Theory]
    [MemberData(nameof(Layers))]
    public void FactorsOfOneExample_AreItsEmpiricalFisherExactly(string kind)
    {
        var rng = new Rng(5);
        var (objective, outs, ins) = kind == "linear"
            ? OneExample(new Linear(4, 3, rng: rng, dtype: DType.Float64), Tensor.Randn(new Shape(1, 4), rng, dtype: DType.Float64))
            // a 3×3 kernel over a 3×3 image has one output position: the convolution is a linear layer on the patch
            : OneExample(new Conv2d(2, 3, 3, rng: rng, dtype: DType.Float64), Tensor.Randn(new Shape(1, 2, 3, 3), rng, dtype: DType.Float64));
        if (kind == "conv") objective = new Objective(new Sequential(objective.Model, new Flatten()), new CrossEntropy());
        if (kind == "conv") objective.SetBatch(Tensor.Randn(new Shape(1, 2, 3, 3), new Rng(6), dtype: DType.Float64), new[] { 1 });
        var kfac = (Kfac)OptimizerFactory.Create("kfac", S("fisher=empirical", "lr=0"), objective.Parameters);
        kfac.Step(objective);
        var (a, g) = kfac.Factors(0);
        var expected = CurvatureOperator.Create(CurvatureKind.EmpiricalFisher, objective).Dense();
        var actual = KronFisher(a, g, outs, ins);
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-10 * scale);
    }

    [Fact]
    public void Step_IsTheDampedKroneckerSolve()
    {
        var rng = new Rng(9);
        var (objective, outs, ins) = OneExample(new Linear(3, 2, rng: rng, dtype: DType.Float64), Tensor.Randn(new Shape(1, 3), rng, dtype: DType.Float64));
        double gamma = 0.01;
        var kfac = (Kfac)OptimizerFactory.Create("kfac", S("fisher=empirical", "lr=1", "momentum=0", "kl_clip=0", $"damping={gamma}"), objective.Parameters);
        var theta0 = objective.Parameters.Values.ToDoubleArray();
        objective.Evaluate();
        var grad = objective.Parameters.Grads.ToDoubleArray();
        kfac.Step(objective);
        var step = objective.Parameters.Values.ToDoubleArray().Zip(theta0, (x, y) => x - y).ToArray();
        var (a, g) = kfac.Factors(0);
        int da = ins + 1;
        double trA = Enumerable.Range(0, da).Sum(i => a[i * da + i]) / da, trG = Enumerable.Range(0, outs).Sum(i => g[i * outs + i]) / outs;
        double pi = Math.Sqrt(trA / trG);
        for (int i = 0; i < da; i++) a[i * da + i] += pi * Math.Sqrt(gamma);
        for (int i = 0; i < outs; i++) g[i * outs + i] += Math.Sqrt(gamma) / pi;
        var f = KronFisher(a, g, outs, ins);
        int n = grad.Length;
        var fStep = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) fStep[i] += f[i * n + j] * step[j];
        for (int i = 0; i < n; i++) Assert.Equal(-grad[i], fStep[i], 1e-9);   // (G̃ ⊗ Ã)·Δθ = −g
    }

    [Fact]
    public void NeedsANetwork()
    {
        var objective = new FunctionObjective(new Rosenbrock(2), [0, 0]);
        var e = Assert.Throws<ConfigurationException>(() => OptimizerFactory.Create("kfac", null, objective.Parameters));
        Assert.Contains("Linear and Conv2d", e.Message);
    }
}

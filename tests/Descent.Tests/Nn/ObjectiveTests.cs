using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class ObjectiveTests
{
    private const DType F64 = DType.Float64;

    /// <summary>A 4-5-3 tanh network on 6 examples with cross-entropy and an L2 penalty, in float64.</summary>
    private static Objective SmallMlp(double lambda = 0.01, params Penalty[] extra)
    {
        var model = new Sequential(new Linear(4, 5, rng: new Rng(1), dtype: F64), new Tanh(), new Linear(5, 3, rng: new Rng(2), dtype: F64));
        var objective = new Objective(model, new CrossEntropy(), [Penalty.L2(lambda), .. extra]);
        objective.SetBatch(Tensor.Randn(new Shape(6, 4), new Rng(3), dtype: F64), new[] { 0, 2, 1, 1, 0, 2 });
        return objective;
    }

    [Fact]
    public void ValueIsMeanLossPlusPenalty()
    {
        var obj = SmallMlp(0.05, Penalty.L1(0.02, ParameterSelector.All));
        double f = obj.Evaluate(computeGradient: false);
        var lin0 = (Linear)((Sequential)obj.Model)[0];
        var lin2 = (Linear)((Sequential)obj.Model)[2];
        double sq = lin0.Weight.ToDoubleArray().Sum(v => v * v) + lin2.Weight.ToDoubleArray().Sum(v => v * v);
        double abs = obj.Model.Parameters().Sum(p => p.ToDoubleArray().Sum(Math.Abs));
        double loss = new CrossEntropy().Compute(obj.Model.Forward(obj.Inputs), obj.Targets).Item();
        Assert.Equal(loss + 0.05 * sq + 0.02 * abs, f, 12);
        Assert.Equal(loss, obj.LastLoss, 12);
        Assert.Equal(0.05 * sq + 0.02 * abs, obj.LastPenalty, 12);
        Assert.Equal(1, obj.FunctionEvaluations);
        Assert.Equal(0, obj.GradientEvaluations);
    }

    [Fact]
    public void GradientMatchesFiniteDifferencesAndOverwritesTheBuffer()
    {
        var obj = SmallMlp();
        var flat = obj.Parameters;
        flat.Grads.Fill(123);
        obj.Evaluate();
        var grad = flat.Grads.ToDoubleArray();
        var theta = flat.Values.Clone();
        // The analytic gradient of the functional form is checked against central differences...
        var check = GradCheck.Check(xs => obj.Value(xs[0]), [theta]);
        Assert.True(check.Passed, check.ToString());
        // ...and equals what Evaluate wrote.
        var viaValue = GradientOfValue(obj, theta);
        for (int i = 0; i < grad.Length; i++) Assert.Equal(viaValue[i], grad[i], 12);
        Assert.Equal(1, obj.GradientEvaluations);
    }

    private static double[] GradientOfValue(Objective obj, Tensor theta)
    {
        var x = theta.Clone().RequireGrad();
        return Autodiff.Grad(obj.Value(x), [x])[0]!.ToDoubleArray();
    }

    [Fact]
    public void PenaltyGradientFollowsTheConvention()
    {
        // λ‖θ‖² has gradient 2λθ; PyTorch's weight_decay = wd adds wd·θ, i.e. λ = wd/2.
        var model = new Linear(3, 2, rng: new Rng(4), dtype: F64);
        var obj = new Objective(model, new MeanSquaredError(), Penalty.FromWeightDecay(0.1));
        obj.SetBatch(Tensor.Zeros(new Shape(2, 3), F64), Tensor.Zeros(new Shape(2, 2), F64));
        var withPenalty = Gradient(obj);
        var plain = new Objective(model, new MeanSquaredError());
        plain.SetBatch(obj.Inputs, obj.Targets);
        var without = Gradient(plain);
        var w = model.Weight.ToDoubleArray();
        for (int i = 0; i < w.Length; i++) Assert.Equal(0.1 * w[i], withPenalty[i] - without[i], 12);
        for (int i = w.Length; i < withPenalty.Length; i++) Assert.Equal(without[i], withPenalty[i], 12); // bias not penalized
    }

    private static double[] Gradient(Objective o)
    {
        o.Evaluate();
        return o.Parameters.Grads.ToDoubleArray();
    }

    [Fact]
    public void HessianVectorProductEqualsDenseHessianTimesV()
    {
        var obj = SmallMlp();
        var flat = obj.Parameters;
        int n = flat.Count;
        Assert.Equal(4 * 5 + 5 + 5 * 3 + 3, n);
        var hessian = Derivatives.Hessian(obj.Value, flat.Values.Clone());
        var v = Tensor.Randn(new Shape(n), new Rng(5), dtype: F64);
        var hv = obj.HessianVectorProduct(v).ToDoubleArray();
        var dense = Tensor.MatMul(hessian, v.Reshape(n, 1)).ToDoubleArray();
        double scale = dense.Max(Math.Abs);
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(hv[i] - dense[i]) <= 1e-10 * scale, $"element {i}: {hv[i]} vs {dense[i]}");
        // The Hessian is symmetric, and the L2 term contributes 2λ on the weights' diagonal.
        for (int i = 0; i < n; i += 7)
            for (int j = 0; j < n; j += 5) Assert.Equal(hessian[i, j], hessian[j, i], 10);
        Assert.Equal(1, obj.HessianVectorProducts);
    }

    [Fact]
    public void HessianVectorProductMatchesFiniteDifferencesOfGradients()
    {
        var obj = SmallMlp();
        var flat = obj.Parameters;
        var theta = flat.Values.Clone();
        var v = Tensor.Randn(new Shape(flat.Count), new Rng(6), dtype: F64);
        var hv = obj.HessianVectorProduct(v).ToDoubleArray();
        const double h = 1e-5;
        double[] GradAt(double sign)
        {
            using (Autodiff.NoGrad()) flat.Values.CopyFrom(theta).AddInPlace(v, sign * h);
            obj.Evaluate();
            return flat.Grads.ToDoubleArray();
        }
        var gp = GradAt(1);
        var gm = GradAt(-1);
        using (Autodiff.NoGrad()) flat.Values.CopyFrom(theta);
        for (int i = 0; i < hv.Length; i++) Assert.Equal((gp[i] - gm[i]) / (2 * h), hv[i], 6);
    }

    [Fact]
    public void HessianProductsReuseTheGraphUntilParametersOrBatchChange()
    {
        var obj = SmallMlp();
        var flat = obj.Parameters;
        var v = Tensor.Randn(new Shape(flat.Count), new Rng(7), dtype: F64);
        var a = obj.HessianVectorProduct(v).ToDoubleArray();
        Assert.Equal(a, obj.HessianVectorProduct(v).ToDoubleArray());
        // After a step, the product is taken at the new point (compare with a fresh objective there).
        using (Autodiff.NoGrad()) flat.Values.AddInPlace(v, 0.1);
        var moved = obj.HessianVectorProduct(v).ToDoubleArray();
        var fresh = new Objective(obj.Model, obj.Loss, [.. obj.Penalties]);
        fresh.SetBatch(obj.Inputs, obj.Targets);
        Assert.Equal(fresh.HessianVectorProduct(v).ToDoubleArray(), moved);
        Assert.NotEqual(a, moved);
        // A new batch changes it too.
        obj.SetBatch(obj.Inputs.Rows(0, 3), obj.Targets.Rows(0, 3));
        Assert.NotEqual(moved, obj.HessianVectorProduct(v).ToDoubleArray());
        Assert.Equal(4, obj.HessianVectorProducts);
    }

    [Fact]
    public void RunsInsideATensorScope()
    {
        var model = new Sequential(new Linear(40, 50, rng: new Rng(8)), new ReLU(), new Linear(50, 10, rng: new Rng(9)));
        var obj = new Objective(model, new CrossEntropy(), Penalty.L2(1e-3));
        var x = Tensor.Randn(new Shape(64, 40), new Rng(10));
        var y = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
        obj.SetBatch(x, y);
        double first = 0, second = 0;
        float[] g1;
        using (var scope = TensorScope.Begin())
        {
            first = obj.Evaluate();
            var hv = obj.HessianVectorProduct(obj.Parameters.Grads);
            Assert.True(hv.AllFinite());
            Assert.True(scope.RentedCount > 0);
        }
        g1 = obj.Parameters.Grads.ToArray();
        using (TensorScope.Begin())
        {
            second = obj.Evaluate();
            Assert.True(obj.HessianVectorProduct(obj.Parameters.Grads).AllFinite());
        }
        Assert.Equal(first, second);
        Assert.Equal(g1, obj.Parameters.Grads.ToArray());
        Assert.Contains(g1, v => v != 0);
    }

    [Fact]
    public void SetBatchChecksCounts()
    {
        var obj = SmallMlp();
        Assert.Throws<ShapeException>(() => obj.SetBatch(Tensor.Zeros(new Shape(5, 4), F64), new[] { 0, 1 }));
        Assert.Throws<InvalidOperationException>(() => new Objective(new Linear(2, 2), new MeanSquaredError()).Evaluate());
    }
}

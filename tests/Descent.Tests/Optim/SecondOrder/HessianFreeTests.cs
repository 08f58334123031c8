using Descent.Curvature;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Optim.SecondOrder;
using Descent.Tensors;

namespace Descent.Tests.Optim.SecondOrder;

/// <summary>Martens' (2010) ingredients of Hessian-free one by one: the damping rule, CG backtracking, the
/// preconditioned CG, the empirical-Fisher diagonal, and the step on a batch with curvature on its first examples.</summary>
public sealed class HessianFreeTests
{
    private static Dictionary<string, string> S(params string[] kv) => kv.ToDictionary(s => s.Split('=')[0], s => s.Split('=')[1]);

    [Theory]
    [InlineData(0.1, 1.5)]       // ρ < ¼: the model overpromised, λ ← 3/2·λ
    [InlineData(-2.0, 1.5)]      // the objective rose
    [InlineData(double.NaN, 1.5)]
    [InlineData(0.25, 1.0)]      // ¼ ≤ ρ ≤ ¾: λ stays
    [InlineData(0.5, 1.0)]
    [InlineData(0.75, 1.0)]
    [InlineData(0.9, 2.0 / 3)]   // ρ > ¾: λ ← 2/3·λ
    [InlineData(1.7, 2.0 / 3)]
    public void LevenbergMarquardt_FollowsMartensThresholds(double rho, double factor)
    {
        Assert.Equal(0.3 * factor, LevenbergMarquardt.Adjust(0.3, rho), 14);
    }

    [Fact]
    public void CgBacktracking_KeepsTheIteratesAtTheCeilingsOfPowersOf13()
    {
        // ⌈1.3ʲ⌉ for j = 0 … 11: 1, 2, 2, 3, 3, 4, 5, 7, 9, 11, 14, 18 (duplicates kept once), then the last.
        Assert.Equal([1, 2, 3, 4, 5, 7, 9, 11, 14, 18, 20], CgBacktracking.Grid(20));
        Assert.Equal([1, 2, 3, 4, 5, 7, 9, 11, 14, 18], CgBacktracking.Grid(18));
        var onGrid = Enumerable.Range(1, 30).Where(CgBacktracking.OnGrid).ToArray();
        Assert.Equal([1, 2, 3, 4, 5, 7, 9, 11, 14, 18, 24], onGrid);
    }

    [Fact]
    public void CgBacktracking_ScansBackWhileTheObjectiveDecreases()
    {
        double[] f = [5, 3, 2, 4, 6];
        var evaluated = new List<int>();
        var (index, value, evaluations) = CgBacktracking.Choose(f.Length, k => { evaluated.Add(k); return f[k]; });
        Assert.Equal(2, index);
        Assert.Equal(2, value);
        Assert.Equal([4, 3, 2, 1], evaluated);    // stops at the first iterate that is no better
        Assert.Equal(4, evaluations);
        // The last iterate is kept when the earlier ones are worse; a non-finite one is never kept.
        Assert.Equal(2, CgBacktracking.Choose(3, k => new[] { 3.0, 2, 1 }[k]).Index);
        Assert.Equal(0, CgBacktracking.Choose(3, k => new[] { 1.0, 2, double.NaN }[k]).Index);
    }

    /// <summary>A = SBS with B well conditioned and S a diagonal spanning four orders of magnitude: plain CG
    /// suffers the scaling, CG preconditioned by diag A removes it.</summary>
    [Fact]
    public void PreconditionedCg_SolvesTheSameSystem_InFewerIterations()
    {
        int n = 60;
        var q = DenseQuadratic.Random(n, 4, shift: 1);
        var rng = new Rng(9);
        var s = Enumerable.Range(0, n).Select(_ => Math.Pow(10, 4 * rng.NextDouble() - 2)).ToArray();
        var a = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i, j] = s[i] * q.A[i, j] * s[j];
        var scaled = new DenseQuadratic(a, q.B, new double[n]);
        void Apply(Tensor v, Tensor into) => into.CopyFrom(Tensor.From(scaled.Apply(v.ToDoubleArray()), n));
        var b = Tensor.From(q.B, n);
        var options = new CgOptions(50 * n, 1e-10);
        var x0 = Tensor.Zeros(new Shape(n), DType.Float64);
        var plain = LinearConjugateGradient.Solve(Apply, b, x0, options);
        var diagonal = Enumerable.Range(0, n).Select(i => a[i, i]).ToArray();
        var x1 = Tensor.Zeros(new Shape(n), DType.Float64);
        var pre = LinearConjugateGradient.Solve(Apply, b, x1, options, preconditioner: diagonal);
        Assert.Equal("tolerance", pre.Reason);
        Assert.True(pre.Iterations < plain.Iterations / 2, $"{pre.Iterations} preconditioned vs {plain.Iterations} plain iterations");
        var r = scaled.Apply(x1.ToDoubleArray());
        for (int i = 0; i < n; i++) Assert.Equal(q.B[i], r[i], 1e-7 * Math.Max(1, Math.Abs(q.B[i])));
        Assert.Equal(plain.Value, pre.Value, 1e-8 * Math.Abs(plain.Value));
        Assert.Throws<ArgumentException>(() => LinearConjugateGradient.Solve(Apply, b, x1, options, preconditioner: new double[n - 1]));
        diagonal[3] = 0;
        Assert.Throws<ArgumentException>(() => LinearConjugateGradient.Solve(Apply, b, x1, options, preconditioner: diagonal));
    }

    [Fact]
    public void WarmStartedCg_ReportsThePhiOfItsStartPoint()
    {
        var q = DenseQuadratic.Random(10, 2, shift: 0.5);
        var b = Tensor.From(q.B, 10);
        var start = Enumerable.Range(0, 10).Select(i => 0.1 * i).ToArray();
        var r = LinearConjugateGradient.Solve((v, into) => into.CopyFrom(Tensor.From(q.Apply(v.ToDoubleArray()), 10)), b,
            Tensor.From(start, 10), new CgOptions(1, 0));
        var a0 = q.Apply(start);
        double phi0 = 0.5 * start.Zip(a0, (x, y) => x * y).Sum() - start.Zip(q.B, (x, y) => x * y).Sum();
        Assert.Equal(phi0, r.InitialValue, 12);
        Assert.True(r.Value < r.InitialValue);
    }

    private static (Objective Objective, Tensor X, int[] Y) Classifier(bool conv, ulong seed, params Penalty[] penalties)
    {
        var rng = new Rng(seed);
        Module model = conv
            ? new Sequential(new Conv2d(2, 3, 3, padding: 1, rng: rng, dtype: DType.Float64), new Tanh(), new Flatten(),
                new Linear(3 * 4 * 4, 3, rng: rng, dtype: DType.Float64))
            : new Sequential(new Linear(4, 6, rng: rng, dtype: DType.Float64), new Tanh(), new Linear(6, 3, rng: rng, dtype: DType.Float64));
        var x = (conv ? Tensor.Randn(new Shape(12, 2, 4, 4), rng, dtype: DType.Float64) : Tensor.Randn(new Shape(12, 4), rng, dtype: DType.Float64)).CloneUnscoped();
        var y = Enumerable.Range(0, 12).Select(i => i % 3).ToArray();
        var objective = new Objective(model, new CrossEntropy(), penalties);
        objective.SetBatch(x, y);
        return (objective, x, y);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EmpiricalFisherDiagonal_IsTheMeanOfSquaredPerExampleGradients_PlusThePenaltysCurvature(bool conv)
    {
        double l2 = 0.03;
        var (objective, x, y) = Classifier(conv, 3, Penalty.L2(l2));
        var model = objective.Model;
        var diagonal = EmpiricalFisherDiagonal.Compute(model, objective.Loss, objective.Penalties, x, objective.Targets, 1);
        // Reference: one example at a time, the loss alone (no penalty), its gradient squared.
        int n = y.Length, p = model.Flat.Count;
        var expected = new double[p];
        var single = new Objective(model, new CrossEntropy());
        for (int e = 0; e < n; e++)
        {
            single.SetBatch(x.Narrow(0, e, 1), new[] { y[e] });
            single.Evaluate();
            var g = model.Flat.Grads.ToDoubleArray();
            for (int i = 0; i < p; i++) expected[i] += g[i] * g[i] / n;
        }
        // λ‖W‖² has the Hessian 2λ on the weights, 0 on the biases.
        foreach (var slot in model.Flat.Slots.Where(s => s.Parameter.Kind == ParameterKind.Weight))
            for (int i = 0; i < slot.Length; i++) expected[slot.Offset + i] += 2 * l2;
        Assert.Equal(p, diagonal.Length);
        for (int i = 0; i < p; i++) Assert.Equal(expected[i], diagonal[i], 1e-10 * Math.Max(1, expected[i]));
    }

    /// <summary>With CG run to convergence and no backtracking or line search, the step solves
    /// (G_c + λI)p = −g: g on the whole batch, G_c the Gauss-Newton matrix of its first curvature_batch examples.
    /// The preconditioner changes the path of CG, not its solution.</summary>
    [Theory]
    [InlineData("none")]
    [InlineData("fisher-diagonal")]
    public void Step_SolvesTheDampedSystem_WithCurvatureOnTheFirstExamples(string preconditioner)
    {
        var (objective, x, y) = Classifier(false, 5);
        double lambda = 0.05;
        int m = 5;
        var hf = OptimizerFactory.Create("hessian-free", S($"damping={lambda}", $"curvature_batch={m}", "cg_max_iter=400", "cg_epsilon=0",
            "backtrack=false", "line_search=none", $"preconditioner={preconditioner}"), objective.Parameters);
        var theta0 = objective.Parameters.Values.ToDoubleArray();
        objective.Evaluate();
        var g = objective.Parameters.Grads.ToDoubleArray();
        var subset = new Objective(objective.Model, new CrossEntropy());
        subset.SetBatch(x.Narrow(0, 0, m), y[..m]);
        var ggn = CurvatureOperator.Create(CurvatureKind.GaussNewton, subset);
        hf.Step(objective);
        var delta = objective.Parameters.Values.ToDoubleArray().Zip(theta0, (a, b) => a - b).ToArray();
        objective.Parameters.Values.CopyFrom(Tensor.From(theta0, theta0.Length));
        var gd = ggn.Apply(delta);
        for (int i = 0; i < g.Length; i++) Assert.Equal(-g[i], gd[i] + lambda * delta[i], 1e-8);
        var full = CurvatureOperator.Create(CurvatureKind.GaussNewton, objective).Apply(delta);
        Assert.True(Enumerable.Range(0, g.Length).Max(i => Math.Abs(full[i] + lambda * delta[i] + g[i])) > 1e-4,
            "the whole batch's Gauss-Newton matrix solves it too: the test cannot tell which examples were used");
    }

    /// <summary>ρ compares the decrease of f on the curvature examples with the decrease the undamped model
    /// gᵀp + ½pᵀG_c p predicts (the damping term ½λ‖p‖² is what ρ judges, so it is not in the model).</summary>
    [Fact]
    public void ReductionRatio_IsTheCurvatureExamplesDecrease_OverTheUndampedModel()
    {
        var (objective, x, y) = Classifier(false, 6);
        int m = 5;
        var hf = (HessianFree)OptimizerFactory.Create("hessian-free", S("damping=0.5", $"curvature_batch={m}", "cg_max_iter=3", "backtrack=false",
            "line_search=none", "warm_decay=0"), objective.Parameters);
        var subset = new Objective(objective.Model, new CrossEntropy());
        subset.SetBatch(x.Narrow(0, 0, m), y[..m]);
        var theta0 = objective.Parameters.Values.ToDoubleArray();
        double f0 = subset.Evaluate(computeGradient: false);
        objective.Evaluate();
        var g = objective.Parameters.Grads.ToDoubleArray();
        var ggn = CurvatureOperator.Create(CurvatureKind.GaussNewton, subset);
        hf.Step(objective);
        double f1 = subset.Evaluate(computeGradient: false);
        var p = objective.Parameters.Values.ToDoubleArray().Zip(theta0, (a, b) => a - b).ToArray();
        objective.Parameters.Values.CopyFrom(Tensor.From(theta0, theta0.Length));
        var gp = ggn.Apply(p);
        double model = 0;
        for (int i = 0; i < p.Length; i++) model += g[i] * p[i] + 0.5 * p[i] * gp[i];
        Assert.True(model < 0);
        Assert.Equal((f1 - f0) / model, hf.LastRho, 1e-8);
        Assert.Equal(LevenbergMarquardt.Adjust(0.5, hf.LastRho), hf.Damping, 14);
    }
}

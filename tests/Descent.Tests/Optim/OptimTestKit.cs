using Descent.Autograd;
using Descent.Nn;
using Descent.Optim;
using Descent.Tensors;

namespace Descent.Tests.Optim;

/// <summary>A module that is just free parameters (one vector or several named tensors).</summary>
internal sealed class FreeParameters : Module
{
    public readonly List<Parameter> Items = [];

    public FreeParameters(Tensor x, ParameterKind kind = ParameterKind.Other) => Items.Add(AddParameter("x", x, kind));

    public FreeParameters(params (string Name, Tensor Init, ParameterKind Kind)[] items)
    {
        foreach (var (n, t, k) in items) Items.Add(AddParameter(n, t, k));
    }

    public Parameter X => Items[0];

    public override Tensor Forward(Tensor input) => input;
}

/// <summary>An objective from a loss closure over a module's parameters (counts evaluations).</summary>
internal sealed class LossObjective(Module model, Func<Tensor> loss) : IObjective
{
    public FlatParameters Parameters { get; } = model.Flat;

    public int FunctionEvaluations { get; private set; }

    public int GradientEvaluations { get; private set; }

    public int HessianVectorProducts => 0;

    public double Evaluate(bool computeGradient = true)
    {
        FunctionEvaluations++;
        if (!computeGradient)
        {
            using (Autodiff.NoGrad()) return loss().Item();
        }
        GradientEvaluations++;
        Parameters.ZeroGrad();
        var l = loss();
        l.Backward();
        return l.Item();
    }

    public Tensor HessianVectorProduct(Tensor v) => throw new NotSupportedException();
}

internal static class OptimTestKit
{
    public static Dictionary<string, string> S(params string[] kv) =>
        kv.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>f(x) = ½ Σ aᵢxᵢ² over a float64 vector, with its objective.</summary>
    public static (FreeParameters Model, LossObjective Objective) Quadratic(double[] x0, double[] a)
    {
        var m = new FreeParameters(Tensor.From(x0, x0.Length).To(DType.Float64));
        var coef = Tensor.From(a, a.Length).To(DType.Float64);
        return (m, new LossObjective(m, () => (m.X.Square() * coef).Sum() * 0.5));
    }

    /// <summary>Runs <paramref name="steps"/> steps and returns x after each.</summary>
    public static double[][] Run(Optimizer opt, IObjective objective, int steps)
    {
        var xs = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            opt.Step(objective);
            xs[s] = objective.Parameters.Values.ToDoubleArray();
        }
        return xs;
    }

    public static void Close(double expected, double actual, double rel = 1e-12, string what = "")
    {
        double tol = rel * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: expected {expected:R}, got {actual:R} (|Δ| = {Math.Abs(expected - actual):E3} > {tol:E3})");
    }
}

using Descent.Autograd;
using Descent.Nn;
using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>
/// A test function as an <see cref="IObjective"/> over one parameter vector x (float64 by default), so
/// any optimizer can run on it. With <see cref="GradientNoise"/> &gt; 0, every gradient gets independent
/// N(0, s²) noise from a seeded stream: a stand-in for mini-batch gradient noise.
/// </summary>
public sealed class FunctionObjective : IObjective
{
    private readonly Point point;
    private readonly Rng noise;

    /// <summary>Creates the objective at <paramref name="start"/>.</summary>
    public FunctionObjective(TestFunction function, double[] start, double gradientNoise = 0, ulong seed = 0, DType dtype = DType.Float64)
    {
        function.CheckDimension(start.Length);
        if (gradientNoise < 0 || double.IsNaN(gradientNoise)) throw new ConfigurationException($"Gradient noise must be ≥ 0, got {gradientNoise}.");
        Function = function;
        GradientNoise = gradientNoise;
        noise = Rng.Stream(seed, "gradient-noise");
        point = new Point(Tensor.From(start).To(dtype));
        Parameters = point.Flat;
    }

    /// <summary>The function.</summary>
    public TestFunction Function { get; }

    /// <summary>Standard deviation of the noise added to each gradient component.</summary>
    public double GradientNoise { get; }

    /// <inheritdoc />
    public FlatParameters Parameters { get; }

    /// <summary>The current point x.</summary>
    public double[] X => Parameters.Values.ToDoubleArray();

    /// <inheritdoc />
    public int FunctionEvaluations { get; private set; }

    /// <inheritdoc />
    public int GradientEvaluations { get; private set; }

    /// <inheritdoc />
    public int HessianVectorProducts { get; private set; }

    /// <inheritdoc />
    public double Evaluate(bool computeGradient = true)
    {
        FunctionEvaluations++;
        if (!computeGradient)
        {
            using (Autodiff.NoGrad()) return Function.Evaluate(point.X).Item();
        }
        GradientEvaluations++;
        Parameters.ZeroGrad();
        var f = Function.Evaluate(point.X);
        f.Backward();
        if (GradientNoise > 0)
        {
            var g = Parameters.Grads;
            for (int i = 0; i < g.Size; i++) g.SetRaw(i, g.GetRaw(i) + GradientNoise * noise.NextNormal());
        }
        return f.Item();
    }

    /// <inheritdoc />
    public Tensor HessianVectorProduct(Tensor v)
    {
        HessianVectorProducts++;
        var f = Function.Evaluate(point.X);
        return Derivatives.Hvp(f, [point.X], [v.Reshape(point.X.Shape.ToArray())])[0].Reshape(Parameters.Count);
    }

    /// <summary>The noise stream's state (for checkpoints).</summary>
    public ulong[] NoiseState => noise.GetState();

    private sealed class Point : Module
    {
        public Point(Tensor start) => X = AddParameter("x", start, ParameterKind.Other);

        public Parameter X { get; }

        public override Tensor Forward(Tensor input) => Function(X);

        private static Tensor Function(Tensor x) => x;
    }
}

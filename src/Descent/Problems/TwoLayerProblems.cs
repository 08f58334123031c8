using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Problems;

/// <summary>
/// The course's example E (docs/course.md): two scalar layers, <c>E(W, v) = (v·W·x − t)² + λ(v² + W²)</c> with x = 1, t = 1,
/// λ = 0.1. A one-layer linear model with squared loss is convex; two are not: the origin is a saddle and
/// there are two symmetric minima. With <see cref="Tanh"/> the hidden unit is tanh(W·x), which adds
/// plateaus where tanh saturates. Two parameters, so the whole surface can be plotted.
/// </summary>
public sealed class TwoLayerScalar(bool tanh) : Problem
{
    /// <summary>The regularization weight λ.</summary>
    public const double Lambda = 0.1;

    /// <summary>True for the tanh version.</summary>
    public bool Tanh { get; } = tanh;

    /// <inheritdoc />
    public override string Name => Tanh ? "two_layer_tanh" : "two_layer_linear";

    /// <inheritdoc />
    public override string Description => Tanh
        ? "E(W, v) = (v·tanh(W·x) − t)² + λ(v² + W²), x = t = 1, λ = 0.1 (example E with tanh)"
        : "E(W, v) = (v·W·x − t)² + λ(v² + W²), x = t = 1, λ = 0.1 (example E)";

    /// <inheritdoc />
    public override bool IsClassification => false;

    /// <inheritdoc />
    public override int DefaultBatchSize => 1;

    /// <inheritdoc />
    public override int DefaultEpochs => 100;

    /// <inheritdoc />
    public override ILoss Loss { get; } = new MeanSquaredError();

    /// <summary>λ(v² + W²): an L2 penalty on both weights.</summary>
    public override IReadOnlyList<Penalty> Penalties { get; } = [Penalty.L2(Lambda)];

    /// <summary>Builds the model with both weights drawn from N(0, 1) (use <see cref="Build"/> for a chosen start).</summary>
    public override Module BuildModel(ulong seed)
    {
        var rng = Rng.Stream(seed, "init");
        return Build(rng.NextNormal(), rng.NextNormal());
    }

    /// <summary>The model at W = <paramref name="w"/>, v = <paramref name="v"/>.</summary>
    public Module Build(double w, double v, DType dtype = DType.Float64)
    {
        var first = new Linear(1, 1, bias: false, dtype: dtype);
        var second = new Linear(1, 1, bias: false, dtype: dtype);
        using (Autograd.Autodiff.NoGrad())
        {
            first.Weight.Fill(w);
            second.Weight.Fill(v);
        }
        return Tanh ? new Sequential(first, new Nn.Tanh(), second) : new Sequential(first, second);
    }

    /// <summary>E(W, v) in closed form (for tests and surface plots).</summary>
    public double Energy(double w, double v)
    {
        double h = Tanh ? Math.Tanh(w) : w;
        double r = v * h - 1;
        return r * r + Lambda * (v * v + w * w);
    }

    /// <inheritdoc />
    public override DataSplits LoadData(ProblemContext context)
    {
        var one = new Dataset(Tensor.Ones(new Shape(1, 1), DType.Float64).CloneUnscoped(),
            targets: Tensor.Ones(new Shape(1, 1), DType.Float64).CloneUnscoped(), name: Name);
        return new DataSplits(one, one, one, "the single example x = 1, t = 1");
    }
}

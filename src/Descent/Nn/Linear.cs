using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// A fully connected layer <c>y = x·Wᵀ + b</c>. The weight is stored [out, in] like PyTorch's
/// <c>nn.Linear</c> (so state dictionaries port both ways) and multiplied with the GEMM's transpose flag,
/// without a copy. Inputs are [N, in] or [..., in]. Default initialization is PyTorch's: weight and bias
/// drawn from U(−1/√in, 1/√in) (<c>kaiming_uniform_</c> with a = √5).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">Input size.</param>
    /// <param name="outFeatures">Output size.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">Stream for the default initialization (default: <see cref="DefaultRng.Current"/>).</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Rng? rng = null, DType dtype = DType.Float32)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ConfigurationException($"Linear needs positive sizes, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        rng ??= DefaultRng.Current;
        double bound = 1 / Math.Sqrt(inFeatures);
        Weight = AddParameter("weight", Tensor.Rand(new Shape(outFeatures, inFeatures), rng, -bound, bound, dtype), ParameterKind.Weight);
        if (bias) Bias = AddParameter("bias", Tensor.Rand(new Shape(outFeatures), rng, -bound, bound, dtype), ParameterKind.Bias);
    }

    /// <summary>Input size.</summary>
    public int InFeatures { get; }

    /// <summary>Output size.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight W [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias b [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1 || input.Shape[-1] != InFeatures)
            throw new ShapeException($"Linear({InFeatures} → {OutFeatures}) got input of shape {input.Shape}; the last dimension must be {InFeatures}.");
        var x = input.Rank == 1 ? input.Reshape(1, InFeatures) : input;
        var y = Tensor.MatMul(x, Functional.Value(Weight), transB: true);
        if (Bias is not null) y = y + Functional.Value(Bias);
        ActivationCapture.Record(this, x, y);
        return input.Rank == 1 ? y.Reshape(OutFeatures) : y;
    }

    /// <inheritdoc />
    public override string ToString() => $"Linear({InFeatures} → {OutFeatures}{(Bias is null ? ", no bias" : "")})";
}

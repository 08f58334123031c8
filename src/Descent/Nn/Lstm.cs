using Descent.Tensors;

namespace Descent.Nn;

/// <summary>The result of running an <see cref="Lstm"/> over a sequence.</summary>
/// <param name="Outputs">Every hidden state, [N, T, H].</param>
/// <param name="Hidden">The last hidden state h_T, [N, H].</param>
/// <param name="Cell">The last cell state c_T, [N, H].</param>
public sealed record LstmResult(Tensor Outputs, Tensor Hidden, Tensor Cell);

/// <summary>
/// A long short-term memory layer (Hochreiter &amp; Schmidhuber 1997, with a forget gate, Gers et al.
/// 2000) over batch-first sequences [N, T, input]. With gates in PyTorch's order i, f, g, o:
/// <c>[i f g o] = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b</c>, <c>c_t = σ(f)⊙c_{t−1} + σ(i)⊙tanh(g)</c>,
/// <c>h_t = σ(o)⊙tanh(c_t)</c>, from zero initial states. The forget gate's bias is its own parameter
/// <c>forget_bias</c> [H] (kind <see cref="ParameterKind.Bias"/>) so an initialization can set it to a
/// positive constant (Jozefowicz et al. 2015, who found b_f = 1 closes most of the gap to GRUs);
/// <c>bias</c> [3H] holds the biases of i, g and o, in that order. Unlike PyTorch there is one bias
/// per gate, not two redundant ones (b_ih + b_hh), so the Hessian has no flat directions from them.
/// Default initialization is PyTorch's: every parameter from U(−1/√H, 1/√H). The sequence is one fused op
/// (<see cref="Tensor.LstmSequence"/>) whose double backward goes through the same recurrence written with
/// separate tensor ops, so it is twice differentiable (Hessian-vector products through time).
/// </summary>
public sealed class Lstm : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inputSize">Features per time step.</param>
    /// <param name="hiddenSize">Hidden units H.</param>
    /// <param name="returnSequences">Whether <see cref="Forward"/> returns every hidden state [N, T, H]
    /// (true) or only the last one [N, H] (false; e.g. before a classifier).</param>
    /// <param name="rng">Stream for the default initialization (default: <see cref="DefaultRng.Current"/>).</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public Lstm(int inputSize, int hiddenSize, bool returnSequences = true, Rng? rng = null, DType dtype = DType.Float32)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new ConfigurationException($"Lstm needs positive sizes, got input={inputSize}, hidden={hiddenSize}.");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ReturnSequences = returnSequences;
        rng ??= DefaultRng.Current;
        double k = 1 / Math.Sqrt(hiddenSize);
        int h = hiddenSize;
        WeightIh = AddParameter("weight_ih", Tensor.Rand(new Shape(4 * h, inputSize), rng, -k, k, dtype), ParameterKind.Weight);
        WeightHh = AddParameter("weight_hh", Tensor.Rand(new Shape(4 * h, h), rng, -k, k, dtype), ParameterKind.Weight);
        Bias = AddParameter("bias", Tensor.Rand(new Shape(3 * h), rng, -k, k, dtype), ParameterKind.Bias);
        ForgetBias = AddParameter("forget_bias", Tensor.Rand(new Shape(h), rng, -k, k, dtype), ParameterKind.Bias);
    }

    /// <summary>Features per time step.</summary>
    public int InputSize { get; }

    /// <summary>Hidden units H.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether <see cref="Forward"/> returns all hidden states (else only the last).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Input-to-hidden weights [4H, input] (gates i, f, g, o).</summary>
    public Parameter WeightIh { get; }

    /// <summary>Hidden-to-hidden weights [4H, H] (gates i, f, g, o).</summary>
    public Parameter WeightHh { get; }

    /// <summary>Biases of the gates i, g, o [3H].</summary>
    public Parameter Bias { get; }

    /// <summary>Bias of the forget gate [H].</summary>
    public Parameter ForgetBias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var r = Run(input);
        return ReturnSequences ? r.Outputs : r.Hidden;
    }

    /// <summary>Runs over the sequence <paramref name="input"/> [N, T, input] from zero states (one fused op,
    /// <see cref="Tensor.LstmSequence"/>).</summary>
    public LstmResult Run(Tensor input)
    {
        if (input.Rank != 3 || input.Shape[2] != InputSize || input.Shape[1] == 0)
            throw new ShapeException($"Lstm({InputSize} → {HiddenSize}) expects [N, T, {InputSize}] input with T ≥ 1, got {input.Shape}.");
        int n = input.Shape[0], steps = input.Shape[1], h = HiddenSize;
        var b = Functional.Value(Bias);
        var bias = Tensor.Cat([b.Narrow(0, 0, h), Functional.Value(ForgetBias), b.Narrow(0, h, 2 * h)], 0);
        var y = Tensor.LstmSequence(input, Functional.Value(WeightIh), Functional.Value(WeightHh), bias);
        var outputs = y.Narrow(0, 0, 1).Reshape(n, steps, h);
        var cells = y.Narrow(0, 1, 1).Reshape(n, steps, h);
        return new LstmResult(outputs, outputs.Narrow(1, steps - 1, 1).Reshape(n, h), cells.Narrow(1, steps - 1, 1).Reshape(n, h));
    }

    /// <inheritdoc />
    public override string ToString() => $"Lstm({InputSize} → {HiddenSize})";
}

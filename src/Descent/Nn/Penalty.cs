using Descent.Tensors;

namespace Descent.Nn;

/// <summary>The regularizers Ω(θ).</summary>
public enum PenaltyKind
{
    /// <summary>Ω = ‖θ‖² = Σ θᵢ² (ridge, Tikhonov, "weight decay").</summary>
    L2,
    /// <summary>Ω = Σ |θᵢ| (lasso; encourages sparse θ).</summary>
    L1,
}

/// <summary>
/// A regularization term <c>λ Ω(θ)</c> of the objective over the parameters a <see cref="ParameterSelector"/>
/// chooses: L2 is <c>λ‖θ‖² = λ Σ θᵢ²</c> exactly as written in the course (no factor ½), so its gradient
/// is <c>2λθ</c>; PyTorch's <c>weight_decay = wd</c> adds <c>wd·θ</c> to the gradient and therefore
/// corresponds to <c>λ = wd/2</c> (<see cref="FromWeightDecay"/>). L1 is <c>λ Σ |θᵢ|</c> with the
/// subgradient <c>λ·sign(θ)</c> (0 at 0). By default only weights are penalized, as usual (Goodfellow et
/// al. 2016, §7.1: biases are left unregularized); pass <see cref="ParameterSelector.All"/> for all of θ.
/// </summary>
public sealed record Penalty
{
    /// <summary>Creates the penalty.</summary>
    /// <param name="kind">L2 or L1.</param>
    /// <param name="lambda">The coefficient λ ≥ 0.</param>
    /// <param name="selector">The parameters penalized (default: <c>kind:weight</c>).</param>
    public Penalty(PenaltyKind kind, double lambda, ParameterSelector? selector = null)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda))
            throw new ConfigurationException($"Penalty {kind} needs a finite λ ≥ 0, got {lambda}.");
        Kind = kind;
        Lambda = lambda;
        Selector = selector ?? DefaultSelector;
    }

    /// <summary>L2 or L1.</summary>
    public PenaltyKind Kind { get; }

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>The parameters penalized.</summary>
    public ParameterSelector Selector { get; }

    /// <summary>The parameters penalized when no selector is given: the weights (<c>kind:weight</c>).</summary>
    public static ParameterSelector DefaultSelector { get; } = ParameterSelector.Kind(ParameterKind.Weight);

    /// <summary>λ‖θ‖² over the parameters <paramref name="selector"/> chooses (default: weights).</summary>
    public static Penalty L2(double lambda, ParameterSelector? selector = null) => new(PenaltyKind.L2, lambda, selector);

    /// <summary>λΣ|θᵢ| over the parameters <paramref name="selector"/> chooses (default: weights).</summary>
    public static Penalty L1(double lambda, ParameterSelector? selector = null) => new(PenaltyKind.L1, lambda, selector);

    /// <summary>The L2 penalty equivalent to PyTorch's <c>weight_decay = wd</c> on the gradient: λ = wd/2.</summary>
    public static Penalty FromWeightDecay(double weightDecay, ParameterSelector? selector = null) => L2(weightDecay / 2, selector);

    /// <summary>λΩ(θ) for <paramref name="model"/> as a recorded scalar (parameters read through
    /// <see cref="Functional.Value"/>, so it also works at substituted values).</summary>
    public Tensor Compute(Module model)
    {
        Tensor? total = null;
        foreach (var site in Selector.Select(model))
        {
            var v = Functional.Value(site.Parameter);
            var term = Kind == PenaltyKind.L2 ? v.Square().Sum() : v.Abs().Sum();
            total = total is null ? term : total + term;
        }
        var dtype = model.Parameters().FirstOrDefault()?.DType ?? DType.Float32;
        return total is null ? Tensor.Scalar(0, dtype) : total * Lambda;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}(λ={Lambda}, {Selector})";
}

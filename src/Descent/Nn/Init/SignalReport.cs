namespace Descent.Nn.Init;

/// <summary>Mean and (population) variance of all elements of a tensor, computed in double.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Variance">The variance <c>E[(x − mean)²]</c>.</param>
public readonly record struct Moments(double Mean, double Variance)
{
    /// <summary>True when every element was exactly zero.</summary>
    public bool IsZero => Mean == 0 && Variance == 0;

    /// <summary>The moments of <paramref name="values"/> (two passes; NaN for an empty span).</summary>
    public static Moments Of(ReadOnlySpan<double> values)
    {
        if (values.Length == 0) return new Moments(double.NaN, double.NaN);
        double sum = 0;
        foreach (var v in values) sum += v;
        double mean = sum / values.Length, ss = 0;
        foreach (var v in values) ss += (v - mean) * (v - mean);
        return new Moments(mean, ss / values.Length);
    }
}

/// <summary>
/// The signals of one hidden layer <c>zₗ = hₗ₋₁Wₗᵀ + bₗ</c>, <c>hₗ = f(zₗ)</c> on a batch, forward and backward
/// (statistics over all batch × unit elements).
/// </summary>
/// <param name="Index">The layer's number, 1 for the layer next to the inputs.</param>
/// <param name="Units">Its width.</param>
/// <param name="DistinctUnits">How many of its units differ: rows of <c>[Wₗ | bₗ]</c> that are not bit-for-bit
/// equal to another row. Units with equal rows compute the same function, get the same gradient and stay
/// equal under any gradient method (MISSION §3: never all-equal weights).</param>
/// <param name="PreActivation">Moments of <c>zₗ</c>.</param>
/// <param name="Activation">Moments of <c>hₗ</c>.</param>
/// <param name="Saturated">Fraction of (example, unit) elements where the activation is flat, its derivative
/// nearly 0: tanh <c>|h| &gt; 0.99</c>; sigmoid <c>h &lt; 0.01</c> or <c>h &gt; 0.99</c>; ReLU <c>z ≤ 0</c>; ELU and
/// softplus <c>z &lt; −4.6</c> (slope below 0.01); GELU <c>z &lt; −3</c>; never for leaky ReLU and linear.</param>
/// <param name="Dead">Fraction of units flat on every example of the batch (for ReLU: never active), which
/// therefore pass no gradient at all.</param>
/// <param name="ActivationGradient">Moments of <c>∂L/∂hₗ</c>.</param>
/// <param name="PreActivationGradient">Moments of <c>∂L/∂zₗ</c>.</param>
/// <param name="WeightGradient">Moments of <c>∂L/∂Wₗ</c>, what a gradient method sees.</param>
public sealed record SignalLayer(
    int Index, int Units, int DistinctUnits,
    Moments PreActivation, Moments Activation, double Saturated, double Dead,
    Moments ActivationGradient, Moments PreActivationGradient, Moments WeightGradient);

/// <summary>
/// What an initialization does to signal propagation in a deep MLP (see <see cref="SignalProbe"/>): per-layer
/// statistics of the forward and backward signals, and the ratios that summarise them.
/// </summary>
/// <param name="Options">What was probed.</param>
/// <param name="Scheme">The canonical text of the weight scheme (<c>lsuv:PREINIT</c> for LSUV).</param>
/// <param name="Layers">The hidden layers, input side first.</param>
/// <param name="Lsuv">What LSUV did per layer, when the scheme is LSUV; else null.</param>
public sealed record SignalReport(SignalProbeOptions Options, string Scheme, IReadOnlyList<SignalLayer> Layers, IReadOnlyList<LsuvLayer>? Lsuv)
{
    /// <summary>Forward: <c>Var(h_L) / Var(h₁)</c>; below 1 the activations shrink with depth.</summary>
    public double ActivationRatio => Ratio(Layers[^1].Activation.Variance, Layers[0].Activation.Variance);

    /// <summary>Backward: <c>Var(∂L/∂h₁) / Var(∂L/∂h_L)</c>, the change of the back-propagated gradient from the
    /// top layer down to the first; above 1 it explodes, below 1 it vanishes.</summary>
    public double GradientRatio => Ratio(Layers[0].ActivationGradient.Variance, Layers[^1].ActivationGradient.Variance);

    /// <summary><c>Var(∂L/∂W₁) / Var(∂L/∂W_L)</c>: how much larger the first layer's weight gradients are than the
    /// last's (Glorot &amp; Bengio 2010 aim at 1).</summary>
    public double WeightGradientRatio => Ratio(Layers[0].WeightGradient.Variance, Layers[^1].WeightGradient.Variance);

    /// <summary>The largest <see cref="SignalLayer.Saturated"/> fraction over the layers.</summary>
    public double MaxSaturated => Layers.Max(l => l.Saturated);

    /// <summary>The largest <see cref="SignalLayer.Dead"/> fraction over the layers.</summary>
    public double MaxDead => Layers.Max(l => l.Dead);

    /// <summary>The fewest <see cref="SignalLayer.DistinctUnits"/> of any layer.</summary>
    public int MinDistinctUnits => Layers.Min(l => l.DistinctUnits);

    /// <summary>True if every weight gradient is exactly zero (the network sits on a critical point).</summary>
    public bool WeightGradientsAllZero => Layers.All(l => l.WeightGradient.IsZero);

    /// <summary>The problems found, one short phrase each (empty when the signal propagates well).</summary>
    public IReadOnlyList<string> Findings => SignalVerdict.Findings(this);

    /// <summary>A one-line verdict, e.g. "activations shrink by 8.1×, gradients explode by 3.1×10⁸×: …".</summary>
    public string Verdict => SignalVerdict.Describe(this);

    private static double Ratio(double a, double b) => b == 0 ? (a == 0 ? double.NaN : double.PositiveInfinity) : a / b;
}

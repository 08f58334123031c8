using Descent.Tensors;

namespace Descent.Nn.Losses;

/// <summary>
/// Multi-class hinge loss in the Weston–Watkins form (Weston &amp; Watkins 1999), with the semantics of
/// PyTorch's <c>MultiMarginLoss</c>: for scores x [N, C] and class y,
/// <c>ℓ = (1/C) Σ_{i≠y} max(0, margin − x_y + x_i)^p</c> (p = 1, or 2 for the squared hinge), averaged
/// over the batch. Every class that comes within the margin of the true class is penalized (the
/// Crammer–Singer form would take only the largest violation).
/// </summary>
public sealed class Hinge : ILoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="margin">The required gap between the true class's score and the others (PyTorch's 1).</param>
    /// <param name="power">1 for the hinge, 2 for the squared hinge.</param>
    public Hinge(double margin = 1.0, int power = 1)
    {
        if (!(margin > 0)) throw new ConfigurationException($"Hinge margin must be positive, got {margin}.");
        if (power is not (1 or 2)) throw new ConfigurationException($"Hinge power must be 1 or 2, got {power}.");
        Margin = margin;
        Power = power;
    }

    /// <summary>The margin.</summary>
    public double Margin { get; }

    /// <summary>The exponent p of each violation.</summary>
    public int Power { get; }

    /// <inheritdoc />
    public string Name => "hinge";

    /// <inheritdoc />
    public Tensor Compute(Tensor prediction, Targets targets)
    {
        if (prediction.Rank != 2)
            throw new ShapeException($"Loss '{Name}' expects scores [N, C], got shape {prediction.Shape}.");
        var y = targets.RequireClasses(Name);
        if (y.Length != prediction.Shape[0])
            throw new ShapeException($"Loss '{Name}': {y.Length} class targets for scores of shape {prediction.Shape}.");
        int n = prediction.Shape[0], c = prediction.Shape[1];
        var xy = prediction.GatherColumns(y).Reshape(n, 1);
        var v = (Margin - xy + prediction).Relu();
        if (Power == 2) v = v.Square();
        // The sum includes i = y, whose term is the constant margin^p (zero gradient): subtract it.
        double own = Math.Pow(Margin, Power);
        return (v.Sum() * (1.0 / n) - own) * (1.0 / c);
    }
}

namespace Descent.Optim.Rules;

/// <summary>
/// The bias corrections of Adam-style moment estimates at step t (Kingma &amp; Ba 2015, §3): 1 − β₁ᵗ for the first
/// moment, √(1 − β₂ᵗ) for the second, and the scale the rule multiplies its output by, 1/(1 − β₁ᵗ) times any
/// constant factor folded in (<see cref="IRule{TSelf}.Fold"/>: the learning rate then costs no multiply of its own).
/// Shared by the rules that compute these the way torch.optim does.
/// </summary>
internal struct BiasCorrection
{
    /// <summary>1 − β₁ᵗ.</summary>
    public double First;

    /// <summary>√(1 − β₂ᵗ).</summary>
    public double SqrtSecond;

    /// <summary>factor / (1 − β₁ᵗ), factor 1 until <see cref="Fold"/>.</summary>
    public double Scale;

    /// <summary>The corrections for step <paramref name="t"/> (counted from 1).</summary>
    public void Prepare(double beta1, double beta2, long t)
    {
        First = 1 - Math.Pow(beta1, t);
        SqrtSecond = Math.Sqrt(1 - Math.Pow(beta2, t));
        Scale = 1 / First;
    }

    /// <summary>Folds a constant factor into <see cref="Scale"/>.</summary>
    public void Fold(double factor) => Scale = factor / First;
}

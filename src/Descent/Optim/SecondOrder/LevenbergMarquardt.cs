namespace Descent.Optim.SecondOrder;

/// <summary>
/// The Levenberg-Marquardt rule that adapts a damping λ to the reduction ratio ρ = (actual decrease)/(decrease
/// the quadratic model predicted): a model that predicts well (ρ &gt; ¾) earns less damping (λ ← ⅔λ), a model
/// that overpromises (ρ &lt; ¼, or ρ not a number) gets more (λ ← 3/2·λ), between them λ stays. The thresholds
/// and factors are Martens' (2010, §4.1; drop = 2/3 and boost = 1/drop in his code).
/// </summary>
public static class LevenbergMarquardt
{
    /// <summary>λ is multiplied by this when ρ &gt; <see cref="Good"/>.</summary>
    public const double Drop = 2.0 / 3;

    /// <summary>λ is multiplied by this when ρ &lt; <see cref="Poor"/>.</summary>
    public const double Boost = 1 / Drop;

    /// <summary>Below this ρ the model is not trusted.</summary>
    public const double Poor = 0.25;

    /// <summary>Above this ρ the model is trusted.</summary>
    public const double Good = 0.75;

    /// <summary>The damping after a step with reduction ratio <paramref name="rho"/>.</summary>
    public static double Adjust(double lambda, double rho) =>
        !(rho >= Poor) ? lambda * Boost : rho > Good ? lambda * Drop : lambda;
}

using Descent.Nn;
using Descent.Tensors;

namespace Descent.Optim.LineSearch;

/// <summary>
/// The function φ(α) = f(x + α·p) a line search explores, over an <see cref="IObjective"/>: each evaluation
/// writes x + αp into the parameters and evaluates f (and ∇f, whose product with p is φ'(α)). After a
/// search, <see cref="MoveTo"/> leaves the parameters at the chosen step — with the gradient there if asked,
/// re-evaluating only when the last evaluation was elsewhere or without the gradient.
/// </summary>
public sealed class Ray
{
    private readonly IObjective objective;
    private double lastAlpha = double.NaN;
    private bool lastHadGradient;
    private double lastValue = double.NaN;

    /// <summary>Creates the ray from <paramref name="origin"/> along <paramref name="direction"/> (flat vectors
    /// the length of the parameters; they must not change while the ray is used).</summary>
    public Ray(IObjective objective, Tensor origin, Tensor direction)
    {
        this.objective = objective;
        Origin = origin;
        Direction = direction;
    }

    /// <summary>x.</summary>
    public Tensor Origin { get; }

    /// <summary>p.</summary>
    public Tensor Direction { get; }

    /// <summary>φ as a <see cref="LineFunction"/>.</summary>
    public LineFunction Function => Evaluate;

    /// <summary>Evaluates φ(α) (and φ'(α) with <paramref name="withSlope"/>).</summary>
    public LinePoint Evaluate(double alpha, bool withSlope)
    {
        var flat = objective.Parameters;
        FlatVector.SetRay(flat.Values, Origin, alpha, Direction);
        double f = objective.Evaluate(withSlope);
        lastAlpha = alpha;
        lastHadGradient = withSlope;
        lastValue = f;
        return new LinePoint(alpha, f, withSlope ? FlatVector.Dot(flat.Grads, Direction) : double.NaN);
    }

    /// <summary>Sets the parameters to x + αp; with <paramref name="needGradient"/> makes sure
    /// <see cref="FlatParameters.Grads"/> holds ∇f there. Returns f(x + αp) when it is known (NaN otherwise).</summary>
    public double MoveTo(double alpha, bool needGradient)
    {
        if (alpha == lastAlpha && (lastHadGradient || !needGradient))
        {
            FlatVector.SetRay(objective.Parameters.Values, Origin, alpha, Direction);
            return lastValue;
        }
        if (needGradient) return Evaluate(alpha, true).Value;
        FlatVector.SetRay(objective.Parameters.Values, Origin, alpha, Direction);
        return double.NaN;
    }
}

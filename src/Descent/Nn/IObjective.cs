using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// A differentiable objective <c>f(θ)</c> over a flat parameter vector, evaluated on the current data
/// (mini-batch or full batch). Search methods (look-ahead Nesterov, line searches, nonlinear CG, BFGS,
/// Newton, Hessian-free, natural gradient) evaluate it at any θ they choose by writing
/// <see cref="FlatParameters.Values"/> and calling <see cref="Evaluate"/>: PyTorch's <c>step(closure)</c>,
/// made explicit. Implementations count their evaluations so results can report them (like SciPy).
/// </summary>
public interface IObjective
{
    /// <summary>The parameters θ (values and gradient buffers) the objective depends on.</summary>
    FlatParameters Parameters { get; }

    /// <summary>Evaluates f at the current <see cref="FlatParameters.Values"/>. With
    /// <paramref name="computeGradient"/>, overwrites <see cref="FlatParameters.Grads"/> with ∇f.</summary>
    double Evaluate(bool computeGradient = true);

    /// <summary>The Hessian-vector product H(θ)·v at the current values, for a flat vector v
    /// (same length as the parameters); returns a flat vector.</summary>
    Tensor HessianVectorProduct(Tensor v);

    /// <summary>Function evaluations so far.</summary>
    int FunctionEvaluations { get; }

    /// <summary>Gradient evaluations so far.</summary>
    int GradientEvaluations { get; }

    /// <summary>Hessian-vector products so far.</summary>
    int HessianVectorProducts { get; }
}

using Descent.Nn;
using Descent.Nn.Losses;

namespace Descent.Curvature;

/// <summary>
/// Builds curvature operators (<see cref="ICurvature"/>): of a model's objective on a batch or a data set
/// (<see cref="Create(CurvatureKind, Module, ILoss, CurvatureData, IReadOnlyList{Penalty}?, CurvatureOptions?, ProductCounter?)"/>),
/// of an <see cref="Objective"/> on its current batch (what a search method sees inside an optimizer step), and
/// the Hessian of any <see cref="IObjective"/> (test functions). Operators given the same
/// <see cref="ProductCounter"/> report their products to it.
/// <code>
/// var counter = new ProductCounter();
/// var ggn = CurvatureOperator.Create(CurvatureKind.GaussNewton, objective, counter: counter);
/// double[] gv = ggn.Apply(v);                   // one Gauss-Newton product on the objective's batch
/// var damped = ggn.Damped(1e-3);                // G + λI, e.g. for Hessian-free's conjugate gradients
/// </code>
/// </summary>
public static class CurvatureOperator
{
    /// <summary>The <paramref name="kind"/> curvature of the objective (1/N) Σ ℓ(yₙ, model(xₙ)) + Σ penalties
    /// on <paramref name="data"/>, at the model's current parameters.</summary>
    /// <exception cref="ConfigurationException">A Fisher kind for a loss that is not a log-likelihood, or invalid options.</exception>
    public static ModelCurvature Create(CurvatureKind kind, Module model, ILoss loss, CurvatureData data,
        IReadOnlyList<Penalty>? penalties = null, CurvatureOptions? options = null, ProductCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(data);
        return new ModelCurvature(kind, model, loss, penalties ?? [], data, options ?? new CurvatureOptions(), counter ?? new ProductCounter());
    }

    /// <summary>The <paramref name="kind"/> curvature of <paramref name="objective"/> (loss and penalties) on the
    /// batch it is set to now (<see cref="Objective.SetBatch"/>); a later <c>SetBatch</c> does not change it.</summary>
    public static ModelCurvature Create(CurvatureKind kind, Objective objective, CurvatureOptions? options = null, ProductCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return Create(kind, objective.Model, objective.Loss, CurvatureData.Batch(objective.Inputs, objective.Targets),
            objective.Penalties, options, counter);
    }

    /// <summary>The Hessian of any <see cref="IObjective"/> (e.g. a test function) through its
    /// <see cref="IObjective.HessianVectorProduct"/>, at its current parameters.</summary>
    public static ICurvature Hessian(IObjective objective, ProductCounter? counter = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return new ObjectiveHessian(objective, counter ?? new ProductCounter());
    }

    /// <summary>A curvature given by a dense symmetric matrix (row-major n×n), e.g. a known Hessian; each
    /// product is counted.</summary>
    /// <exception cref="ShapeException">The array does not hold n×n values.</exception>
    public static ICurvature FromMatrix(double[] matrix, int n, CurvatureKind kind = CurvatureKind.Hessian, ProductCounter? counter = null) =>
        new MatrixCurvature(matrix, n, kind, counter ?? new ProductCounter());
}

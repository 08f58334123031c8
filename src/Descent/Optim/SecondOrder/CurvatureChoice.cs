using Descent.Curvature;
using Descent.Nn;

namespace Descent.Optim.SecondOrder;

/// <summary>Builds the curvature operator a matrix-free method asks for (<c>curvature=auto|ggn|hessian|…</c>) on
/// the objective's current batch, through the curvature layer.</summary>
internal static class CurvatureChoice
{
    /// <summary>The operator, and whether its products are counted outside the objective (so the method adds
    /// them to its own count).</summary>
    /// <exception cref="ConfigurationException">A Gauss-Newton or Fisher curvature for an objective that is not a
    /// model's loss (e.g. a test function).</exception>
    /// <param name="method">The method's name, for messages.</param>
    /// <param name="choice">The <c>curvature</c> (or <c>fisher</c>) setting.</param>
    /// <param name="objective">The objective, on its current batch.</param>
    /// <param name="seed">Seed of sampled Fisher labels.</param>
    /// <param name="examples">Use only the batch's first this many examples for the curvature (0: all), as Martens
    /// (2010) estimates G on a smaller batch than the gradient.</param>
    public static (ICurvature Operator, bool CountedOutside) Create(string method, string choice, IObjective objective, ulong seed, long examples = 0)
    {
        if (choice == "hessian" || (choice == "auto" && objective is not Objective))
            return (CurvatureOperator.Hessian(objective), false);
        if (objective is not Objective model)
            throw new ConfigurationException($"{method}: curvature={choice} needs a model with a loss (descent train); a test function has only its Hessian — use --set curvature=hessian.");
        var kind = choice == "auto" ? CurvatureKind.GaussNewton : CurvatureKinds.Parse(choice);
        var options = new CurvatureOptions { Seed = seed };
        int n = model.Inputs.Shape[0];
        if (examples <= 0 || examples >= n) return (CurvatureOperator.Create(kind, model, options), true);
        int m = (int)examples;
        var data = CurvatureData.Batch(model.Inputs.Narrow(0, 0, m), model.Targets.Rows(0, m));
        return (CurvatureOperator.Create(kind, model.Model, model.Loss, data, model.Penalties, options), true);
    }
}

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
    public static (ICurvature Operator, bool CountedOutside) Create(string method, string choice, IObjective objective, ulong seed)
    {
        if (choice == "hessian" || (choice == "auto" && objective is not Objective))
            return (CurvatureOperator.Hessian(objective), false);
        if (objective is not Objective model)
            throw new ConfigurationException($"{method}: curvature={choice} needs a model with a loss (descent train); a test function has only its Hessian — use --set curvature=hessian.");
        var kind = choice == "auto" ? CurvatureKind.GaussNewton : CurvatureKinds.Parse(choice);
        return (CurvatureOperator.Create(kind, model, new CurvatureOptions { Seed = seed }), true);
    }
}

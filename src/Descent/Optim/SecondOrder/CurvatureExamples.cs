using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>The examples of the current batch a method estimates curvature on: the batch's first
/// <c>curvature_batch</c> ones (Martens 2010 estimates G on a smaller batch than the gradient).</summary>
/// <param name="Count">How many (0: the whole batch, or the objective is not a model's).</param>
/// <param name="Inputs">Their inputs (null when the objective is not a model's).</param>
/// <param name="Targets">Their targets (null when the objective is not a model's).</param>
/// <param name="Subset">The objective (loss and penalties) on just these examples, when they are fewer than the
/// batch; null when they are the whole batch.</param>
internal sealed record CurvatureExamples(long Count, Tensor? Inputs, Targets? Targets, Objective? Subset)
{
    /// <summary>The first <paramref name="limit"/> examples of <paramref name="objective"/>'s batch (0: all).</summary>
    public static CurvatureExamples Of(IObjective objective, long limit)
    {
        if (objective is not Objective model) return new(0, null, null, null);
        int n = model.Inputs.Shape[0];
        if (limit <= 0 || limit >= n) return new(0, model.Inputs, model.Targets, null);
        int m = (int)limit;
        var inputs = model.Inputs.Narrow(0, 0, m);
        var targets = model.Targets.Rows(0, m);
        var subset = new Objective(model.Model, model.Loss, [.. model.Penalties]);
        subset.SetBatch(inputs, targets);
        return new(m, inputs, targets, subset);
    }
}

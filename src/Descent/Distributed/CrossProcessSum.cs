using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Distributed;

/// <summary>
/// The sum of a tensor over the processes of a job as a recorded op, for statistics that span the global
/// batch (synchronised batch normalization). Forward: y = Σ_s x_s on every process. Backward: process r's
/// share of the global objective is w_r·f_r (<see cref="DataParallelObjective"/> scales each process's gradient
/// by its weight w_r after the backward pass), so ∂(Σ_s w_s f_s)/∂x_r = Σ_s w_s g_s, which the rule returns
/// divided by w_r: after the weighting, the sum of all processes' gradients is exact. The rule is written with
/// the op itself, so the gradient is differentiable again (Hessian-vector products).
/// </summary>
internal static class CrossProcessSum
{
    /// <summary>Σ over processes of <paramref name="x"/>; <paramref name="weight"/> gives this process's w_r.</summary>
    public static Tensor Of(Communicator comm, Tensor x, Func<double> weight)
    {
        Tensor y;
        using (Autodiff.NoGrad()) y = x.Detach().Clone();
        comm.AllReduce(y);
        if (Autodiff.ShouldRecord(x))
            Autodiff.Record(y, "CrossProcessSum", [x], (g, need) => [need[0] ? Backward(comm, g, weight) : null]);
        return y;
    }

    private static Tensor Backward(Communicator comm, Tensor g, Func<double> weight)
    {
        double w = weight();
        if (w == 1) return Of(comm, g, weight);
        if (!(w > 0)) throw new InvalidOperationException("A process with no examples cannot take part in synchronised batch normalization.");
        return Of(comm, g * w, weight) * (1 / w);
    }
}

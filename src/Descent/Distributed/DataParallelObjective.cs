using Descent.Autograd;
using Descent.Nn;
using Descent.Tensors;

namespace Descent.Distributed;

/// <summary>
/// The objective of a global batch split over the processes of a job: each process evaluates the wrapped
/// <see cref="Objective"/> on its shard, and the results are averaged with one all-reduce. Shard r of n_r out
/// of n examples has weight w_r = n_r/n, so Σ_r w_r (L_r + Ω) = L + Ω: the weighted sum of the per-shard
/// objectives is the global batch's mean loss plus the penalties (Σ w_r = 1), and likewise for ∇f and H·v.
/// Every process then holds the same f, ∇f (in <see cref="FlatParameters.Grads"/>) and H·v, so every optimizer —
/// update rules, line searches, second-order methods — takes the same step on every process.
/// <para>The gradient is reduced as one buffer (the model's flat gradient, <see cref="FlatParameters.Grads"/>):
/// one call per evaluation, with the reduction order fixed by the number of processes and the buffer length.</para>
/// </summary>
public sealed class DataParallelObjective : IObjective
{
    private readonly Communicator comm;
    private readonly double[] scalars = new double[2];

    /// <summary>Wraps <paramref name="local"/>, which the caller sets to this process's shard.</summary>
    public DataParallelObjective(Objective local, Communicator comm)
    {
        Local = local ?? throw new ArgumentNullException(nameof(local));
        this.comm = comm ?? throw new ArgumentNullException(nameof(comm));
    }

    /// <summary>This process's objective (set its batch to the shard).</summary>
    public Objective Local { get; }

    /// <summary>This shard's share of the global batch, n_r/n (set with the batch).</summary>
    public double Weight { get; set; } = 1;

    /// <inheritdoc />
    public FlatParameters Parameters => Local.Parameters;

    /// <summary>The global batch's mean data loss at the last <see cref="Evaluate"/>.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <inheritdoc />
    public int FunctionEvaluations { get; private set; }

    /// <inheritdoc />
    public int GradientEvaluations { get; private set; }

    /// <inheritdoc />
    public int HessianVectorProducts { get; private set; }

    /// <summary>Evaluates this shard, then sums w_r·f_r and w_r·∇f_r over the processes.</summary>
    public double Evaluate(bool computeGradient = true)
    {
        FunctionEvaluations++;
        double f = Local.Evaluate(computeGradient);
        if (computeGradient)
        {
            GradientEvaluations++;
            var g = Parameters.Grads;
            Scale(g, Weight);
            comm.AllReduce(g);
        }
        scalars[0] = Weight * f;
        scalars[1] = Weight * Local.LastLoss;
        comm.AllReduce(scalars);
        LastLoss = scalars[1];
        return scalars[0];
    }

    /// <summary>Σ_r w_r·H_r·v over the processes.</summary>
    public Tensor HessianVectorProduct(Tensor v)
    {
        HessianVectorProducts++;
        var hv = Local.HessianVectorProduct(v);
        using var _ = Autodiff.NoGrad();
        var sum = hv.Clone();
        Scale(sum, Weight);
        comm.AllReduce(sum);
        return sum;
    }

    private static void Scale(Tensor t, double w)
    {
        if (w != 1) t.MulInPlace(w);
    }
}

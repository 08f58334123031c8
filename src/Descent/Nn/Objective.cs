using Descent.Autograd;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// The training objective <c>f(θ) = (1/N) Σₙ ℓ(yₙ, ŷ(xₙ; θ)) + Σ_k λ_k Ω_k(θ)</c> of a model on the current
/// batch (<see cref="SetBatch"/>), over the model's flat parameter vector: search methods write
/// <see cref="FlatParameters.Values"/>, call <see cref="Evaluate"/> (which overwrites
/// <see cref="FlatParameters.Grads"/> with ∇f) and <see cref="HessianVectorProduct"/>
/// (Pearlmutter's <c>Hv = ∇(vᵀ∇f)</c> by double backward). Evaluations are counted.
/// <para>The model is run in whatever mode it is in: in training mode, dropout draws a new mask and batch
/// normalization updates its running statistics at every evaluation. Hessian-vector products at the same
/// θ, batch and <see cref="TensorScope"/> reuse one recorded gradient graph (one forward and backward pass
/// for any number of products, as Hessian-free's conjugate gradients need, with a fixed dropout mask);
/// <see cref="ClearCache"/> drops it. Everything runs inside the caller's <see cref="TensorScope"/>.</para>
/// </summary>
public sealed class Objective : IObjective
{
    private Tensor? inputs;
    private Targets? targets;
    private int batchVersion;
    private HvpCache? cache;

    private sealed record HvpCache(int BatchVersion, TensorScope? Scope, FlatParameters Flat, Tensor Snapshot,
        Func<IReadOnlyList<Tensor>, Tensor[]> Operator);

    /// <summary>Creates the objective.</summary>
    public Objective(Module model, ILoss loss, params Penalty[] penalties)
    {
        Model = model;
        Loss = loss;
        Penalties = penalties;
    }

    /// <summary>The model ŷ(x; θ).</summary>
    public Module Model { get; }

    /// <summary>The per-example loss ℓ (averaged over the batch).</summary>
    public ILoss Loss { get; }

    /// <summary>The regularizers λΩ(θ).</summary>
    public IReadOnlyList<Penalty> Penalties { get; }

    /// <inheritdoc />
    public FlatParameters Parameters => Model.Flat;

    /// <summary>The current batch's inputs.</summary>
    public Tensor Inputs => inputs ?? throw new InvalidOperationException("Objective: call SetBatch before evaluating.");

    /// <summary>The current batch's targets.</summary>
    public Targets Targets => targets ?? throw new InvalidOperationException("Objective: call SetBatch before evaluating.");

    /// <summary>The data term (mean loss) at the last <see cref="Evaluate"/>.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>The regularization term Σλ Ω(θ) at the last <see cref="Evaluate"/>.</summary>
    public double LastPenalty { get; private set; } = double.NaN;

    /// <inheritdoc />
    public int FunctionEvaluations { get; private set; }

    /// <inheritdoc />
    public int GradientEvaluations { get; private set; }

    /// <inheritdoc />
    public int HessianVectorProducts { get; private set; }

    /// <summary>Wall time of the forward pass of the last evaluation with a gradient (what <c>descent bench</c>
    /// reports as a step's forward share).</summary>
    public TimeSpan LastForwardTime { get; private set; }

    /// <summary>Wall time of the backward pass of the last evaluation with a gradient, including writing the
    /// gradient into the flat buffer.</summary>
    public TimeSpan LastBackwardTime { get; private set; }

    /// <summary>Sets the batch (or the full data set) f is evaluated on. The first axis of
    /// <paramref name="batchInputs"/> counts the examples.</summary>
    public void SetBatch(Tensor batchInputs, Targets batchTargets)
    {
        if (batchInputs.Rank == 0 || batchInputs.Shape[0] != batchTargets.Count)
            throw new ShapeException($"Objective.SetBatch: inputs of shape {batchInputs.Shape} but {batchTargets.Count} targets.");
        inputs = batchInputs;
        targets = batchTargets;
        batchVersion++;
        cache = null;
    }

    /// <inheritdoc />
    public double Evaluate(bool computeGradient = true)
    {
        var flat = Parameters;
        FunctionEvaluations++;
        if (!computeGradient)
        {
            using var _ = Autodiff.NoGrad();
            return Record(Compose());
        }
        GradientEvaluations++;
        using var __ = Autodiff.EnableGrad();
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var terms = Compose();
        long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        LastForwardTime = System.Diagnostics.Stopwatch.GetElapsedTime(t0, t1);
        var ps = Trainable(flat);
        if (ps.Length > 0 && terms.Total.RequiresGrad)
        {
            // each gradient is written into its slice of the flat buffer (by the GEMM itself for weight
            // matrices); only the slices no gradient reaches are zeroed (one pass over the buffer, not two)
            var reached = Autodiff.GradInto(terms.Total, ps, Array.ConvertAll(ps, p => p.Grad!));
            using var ___ = Autodiff.NoGrad();
            for (int i = 0, k = 0; i < flat.Slots.Count; i++)
            {
                var p = flat.Slots[i].Parameter;
                bool got = p.RequiresGrad && reached[k++];   // ps holds the trainable slots in order
                if (!got) p.Grad!.Zero();
            }
        }
        else flat.ZeroGrad();
        LastBackwardTime = System.Diagnostics.Stopwatch.GetElapsedTime(t1);
        return Record(terms);
    }

    /// <inheritdoc />
    public Tensor HessianVectorProduct(Tensor v)
    {
        var flat = Parameters;
        if (v.Size != flat.Count)
            throw new ShapeException($"HessianVectorProduct: vector has {v.Size} elements; the model has {flat.Count} parameters.");
        HessianVectorProducts++;
        var c = CurrentHvp(flat);
        var parts = flat.Split(v.DType == flat.DType ? v : v.To(flat.DType));
        var vs = new List<Tensor>();
        for (int i = 0; i < flat.Slots.Count; i++)
            if (flat.Slots[i].Parameter.RequiresGrad) vs.Add(parts[i]);
        var hv = c.Operator(vs);
        var full = new Tensor[flat.Slots.Count];
        for (int i = 0, k = 0; i < full.Length; i++)
            full[i] = flat.Slots[i].Parameter.RequiresGrad ? hv[k++] : Tensor.Zeros(flat.Slots[i].Parameter.Shape, flat.DType);
        using var _ = Autodiff.NoGrad();
        return flat.Join(full);
    }

    /// <summary>f at the current parameters as a recorded scalar (differentiable in the parameters).</summary>
    public Tensor Value() => Compose().Total;

    /// <summary>f at the flat vector <paramref name="theta"/> (same layout as <see cref="FlatParameters.Values"/>)
    /// as a scalar differentiable in <paramref name="theta"/>: e.g. <c>Derivatives.Hessian(objective.Value, θ)</c>
    /// gives the dense Hessian of a small model. The parameters themselves are not changed.</summary>
    public Tensor Value(Tensor theta)
    {
        var flat = Parameters;
        var parts = flat.Split(theta);
        var map = new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < parts.Length; i++) map[flat.Slots[i].Parameter] = parts[i];
        return Functional.Call(map, () => Compose().Total);
    }

    /// <summary>Forgets the recorded gradient graph kept for Hessian-vector products.</summary>
    public void ClearCache() => cache = null;

    private (Tensor Total, Tensor Data) Compose()
    {
        var data = Loss.Compute(Model.Forward(Inputs), Targets);
        if (data.Size != 1) throw new ShapeException($"Loss '{Loss.Name}' returned shape {data.Shape}; an objective needs a scalar.");
        var total = data;
        foreach (var p in Penalties) total = total + p.Compute(Model);
        return (total, data);
    }

    private double Record((Tensor Total, Tensor Data) terms)
    {
        double f = terms.Total.Item();
        LastLoss = terms.Data.Item();
        LastPenalty = f - LastLoss;
        return f;
    }

    private static Parameter[] Trainable(FlatParameters flat) =>
        flat.Slots.Select(s => s.Parameter).Where(p => p.RequiresGrad).ToArray();

    private HvpCache CurrentHvp(FlatParameters flat)
    {
        var c = cache;
        if (c is not null && c.BatchVersion == batchVersion && ReferenceEquals(c.Scope, TensorScope.Current)
            && ReferenceEquals(c.Flat, flat) && SameValues(c.Snapshot, flat.Values))
            return c;
        cache = null;
        using var _ = Autodiff.EnableGrad();
        var ps = Trainable(flat);
        var op = Derivatives.HvpOperator(Compose().Total, ps);
        cache = new HvpCache(batchVersion, TensorScope.Current, flat, flat.Values.CloneUnscoped(), op);
        return cache;
    }

    private static bool SameValues(Tensor a, Tensor b) => a.DType == DType.Float32
        ? a.Floats.SequenceEqual(b.Floats)
        : a.Doubles.SequenceEqual(b.Doubles);
}

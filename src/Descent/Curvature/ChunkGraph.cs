using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The recorded graphs of one chunk of examples at the current parameters, from which every curvature
/// product is a backward pass or two:
/// <list type="bullet">
/// <item>Hessian: the gradient of the mean loss recorded once (create-graph), then <c>Hv = ∇(vᵀ∇L)</c> costs one
/// backward pass through it (Pearlmutter 1994).</item>
/// <item>Jacobian-vector products Jv (forward mode, the R-operator) without forward-mode autodiff: the
/// vector-Jacobian product g(u) = Jᵀu is recorded once for a dummy output gradient u; it is linear in u, so
/// Jv = ∂⟨g(u), v⟩/∂u, one backward pass through g's graph ("the double-vjp trick", Townsend 2017).</item>
/// <item>Jᵀw: one ordinary backward pass through the forward graph with output gradient w.</item>
/// </list>
/// The Gauss-Newton product is then Jᵀ(H_ℓ(Jv)), and the Fisher products Jᵀ(Σ r (rᵀJv)).
/// </summary>
internal sealed class ChunkGraph
{
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor outputs;
    private readonly Tensor loss;
    private readonly Func<IReadOnlyList<Tensor>, Tensor[]>? hvp;
    private readonly Tensor? dummy;
    private readonly Tensor?[]? vjp;

    /// <summary>Runs the model forward on the chunk with recording on and records what products of
    /// <paramref name="kind"/> need, so that every tensor the graph keeps lives in the current scope.</summary>
    public ChunkGraph(CurvatureKind kind, Module model, ILoss loss, IReadOnlyList<Parameter> parameters, Tensor inputs, Targets targets, int count)
    {
        this.parameters = parameters;
        Count = count;
        Targets = targets;
        using var _ = Autodiff.EnableGrad();
        outputs = model.Forward(inputs);
        this.loss = loss.Compute(outputs, targets);
        if (this.loss.Size != 1) throw new ShapeException($"Loss '{loss.Name}' returned shape {this.loss.Shape}; a curvature needs a scalar mean loss.");
        Output = new OutputCurvature(loss, outputs, targets);
        if (kind == CurvatureKind.Hessian)
        {
            if (this.loss.RequiresGrad) hvp = Derivatives.HvpOperator(this.loss, parameters);
            return;
        }
        if (outputs.RequiresGrad)
        {
            dummy = Tensor.Zeros(outputs.Shape, outputs.DType).RequireGrad();
            // Only the graph of Jᵀu is differentiated, never its values: rules may skip computing them.
            vjp = Autodiff.Grad([outputs], parameters, [dummy], createGraph: true, inputValuesUnused: true);
        }
        if (kind is CurvatureKind.GaussNewton or CurvatureKind.Fisher) Output.Prepare();
    }

    /// <summary>The chunk's targets.</summary>
    public Targets Targets { get; }

    /// <summary>Examples in the chunk.</summary>
    public int Count { get; }

    /// <summary>The loss in the network's outputs.</summary>
    public OutputCurvature Output { get; }

    /// <summary>Output gradients rₙ for the Fisher products (set when the graph is built).</summary>
    public Tensor[] ExampleGradients { get; set; } = [];

    /// <summary>H·v of the chunk's mean loss (per parameter, aligned with the trainable parameters).</summary>
    public Tensor[] Hessian(IReadOnlyList<Tensor> v)
    {
        return hvp is null ? Zeros() : hvp(v);
    }

    /// <summary>J·v: the change of the outputs along v (shaped like the outputs).</summary>
    public Tensor JacobianTimes(IReadOnlyList<Tensor> v)
    {
        if (vjp is null) return Tensor.ZerosLike(outputs.Detach());
        var outs = new List<Tensor>();
        var gouts = new List<Tensor?>();
        for (int i = 0; i < vjp.Length; i++)
            if (vjp[i] is { RequiresGrad: true } gi) { outs.Add(gi); gouts.Add(v[i]); }
        if (outs.Count == 0) return Tensor.ZerosLike(outputs.Detach());
        return Autodiff.Grad(outs, [dummy!], gouts)[0] ?? Tensor.ZerosLike(outputs.Detach());
    }

    /// <summary>Jᵀ·w for an output-space vector w (per parameter).</summary>
    public Tensor[] JacobianTransposeTimes(Tensor w)
    {
        if (!outputs.RequiresGrad) return Zeros();
        var g = Autodiff.Grad([outputs], parameters, [w]);
        var r = new Tensor[parameters.Count];
        for (int i = 0; i < r.Length; i++) r[i] = g[i] ?? Tensor.Zeros(parameters[i].Shape, parameters[i].DType);
        return r;
    }

    private Tensor[] Zeros() => parameters.Select(p => Tensor.Zeros(p.Shape, p.DType)).ToArray();
}

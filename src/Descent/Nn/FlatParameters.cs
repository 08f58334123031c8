using Descent.Tensors;

namespace Descent.Nn;

/// <summary>Where one parameter lives inside the flat buffers.</summary>
/// <param name="Name">Dotted path, e.g. <c>layers.0.weight</c>.</param>
/// <param name="Parameter">The parameter (a view into <see cref="FlatParameters.Values"/>).</param>
/// <param name="Offset">First element in the flat buffers.</param>
/// <param name="Length">Number of elements.</param>
/// <param name="Owner">The module that registered it.</param>
public sealed record ParameterSlot(string Name, Parameter Parameter, int Offset, int Length, Module Owner)
{
    /// <summary>The parameter's kind.</summary>
    public ParameterKind Kind => Parameter.Kind;
}

/// <summary>
/// All parameters of a model in one contiguous buffer (<see cref="Values"/>) and their gradients in
/// another (<see cref="Grads"/>), as in llm.c: an optimizer step is one loop over two arrays, a
/// Hessian-vector product maps a flat vector to a flat vector, and a checkpoint is one blob plus the
/// <see cref="Slots"/> index. Created by <see cref="Module.Flatten"/> (or on first use of <see cref="Module.Flat"/>).
/// A binding is versioned: binding the same parameters again (a parent's <see cref="Module.Flatten"/>,
/// <see cref="Module.To"/>, a layer added later) retires this one, and optimizers and objectives bound to a
/// retired binding refuse to run instead of updating memory the model no longer reads.
/// </summary>
public sealed class FlatParameters
{
    private static int lastVersion;
    private readonly Module root;
    private IReadOnlyList<ParameterSite>? sites;

    internal FlatParameters(Tensor values, Tensor grads, IReadOnlyList<ParameterSlot> slots, Module root)
    {
        Values = values;
        Grads = grads;
        Slots = slots;
        this.root = root;
        Version = Interlocked.Increment(ref lastVersion);
    }

    /// <summary>A number that identifies this binding (each <see cref="Module.Flatten"/> makes a new one).</summary>
    public int Version { get; }

    /// <summary>True once the parameters were bound again elsewhere: this binding's buffers are no longer the
    /// model's parameters.</summary>
    public bool IsRetired { get; private set; }

    /// <summary>The module whose <see cref="Module.Flatten"/> made this binding.</summary>
    public Module Root => root;

    internal void Retire() => IsRetired = true;

    /// <summary>Throws if this binding was retired (for optimizers and objectives, before they touch it).</summary>
    /// <exception cref="InvalidOperationException">The binding is retired.</exception>
    public void EnsureLive(string user)
    {
        if (IsRetired)
            throw new InvalidOperationException($"{user}: the model's parameters were bound to a new flat buffer (by Flatten(), To(dtype), a parent module's Flat, or a layer added after flattening) after it was set up on flat buffer v{Version}; set it up again on the model's current Flat, e.g. optimizer.Init(model.Flat).");
    }

    /// <summary>Every parameter value, concatenated in registration order (1-D).</summary>
    public Tensor Values { get; }

    /// <summary>Every parameter gradient, in the same layout as <see cref="Values"/> (1-D).</summary>
    public Tensor Grads { get; }

    /// <summary>The layout: one slot per parameter.</summary>
    public IReadOnlyList<ParameterSlot> Slots { get; }

    /// <summary>Each parameter's <see cref="ParameterSite"/> (owner and layer position, what a
    /// <see cref="ParameterSelector"/> chooses by), aligned with <see cref="Slots"/>.</summary>
    public IReadOnlyList<ParameterSite> Sites
    {
        get
        {
            if (sites is null)
            {
                var s = ParameterSite.Of(root);
                if (s.Count != Slots.Count || s.Where((x, i) => !ReferenceEquals(x.Parameter, Slots[i].Parameter)).Any())
                    throw new InvalidOperationException($"The model's parameters changed after flat buffer v{Version} was made; call Flatten() and set up the optimizer again.");
                sites = s;
            }
            return sites;
        }
    }

    /// <summary>Total number of parameter elements.</summary>
    public int Count => Values.Size;

    /// <summary>Element type of the buffers.</summary>
    public DType DType => Values.DType;


    /// <summary>Sets every gradient to zero (one pass over the flat gradient buffer).</summary>
    public void ZeroGrad() => Grads.Zero();

    /// <summary>The parameters, in layout order.</summary>
    public IReadOnlyList<Parameter> Parameters => Slots.Select(s => s.Parameter).ToArray();

    /// <summary>Splits a flat vector (e.g. a direction for a Hessian-vector product) into per-parameter
    /// views with the parameters' shapes (no copy).</summary>
    public Tensor[] Split(Tensor flat)
    {
        if (flat.Size != Count) throw new ShapeException($"Flat vector has {flat.Size} elements; the model has {Count} parameters.");
        var f = flat.Reshape(Count);
        return Slots.Select(s => f.Narrow(0, s.Offset, s.Length).Reshape(s.Parameter.Shape.ToArray())).ToArray();
    }

    /// <summary>Concatenates per-parameter tensors (same shapes as the parameters) into one flat vector.</summary>
    public Tensor Join(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count != Slots.Count) throw new ShapeException($"{parts.Count} tensors for {Slots.Count} parameters.");
        return Tensor.Cat(parts.Select(p => p.Reshape(p.Size)).ToArray(), 0);
    }

    internal static FlatParameters Bind(Module root, IReadOnlyList<(string Name, Parameter P, Module Owner)> parameters)
    {
        var dtype = parameters.Count == 0 ? DType.Float32 : parameters[0].P.DType;
        foreach (var (name, p, _) in parameters)
            if (p.DType != dtype)
                throw new DescentException($"Parameter '{name}' is {p.DType.Name()} but others are {dtype.Name()}; convert the model with To().");
        int total = 0;
        foreach (var (_, p, _) in parameters) total = checked(total + p.Size);
        var values = Tensor.ZerosUnscoped(new Shape(total), dtype);
        var grads = Tensor.ZerosUnscoped(new Shape(total), dtype);
        var slots = new List<ParameterSlot>();
        var flat = new FlatParameters(values, grads, slots, root);
        int offset = 0;
        foreach (var (name, p, owner) in parameters)
        {
            var view = values.Narrow(0, offset, p.Size);
            view.CopyFrom(p.Detach());
            p.Rebind(values.storage, offset);
            p.Grad = grads.Narrow(0, offset, p.Size).Reshape(p.Shape.ToArray());
            p.Flat = flat;
            slots.Add(new ParameterSlot(name, p, offset, p.Size, owner));
            offset += p.Size;
        }
        return flat;
    }
}

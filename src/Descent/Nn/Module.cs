using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// A building block of a network (PyTorch's <c>nn.Module</c>, in .NET style): it registers named
/// parameters, buffers (state that is saved but not trained, like BatchNorm's running averages) and
/// child modules in its constructor, and computes <see cref="Forward"/>. Modules have a training and an
/// evaluation mode, a state dictionary, and one flat parameter buffer (<see cref="Flat"/>).
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter P)> parameters = new();
    private readonly List<(string Name, Module M)> children = new();
    private readonly List<(string Name, Tensor T)> buffers = new();
    private FlatParameters? flat;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>True in training mode (dropout active, batch statistics in BatchNorm); false in evaluation.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Sets training (true) or evaluation (false) mode on this module and every descendant.</summary>
    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, c) in children) c.Train(training);
        return this;
    }

    /// <summary>Switches to evaluation mode (same as <c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Registers a trainable parameter initialized with a copy of <paramref name="init"/>.</summary>
    protected Parameter AddParameter(string name, Tensor init, ParameterKind kind)
    {
        CheckName(name);
        var p = new Parameter(init, kind) { Name = name };
        parameters.Add((name, p));
        Unbind();
        return p;
    }

    /// <summary>Registers a child module.</summary>
    protected T AddModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        children.Add((name, module));
        Unbind();
        return module;
    }

    /// <summary>Registers a buffer: saved in the state dictionary, converted by <see cref="To"/>, not trained.</summary>
    protected Tensor AddBuffer(string name, Tensor init)
    {
        CheckName(name);
        var t = init.CloneUnscoped();
        buffers.Add((name, t));
        return t;
    }

    /// <summary>Unregisters the parameter <paramref name="name"/> and returns it (weight normalization
    /// replaces a wrapped layer's weight by g and v, like PyTorch's <c>weight_norm</c>).</summary>
    internal Parameter RemoveParameter(string name)
    {
        int i = parameters.FindIndex(p => p.Name == name);
        if (i < 0)
            throw new ConfigurationException($"{GetType().Name} has no parameter named '{name}'; it has [{string.Join(", ", parameters.Select(p => p.Name))}].");
        var p = parameters[i].P;
        parameters.RemoveAt(i);
        p.Flat?.Retire();
        Unbind();
        return p;
    }

    /// <summary>The module's parameters changed: its binding no longer describes them.</summary>
    private void Unbind()
    {
        flat?.Retire();
        flat = null;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"Invalid name '{name}': names are non-empty and contain no dots.");
        if (parameters.Any(p => p.Name == name) || children.Any(c => c.Name == name) || buffers.Any(b => b.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
    }

    /// <summary>This module's direct children.</summary>
    public IEnumerable<(string Name, Module Module)> Children() => children;

    /// <summary>Every descendant module (and this one, named ""), depth first, with dotted paths.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (n, c) in children)
            foreach (var x in c.NamedModules(Join(prefix, n))) yield return x;
    }

    /// <summary>Every parameter with its dotted path (shared parameters once), in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        NamedParametersWithOwner().Select(x => (x.Name, x.P));

    private List<(string Name, Parameter P, Module Owner)> NamedParametersWithOwner()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var list = new List<(string, Parameter, Module)>();
        foreach (var (path, m) in NamedModules())
            foreach (var (n, p) in m.parameters)
                if (seen.Add(p)) list.Add((Join(path, n), p, m));
        return list;
    }

    /// <summary>Every parameter, in registration order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>Every buffer with its dotted path.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (path, m) in NamedModules())
            foreach (var (n, b) in m.buffers) yield return (Join(path, n), b);
    }

    /// <summary>Total number of trainable elements.</summary>
    public int ParameterCount => Parameters().Sum(p => p.Size);

    /// <summary>
    /// Binds every parameter of this module and its descendants into one new flat buffer (values) and another
    /// (gradients), as in llm.c: each parameter's values are copied in and the parameter becomes a view of the
    /// buffer (its <see cref="Tensor.Grad"/> a view of the gradient buffer). Any earlier binding of these
    /// parameters (this module's, a child's or a parent's) is retired: optimizers and objectives set up on it
    /// refuse to run. Call it on the root module, once the model is built; <see cref="Flat"/> then returns it.
    /// </summary>
    public FlatParameters Flatten()
    {
        var list = NamedParametersWithOwner();
        flat?.Retire();
        foreach (var (_, p, _) in list) p.Flat?.Retire();
        flat = FlatParameters.Bind(this, list);
        return flat;
    }

    /// <summary>
    /// The binding made by the last <see cref="Flatten"/> (made on first use if there was none). It never
    /// re-binds memory behind your back: if these parameters were bound elsewhere since (a parent module's
    /// <see cref="Flatten"/>), it throws; after <see cref="To"/> or a change of the module's parameters, it makes
    /// a new binding (the old one is retired, so an optimizer set up on it refuses to step).
    /// </summary>
    /// <exception cref="InvalidOperationException">The parameters now live in another module's flat buffer.</exception>
    public FlatParameters Flat
    {
        get
        {
            if (flat is not null && !flat.IsRetired) return flat;
            // Parameters that live in a binding made by a module that is not below this one (a parent's) stay there.
            var mine = NamedModules().Select(m => m.Module).ToHashSet(ReferenceEqualityComparer.Instance);
            var foreign = NamedParametersWithOwner().Select(x => x.P.Flat).FirstOrDefault(f => f is { IsRetired: false } && !mine.Contains(f.Root));
            if (foreign is not null)
                throw new InvalidOperationException($"The parameters of this {GetType().Name} live in the flat buffer v{foreign.Version} of a {foreign.Root.GetType().Name}; use that module's Flat, or call Flatten() here to bind them anew (which retires v{foreign.Version}).");
            return Flatten();
        }
    }

    /// <summary>Sets all gradients to zero.</summary>
    public void ZeroGrad()
    {
        if (flat is not null && !flat.IsRetired) { flat.ZeroGrad(); return; }
        foreach (var p in Parameters()) p.Grad?.Zero();
    }

    /// <summary>Converts every parameter and buffer to <paramref name="dtype"/> (e.g. float64 for gradient
    /// checks or Newton steps); a new flat buffer is made on next use of <see cref="Flat"/>.</summary>
    public Module To(DType dtype)
    {
        foreach (var (_, m) in NamedModules())
        {
            foreach (var (_, p) in m.parameters)
                if (p.DType != dtype) p.ReplaceStorage(p.To(dtype).Detach().CloneUnscoped());
            for (int i = 0; i < m.buffers.Count; i++)
                if (m.buffers[i].T.DType != dtype) m.buffers[i].T.ReplaceStorage(m.buffers[i].T.To(dtype).CloneUnscoped());
        }
        foreach (var p in Parameters()) { p.Grad = null; p.Flat?.Retire(); p.Flat = null; }
        Unbind();
        return this;
    }

    /// <summary>Copies of every parameter and buffer by dotted path (a state dictionary).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, p) in NamedParameters()) d[n] = p.Detach().CloneUnscoped();
        foreach (var (n, b) in NamedBuffers()) d[n] = b.CloneUnscoped();
        return d;
    }

    /// <summary>Loads values by dotted path. With <paramref name="strict"/>, missing or unexpected keys are errors.
    /// Shapes must match.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var targets = NamedParameters().Select(x => (x.Name, (Tensor)x.Parameter))
            .Concat(NamedBuffers()).ToDictionary(x => x.Item1, x => x.Item2);
        if (strict)
        {
            var missing = targets.Keys.Where(k => !state.ContainsKey(k)).ToArray();
            var extra = state.Keys.Where(k => !targets.ContainsKey(k)).ToArray();
            if (missing.Length > 0 || extra.Length > 0)
                throw new DataFormatException($"State does not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}].");
        }
        using var _ = Autograd.Autodiff.NoGrad();
        foreach (var (name, t) in targets)
        {
            if (!state.TryGetValue(name, out var v)) continue;
            if (v.Shape != t.Shape) throw new ShapeException($"State entry '{name}' has shape {v.Shape}; the model expects {t.Shape}.");
            t.CopyFrom(v);
        }
    }

    /// <summary>A one-line description of the module (type and key sizes).</summary>
    public override string ToString() => GetType().Name;

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}

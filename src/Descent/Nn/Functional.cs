using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// Evaluates modules with some parameters replaced by other tensors (PyTorch's
/// <c>torch.func.functional_call</c>). Inside <see cref="Call{T}(IReadOnlyDictionary{Parameter, Tensor}, Func{T})"/>,
/// <see cref="Value"/> returns the substitute of each replaced parameter; the layers of
/// <c>Descent.Nn</c> read their parameters through <see cref="Value"/>, so gradients then flow to the
/// substitutes. Uses: weight normalization (the wrapped layer's weight is computed from g and v),
/// gradient checks with respect to parameters, and objectives evaluated at a flat θ that is itself a
/// differentiable tensor (dense Hessians, curvature analysis). Overrides are per thread and nest (the
/// innermost wins).
/// </summary>
public static class Functional
{
    [ThreadStatic] private static Dictionary<Parameter, Tensor>? overrides;

    /// <summary>The tensor that stands for <paramref name="p"/> right now: its substitute inside a
    /// <see cref="Call{T}(IReadOnlyDictionary{Parameter, Tensor}, Func{T})"/>, otherwise the parameter itself.</summary>
    public static Tensor Value(Parameter p) =>
        overrides is not null && overrides.TryGetValue(p, out var t) ? t : p;

    /// <summary>Runs <paramref name="body"/> with each key parameter replaced by its value (same shape and dtype).</summary>
    public static T Call<T>(IReadOnlyDictionary<Parameter, Tensor> values, Func<T> body)
    {
        var saved = overrides;
        var merged = saved is null
            ? new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance)
            : new Dictionary<Parameter, Tensor>(saved, ReferenceEqualityComparer.Instance);
        foreach (var (p, v) in values)
        {
            if (v.Shape != p.Shape)
                throw new ShapeException($"Substitute for parameter '{p.Name}' has shape {v.Shape}; the parameter has {p.Shape}.");
            if (v.DType != p.DType)
                throw new DescentException($"Substitute for parameter '{p.Name}' is {v.DType.Name()}; the parameter is {p.DType.Name()}.");
            merged[p] = v;
        }
        overrides = merged;
        try { return body(); }
        finally { overrides = saved; }
    }

    /// <summary>Runs <paramref name="module"/> on <paramref name="input"/> with its parameters replaced, in
    /// the order of <see cref="Module.Parameters"/>, by <paramref name="parameterValues"/>.</summary>
    public static Tensor Call(Module module, IReadOnlyList<Tensor> parameterValues, Tensor input) =>
        Call(Bind(module, parameterValues), () => module.Forward(input));

    /// <summary>Pairs the parameters of <paramref name="module"/> (in <see cref="Module.Parameters"/> order)
    /// with <paramref name="values"/>.</summary>
    public static Dictionary<Parameter, Tensor> Bind(Module module, IReadOnlyList<Tensor> values)
    {
        var ps = module.Parameters().ToArray();
        if (ps.Length != values.Count)
            throw new ShapeException($"{values.Count} substitutes for the {ps.Length} parameters of {module}.");
        var d = new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < ps.Length; i++) d[ps[i]] = values[i];
        return d;
    }
}

using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// Weight normalization (Salimans &amp; Kingma 2016): a wrapped layer's weight is re-parameterized as
/// <c>w = g · v/‖v‖</c> per output unit (the norm taken over every axis but the first), which decouples
/// each unit's length <c>g</c> from its direction <c>v</c> and improves the conditioning of the
/// optimization problem. As in PyTorch's <c>weight_norm</c>, the wrapped layer's weight stops being a
/// parameter; it is replaced by <c>{name}_g</c> (kind <see cref="ParameterKind.NormScale"/>, shape [out, 1, …])
/// and <c>{name}_v</c> (kind <see cref="ParameterKind.Weight"/>), initialized so that w is unchanged
/// (g = ‖v‖). Each forward pass computes w from g and v and runs the wrapped layer with it
/// (through <see cref="Functional"/>); the layer's other parameters (e.g. its bias) stay its own.
/// </summary>
public sealed class WeightNorm : Module
{
    private readonly Parameter replaced;
    private readonly int[] reduceAxes;

    /// <summary>Wraps <paramref name="module"/>, re-parameterizing its parameter <paramref name="name"/>
    /// (rank ≥ 2, first axis = output units). The module must read that parameter through
    /// <see cref="Functional.Value"/>, as every layer of <c>Descent.Nn</c> does.</summary>
    public WeightNorm(Module module, string name = "weight")
    {
        var p = module.NamedParameters().FirstOrDefault(x => x.Name == name).Parameter
            ?? throw new ConfigurationException($"WeightNorm: {module} has no parameter named '{name}'; it has [{string.Join(", ", module.NamedParameters().Select(x => x.Name))}].");
        if (p.Rank < 2)
            throw new ConfigurationException($"WeightNorm needs a weight of rank ≥ 2 (output units first); '{name}' has shape {p.Shape}.");
        replaced = module.RemoveParameter(name);
        Name = name;
        Wrapped = AddModule("module", module);
        reduceAxes = Enumerable.Range(1, p.Rank - 1).ToArray();
        var v = p.Detach();
        G = AddParameter(name + "_g", Norm(v), ParameterKind.NormScale);
        V = AddParameter(name + "_v", v, ParameterKind.Weight);
    }

    /// <summary>The wrapped layer.</summary>
    public Module Wrapped { get; }

    /// <summary>The name of the re-parameterized weight in the wrapped layer.</summary>
    public string Name { get; }

    /// <summary>The length g of each output unit's weight vector, shape [out, 1, …].</summary>
    public Parameter G { get; }

    /// <summary>The direction v (unnormalized), with the weight's shape.</summary>
    public Parameter V { get; }

    /// <summary>The effective weight w = g·v/‖v‖ (recorded, so it differentiates to g and v).</summary>
    public Tensor Weight()
    {
        var v = Functional.Value(V);
        return Functional.Value(G) * v / Norm(v);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var w = Weight();
        return Functional.Call(new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance) { [replaced] = w },
            () => Wrapped.Forward(input));
    }

    private Tensor Norm(Tensor v) => v.Square().Sum(reduceAxes, keepDim: true).Sqrt();

    /// <inheritdoc />
    public override string ToString() => $"WeightNorm({Wrapped})";
}

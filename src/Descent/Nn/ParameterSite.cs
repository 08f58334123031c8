namespace Descent.Nn;

/// <summary>
/// A parameter in the context a <see cref="ParameterSelector"/> chooses by: its dotted name, the module that
/// owns it and its layer position. Penalties, initialization plans and parameter groups all select over sites
/// (<see cref="Of"/> for a model, <see cref="FlatParameters.Sites"/> for a flat buffer).
/// </summary>
/// <param name="Name">The dotted path, e.g. <c>"2.weight"</c> or <c>"encoder.lstm.forget_bias"</c>.</param>
/// <param name="Parameter">The parameter.</param>
/// <param name="Owner">The module that registered it.</param>
/// <param name="Layer">The owner's index among the model's layers (modules that directly own a
/// <see cref="ParameterKind.Weight"/> parameter, in registration order, which is forward order for a
/// <see cref="Sequential"/>); −1 if the owner is not a layer.</param>
/// <param name="LayerCount">The number of layers in the model.</param>
public sealed record ParameterSite(string Name, Parameter Parameter, Module Owner, int Layer, int LayerCount)
{
    /// <summary>The parameter's kind.</summary>
    public ParameterKind Kind => Parameter.Kind;

    /// <summary>The parameter's number of dimensions.</summary>
    public int Rank => Parameter.Rank;

    /// <summary>
    /// Every parameter of <paramref name="model"/> in registration order (shared parameters once, with the
    /// module that registered them first), with its owner and layer position; the same order and names as
    /// <see cref="Module.NamedParameters"/> and <see cref="FlatParameters.Slots"/>.
    /// </summary>
    public static IReadOnlyList<ParameterSite> Of(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var found = new List<(string Name, Parameter P, Module Owner)>();
        var layers = new List<Module>();
        foreach (var (path, m) in model.NamedModules())
        {
            bool isLayer = false;
            foreach (var (n, p) in m.NamedParameters())
            {
                if (n.Contains('.')) continue; // owned by a descendant
                if (p.Kind == ParameterKind.Weight) isLayer = true;
                if (seen.Add(p)) found.Add((path.Length == 0 ? n : path + "." + n, p, m));
            }
            if (isLayer) layers.Add(m);
        }
        return found.Select(x => new ParameterSite(x.Name, x.P, x.Owner,
            layers.FindIndex(l => ReferenceEquals(l, x.Owner)), layers.Count)).ToList();
    }
}

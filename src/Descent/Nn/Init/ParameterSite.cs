namespace Descent.Nn.Init;

/// <summary>
/// A parameter in the context that initialization rules select by.
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

    /// <summary>
    /// Every parameter of <paramref name="model"/> in registration order (shared parameters once), with its
    /// owner and layer position.
    /// </summary>
    public static IReadOnlyList<ParameterSite> Of(Module model)
    {
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

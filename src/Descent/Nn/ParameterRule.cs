namespace Descent.Nn;

/// <summary>
/// Picks parameters by kind or name: which ones a penalty, weight decay or initialization applies to
/// (e.g. "weights only, no biases or normalization parameters").
/// </summary>
/// <param name="Description">A short description for messages and logs.</param>
/// <param name="Matches">The predicate over (dotted name, parameter).</param>
public sealed record ParameterRule(string Description, Func<string, Parameter, bool> Matches)
{
    /// <summary>Every parameter.</summary>
    public static ParameterRule All { get; } = new("all parameters", (_, _) => true);

    /// <summary>Weight matrices and convolution kernels (<see cref="ParameterKind.Weight"/>) only.</summary>
    public static ParameterRule Weights { get; } = OfKind(ParameterKind.Weight);

    /// <summary>Parameters of the given kinds.</summary>
    public static ParameterRule OfKind(params ParameterKind[] kinds) =>
        new($"kinds {string.Join(", ", kinds)}", (_, p) => kinds.Contains(p.Kind));

    /// <summary>Parameters whose dotted name satisfies <paramref name="predicate"/>.</summary>
    public static ParameterRule NameMatches(Func<string, bool> predicate, string description = "selected names") =>
        new(description, (n, _) => predicate(n));

    /// <summary>The parameters of <paramref name="model"/> this rule selects, with their dotted names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> Select(Module model) =>
        model.NamedParameters().Where(x => Matches(x.Name, x.Parameter));

    /// <inheritdoc />
    public override string ToString() => Description;
}

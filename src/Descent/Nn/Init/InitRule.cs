namespace Descent.Nn.Init;

/// <summary>"Parameters selected by <see cref="Selector"/> are initialized with <see cref="Scheme"/>."</summary>
/// <param name="Selector">Which parameters.</param>
/// <param name="Scheme">How.</param>
public sealed record InitRule(ParamSelector Selector, InitScheme Scheme)
{
    /// <summary>
    /// Parses <c>SELECTOR=SCHEME</c>, e.g. <c>kind:weight=glorot_uniform</c>,
    /// <c>kind:bias&amp;type:linear=constant:0.01</c>, <c>name:*forget_bias=constant:1</c>; see
    /// <see cref="ParamSelector.Parse"/> and <see cref="InitScheme.Parse"/>. <paramref name="activation"/> is
    /// passed to the scheme parser as the default gain.
    /// </summary>
    public static InitRule Parse(string text, string? activation = null)
    {
        int eq = text.IndexOf('=');
        if (eq < 0)
            throw new ConfigurationException($"Invalid initialization rule '{text}': write SELECTOR=SCHEME, e.g. kind:weight=glorot_uniform or name:*forget_bias=constant:1.");
        return new InitRule(ParamSelector.Parse(text[..eq]), InitScheme.Parse(text[(eq + 1)..].Trim(), activation));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Selector.Text}={Scheme.Text}";
}

/// <summary>What an <see cref="InitPlan"/> did (or would do) to one parameter.</summary>
/// <param name="Name">The parameter's dotted name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Scheme">The scheme of the last rule that matched it.</param>
public sealed record InitAssignment(string Name, ParameterKind Kind, Tensors.Shape Shape, InitScheme Scheme);

namespace Descent.Nn.Init;

/// <summary>"Parameters selected by <see cref="Selector"/> are initialized with <see cref="Scheme"/>."</summary>
/// <param name="Selector">Which parameters.</param>
/// <param name="Scheme">How.</param>
public sealed record InitRule(ParameterSelector Selector, InitScheme Scheme)
{
    /// <summary>
    /// Parses <c>SELECTOR=SCHEME</c>, e.g. <c>kind:weight=glorot_uniform</c>,
    /// <c>kind:bias&amp;owner:linear=constant:0.01</c>, <c>name:*forget_bias=constant:1</c>; the selector is
    /// written as <see cref="ParameterSelector.Syntax"/> describes (it ends at the <c>=</c> that starts the
    /// scheme, so <c>kind=weight=glorot_uniform</c> works too), the scheme as <see cref="InitScheme.Parse"/>
    /// reads it. <paramref name="activation"/> is passed to the scheme parser as the default gain.
    /// </summary>
    /// <exception cref="ConfigurationException">The selector or the scheme is invalid, or the <c>=</c> is missing.</exception>
    public static InitRule Parse(string text, string? activation = null)
    {
        var selector = ParameterSelector.ParsePrefix(text, out int end);
        if (end >= text.Length || text[end] != '=')
            throw new ConfigurationException(
                $"Invalid initialization rule '{text.Trim()}': write SELECTOR=SCHEME, e.g. kind:weight=glorot_uniform or name:*forget_bias=constant:1" +
                (end < text.Length ? $" (found '{text[end..]}' after the selector '{selector.Text}')." : "."));
        return new InitRule(selector, InitScheme.Parse(text[(end + 1)..].Trim(), activation));
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

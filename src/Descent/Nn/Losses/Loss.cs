namespace Descent.Nn.Losses;

/// <summary>Creates losses by name.</summary>
public static class Loss
{
    private static readonly (string Name, Func<ILoss> Create)[] Factories =
    [
        ("mse", () => new MeanSquaredError()),
        ("cross_entropy", () => new CrossEntropy()),
        ("bce", () => new BinaryCrossEntropy()),
        ("bce_logits", () => new BinaryCrossEntropyWithLogits()),
        ("nll", () => new NegativeLogLikelihood()),
        ("hinge", () => new Hinge()),
    ];

    /// <summary>The accepted names.</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Factories.Select(f => f.Name).ToArray();

    /// <summary>The loss called <paramref name="name"/> (<c>mse</c>, <c>cross_entropy</c>, <c>bce</c>,
    /// <c>bce_logits</c>, <c>nll</c>, <c>hinge</c>; hyphens may replace underscores).</summary>
    /// <exception cref="ConfigurationException">For an unknown name; the message lists the valid ones.</exception>
    public static ILoss Create(string name)
    {
        var key = (name ?? "").Trim().ToLowerInvariant().Replace('-', '_');
        foreach (var (n, create) in Factories)
            if (n == key) return create();
        throw new ConfigurationException($"Unknown loss '{name}'. Valid names: {string.Join(", ", ValidNames)}.");
    }
}

namespace Descent.Problems;

/// <summary>The benchmark problems by name.</summary>
public static class ProblemCatalog
{
    private static readonly Func<Problem>[] Factories =
    [
        () => new FashionMnistLogReg(),
        () => new FashionMnistMlp(),
        () => new FashionMnist2c2d(),
        () => new FashionMnistDeep(skip: false),
        () => new FashionMnistDeep(skip: true),
        () => new FashionMnistDeep(skip: true, batchNorm: true),
        () => new QuadraticDeep(),
        () => new TwoLayerScalar(tanh: false),
        () => new TwoLayerScalar(tanh: true),
        () => new LstmAdding(),
    ];

    /// <summary>Every problem, in a stable order.</summary>
    public static IReadOnlyList<Problem> All => Factories.Select(f => f()).ToArray();

    /// <summary>The problem called <paramref name="name"/>.</summary>
    /// <exception cref="ConfigurationException">Unknown name (the message lists the known ones).</exception>
    public static Problem Create(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace('-', '_');
        foreach (var f in Factories)
        {
            var p = f();
            if (p.Name == key) return p;
        }
        throw new ConfigurationException($"Unknown problem '{name}'. Known problems: {string.Join(", ", All.Select(p => p.Name))}.");
    }
}

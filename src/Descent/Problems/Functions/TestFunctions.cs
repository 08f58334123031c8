using System.Globalization;

namespace Descent.Problems.Functions;

/// <summary>Creates test functions by name: <c>square</c>, <c>rosenbrock</c>, <c>beale</c>,
/// <c>himmelblau</c>, <c>rastrigin</c>, <c>saddle</c>, <c>quadratic</c> (ill-conditioned; key
/// <c>kappa</c>). A spec may carry settings after a colon: <c>quadratic:kappa=100</c>.</summary>
public static class TestFunctions
{
    /// <summary>The names, with a one-line description each.</summary>
    public static IReadOnlyList<(string Name, string Description)> Catalog { get; } =
    [
        ("square", "Σ xᵢ² in any dimension (default 1); the course's example F"),
        ("rosenbrock", "Rosenbrock's valley, minimum at (1, …, 1); any dimension ≥ 2"),
        ("beale", "Beale's function, minimum at (3, 0.5); 2-D"),
        ("himmelblau", "Himmelblau's function, four minima; 2-D"),
        ("rastrigin", "Rastrigin's function, many local minima; any dimension"),
        ("saddle", "x₁² − x₂², a saddle at the origin (example D); 2-D"),
        ("quadratic", "Σ αᵢxᵢ² with condition number kappa (quadratic:kappa=100); any dimension"),
    ];

    /// <summary>Creates the function named by <paramref name="spec"/> in <paramref name="dimension"/>
    /// variables (null: the function's default).</summary>
    public static TestFunction Create(string spec, int? dimension = null)
    {
        var (name, settings) = ParseSpec(spec);
        TestFunction f = name switch
        {
            "square" => new Square(dimension ?? 1),
            "rosenbrock" => new Rosenbrock(dimension ?? 2),
            "beale" => new Beale(),
            "himmelblau" => new Himmelblau(),
            "rastrigin" => new Rastrigin(dimension ?? 2),
            "saddle" => new Saddle(),
            "quadratic" => new IllConditionedQuadratic(dimension ?? 2, Take(settings, "kappa", 10)),
            _ => throw new ConfigurationException($"Unknown function '{name}'. Known functions: {string.Join(", ", Catalog.Select(c => c.Name))}."),
        };
        if (settings.Count > 0)
            throw new ConfigurationException($"Function '{name}' has no setting '{settings.Keys.First()}'.");
        if (dimension is int d && d != f.Dimension)
            throw new ConfigurationException($"Function '{name}' is defined in {f.Dimension} dimensions, not {d}.");
        return f;
    }

    private static (string Name, Dictionary<string, string> Settings) ParseSpec(string spec)
    {
        var parts = spec.Trim().Split(':', 2);
        var settings = new Dictionary<string, string>();
        if (parts.Length == 2)
            foreach (var kv in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var p = kv.Split('=', 2);
                if (p.Length != 2) throw new ConfigurationException($"Function setting '{kv}' in '{spec}' is not key=value.");
                settings[p[0].Trim().ToLowerInvariant()] = p[1].Trim();
            }
        return (parts[0].Trim().ToLowerInvariant(), settings);
    }

    private static double Take(Dictionary<string, string> settings, string key, double fallback)
    {
        if (!settings.Remove(key, out var s)) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            throw new ConfigurationException($"Function setting {key}={s} is not a number.");
        return v;
    }
}

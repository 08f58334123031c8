using System.Text.Json;

namespace Descent.Tests.Optim.SecondOrder;

/// <summary>SciPy 1.10's counts on Rosenbrock from (−1.2, 1), produced by tools/reference/scipy_rosenbrock.py
/// and stored in Optim/Reference/scipy_rosenbrock.json (the tests never run Python).</summary>
internal static class ScipyReference
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Optim", "Reference", "scipy_rosenbrock.json"))).RootElement);

    /// <summary>SciPy's result for a method (<c>CG</c>, <c>BFGS</c>, <c>L-BFGS-B</c>, <c>Newton-CG</c>).</summary>
    public static (int Nit, int Nfev, int Njev, double GradNorm) Method(string name)
    {
        foreach (var m in Root.Value.GetProperty("methods").EnumerateArray())
            if (m.GetProperty("method").GetString() == name)
                return (m.GetProperty("nit").GetInt32(), m.GetProperty("nfev").GetInt32(), m.GetProperty("njev").GetInt32(), m.GetProperty("grad_norm").GetDouble());
        throw new KeyNotFoundException(name);
    }

    /// <summary>SciPy's strong-Wolfe line searches along −∇f (c₁ = 1e-4, c₂ = 0.9).</summary>
    public static IEnumerable<(double[] Start, double Alpha, int Fc, int Gc)> WolfeSearches()
    {
        foreach (var s in Root.Value.GetProperty("wolfe_line_search").EnumerateArray())
            yield return (s.GetProperty("start").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                s.GetProperty("alpha").GetDouble(), s.GetProperty("fc").GetInt32(), s.GetProperty("gc").GetInt32());
    }
}

using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>Settings of <see cref="Lsuv"/>.</summary>
/// <param name="Tolerance">Stop rescaling a layer once <c>|Var(output) − 1| &lt; Tolerance</c>.</param>
/// <param name="MaxIterations">At most this many rescalings per layer.</param>
/// <param name="OrthogonalPreInit">Start from orthogonal weights (Saxe et al. 2014), as the paper does;
/// if false, the current weights are only rescaled.</param>
/// <param name="Seed">Seed of the orthogonal pre-initialization (per-parameter streams, as in
/// <see cref="InitPlan"/>).</param>
public sealed record LsuvOptions(double Tolerance = 0.1, int MaxIterations = 10, bool OrthogonalPreInit = true, ulong Seed = 0);

/// <summary>What LSUV did to one layer.</summary>
/// <param name="Name">The layer's dotted path in the model.</param>
/// <param name="Iterations">Rescalings applied.</param>
/// <param name="InitialVariance">Output variance before the first rescaling.</param>
/// <param name="Variance">Output variance after the last rescaling (measured).</param>
/// <param name="Converged">Whether <c>|Variance − 1| &lt; Tolerance</c>.</param>
public sealed record LsuvLayer(string Name, int Iterations, double InitialVariance, double Variance, bool Converged);

/// <summary>
/// Layer-sequential unit-variance initialization (Mishkin &amp; Matas 2016, "All you need is a good init",
/// Algorithm 1): pre-initialize every weight orthogonally, then, layer by layer in forward order, run a data
/// batch through the network and divide the layer's weights by <c>√Var(output)</c> until the variance of
/// its output (over all elements of the batch) is within the tolerance of 1, or the iteration limit is hit.
/// </summary>
/// <remarks>
/// Works on a <see cref="Sequential"/> (nested Sequentials are flattened): its layers run in order, and a
/// layer that directly owns <see cref="ParameterKind.Weight"/> parameters is rescaled on its own output.
/// Earlier layers are final when a layer is processed, so each layer's input is computed once and only the
/// layer itself is re-run per iteration. Biases are left as they are (zero them first, as the paper's
/// networks do, if the output variance should come from the weights alone). The model runs in its current
/// mode (train or eval) without recording gradients.
/// </remarks>
public static class Lsuv
{
    /// <summary>Applies LSUV to <paramref name="model"/> with the data <paramref name="batch"/>.</summary>
    public static IReadOnlyList<LsuvLayer> Apply(Sequential model, Tensor batch, LsuvOptions? options = null)
    {
        var o = options ?? new LsuvOptions();
        if (!(o.Tolerance > 0) || o.MaxIterations < 1)
            throw new ConfigurationException($"LSUV needs a positive tolerance and at least one iteration; got tolerance {o.Tolerance}, {o.MaxIterations} iterations.");
        var layers = new List<(string Name, Module M)>();
        Flatten(model, "", layers);
        var report = new List<LsuvLayer>();
        using var _ = Autodiff.NoGrad();
        var x = batch.Detach();
        foreach (var (name, layer) in layers)
        {
            var weights = layer.NamedParameters()
                .Where(p => !p.Name.Contains('.') && p.Parameter.Kind == ParameterKind.Weight)
                .Select(p => (Name: Join(name, p.Name), p.Parameter)).ToList();
            if (weights.Count == 0) { x = layer.Forward(x); continue; }
            if (o.OrthogonalPreInit)
                foreach (var (pn, w) in weights)
                    if (w.Rank >= 2) Initializers.Orthogonal(w, InitPlan.ParameterStream(o.Seed, pn));

            var y = layer.Forward(x);
            double initial = Variance(y), v = initial;
            int it = 0;
            while (Math.Abs(v - 1) >= o.Tolerance && it < o.MaxIterations && v > 0 && double.IsFinite(v))
            {
                double s = 1 / Math.Sqrt(v);
                foreach (var (_, w) in weights) w.MulInPlace(s);
                it++;
                y = layer.Forward(x);
                v = Variance(y);
            }
            report.Add(new LsuvLayer(name, it, initial, v, Math.Abs(v - 1) < o.Tolerance));
            x = y;
        }
        return report;
    }

    private static void Flatten(Module m, string path, List<(string, Module)> into)
    {
        if (m is Sequential s)
        {
            foreach (var (n, c) in s.Children()) Flatten(c, Join(path, n), into);
        }
        else into.Add((path, m));
    }

    /// <summary>Population variance of all elements, in double.</summary>
    internal static double Variance(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = 0;
        foreach (var a in v) mean += a;
        mean /= v.Length;
        double ss = 0;
        foreach (var a in v) ss += (a - mean) * (a - mean);
        return ss / v.Length;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}

using Descent.Nn;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// Directions in parameter space for loss-landscape plots (flat vectors in the layout of
/// <see cref="FlatParameters"/>).
/// </summary>
public static class Directions
{
    /// <summary>
    /// A random direction normalized filter by filter (Li, Xu, Taylor, Studer &amp; Goldstein 2018, "Visualizing the
    /// loss landscape of neural nets", §4): Gaussian entries, then every filter dᵢⱼ of a weight (each row of a
    /// linear layer's [out, in] matrix, each output channel of a convolution kernel) rescaled to the norm of the
    /// matching filter of θ, ‖dᵢⱼ‖ = ‖θᵢⱼ‖. This removes the scale invariance of ReLU networks, so that plots of
    /// different networks compare. Parameters with fewer than two dimensions (biases, normalization scales and
    /// shifts) get zero, as in the paper's code (<paramref name="includeVectors"/> keeps them, scaled like a
    /// single filter).
    /// </summary>
    public static double[] FilterNormalized(FlatParameters flat, Rng rng, bool includeVectors = false)
    {
        ArgumentNullException.ThrowIfNull(flat);
        ArgumentNullException.ThrowIfNull(rng);
        var theta = flat.Values.ToDoubleArray();
        var d = new double[flat.Count];
        foreach (var s in flat.Slots)
        {
            var shape = s.Parameter.Shape;
            bool vector = shape.Rank < 2;
            if (vector && !includeVectors) continue;
            int filters = vector ? 1 : shape[0];
            int size = s.Length / Math.Max(filters, 1);
            for (int f = 0; f < filters; f++)
            {
                int o = s.Offset + f * size;
                double dn = 0, tn = 0;
                for (int i = 0; i < size; i++)
                {
                    d[o + i] = rng.NextNormal();
                    dn += d[o + i] * d[o + i];
                    tn += theta[o + i] * theta[o + i];
                }
                double scale = dn > 0 ? Math.Sqrt(tn / dn) : 0;
                for (int i = 0; i < size; i++) d[o + i] *= scale;
            }
        }
        return d;
    }

    /// <summary>The straight line from <paramref name="from"/> to <paramref name="to"/>: θ₁ − θ₀.</summary>
    public static double[] Between(ReadOnlySpan<double> from, ReadOnlySpan<double> to)
    {
        if (from.Length != to.Length) throw new ShapeException($"Two points of lengths {from.Length} and {to.Length}.");
        var d = new double[from.Length];
        for (int i = 0; i < d.Length; i++) d[i] = to[i] - from[i];
        return d;
    }
}

using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Curvature;

/// <summary>Conveniences over any <see cref="ICurvature"/>: products into new arrays or tensors, the damped
/// operator C + λI, quadratic forms, and dense forms for small models.</summary>
public static class CurvatureExtensions
{
    /// <summary>C·<paramref name="v"/> as a new array (one product).</summary>
    public static double[] Apply(this ICurvature c, ReadOnlySpan<double> v)
    {
        var r = new double[c.Dimension];
        c.Apply(v, r);
        return r;
    }

    /// <summary>C·<paramref name="v"/> for a flat tensor (any shape with <see cref="ICurvature.Dimension"/> elements),
    /// returned as a 1-D tensor of the same dtype (one product).</summary>
    public static Tensor Apply(this ICurvature c, Tensor v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var r = c.Apply(v.ToDoubleArray());
        return Tensor.From(r).To(v.DType);
    }

    /// <summary>The quadratic form vᵀCv (one product).</summary>
    public static double Quadratic(this ICurvature c, ReadOnlySpan<double> v) => TP.Dot(v, c.Apply(v));

    /// <summary>The damped operator C + λI (Levenberg-Marquardt / Tikhonov damping); its products are the
    /// inner operator's, counted there.</summary>
    /// <exception cref="ConfigurationException">λ is not finite.</exception>
    public static ICurvature Damped(this ICurvature c, double lambda)
    {
        if (!double.IsFinite(lambda)) throw new ConfigurationException($"The damping λ must be finite, got {lambda}.");
        return new DampedCurvature(c, lambda);
    }

    /// <summary>The dense matrix (row-major n×n), built column by column from n products with the unit
    /// vectors, then symmetrized. For small models only.</summary>
    public static double[] Dense(this ICurvature c)
    {
        int n = c.Dimension;
        var a = new double[(long)n * n];
        ForEachColumn(c, (j, col) =>
        {
            for (int i = 0; i < n; i++) a[(long)i * n + j] = col[i];
        });
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = 0.5 * (a[(long)i * n + j] + a[(long)j * n + i]);
                a[(long)i * n + j] = s;
                a[(long)j * n + i] = s;
            }
        return a;
    }

    /// <summary>The exact diagonal Cᵢᵢ = eᵢᵀCeᵢ from n products (small models; see
    /// <see cref="Hutchinson.Diagonal"/> for an estimate in a few products).</summary>
    public static double[] ExactDiagonal(this ICurvature c)
    {
        var d = new double[c.Dimension];
        ForEachColumn(c, (j, col) => d[j] = col[j]);
        return d;
    }

    /// <summary>Calls <paramref name="use"/> with each column C·eⱼ (one product each; the array is reused).</summary>
    private static void ForEachColumn(ICurvature c, Action<int, double[]> use)
    {
        int n = c.Dimension;
        var e = new double[n];
        var col = new double[n];
        for (int j = 0; j < n; j++)
        {
            e[j] = 1;
            c.Apply(e, col);
            e[j] = 0;
            use(j, col);
        }
    }

    private sealed class DampedCurvature(ICurvature inner, double lambda) : ICurvature
    {
        public CurvatureKind Kind => inner.Kind;

        public int Dimension => inner.Dimension;

        public long Products => inner.Products;

        public ProductCounter Counter => inner.Counter;

        public void Apply(ReadOnlySpan<double> v, Span<double> result)
        {
            inner.Apply(v, result);
            TP.MultiplyAdd(v, lambda, result, result);
        }
    }
}

using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Curvature;

/// <summary>Small helpers on flat double vectors.</summary>
internal static class VectorMath
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => TP.Dot(a, b);

    public static double Norm(ReadOnlySpan<double> a) => TP.Norm(a);

    /// <summary>y ← y + α x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => TP.MultiplyAdd(x, alpha, y, y);

    public static void Scale(Span<double> x, double s) => TP.Multiply(x, s, x);

    /// <summary>A unit vector with N(0, 1) entries from <paramref name="rng"/>.</summary>
    public static double[] RandomUnit(Rng rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.NextNormal();
        Scale(v, 1 / Norm(v));
        return v;
    }

    /// <summary>Removes from <paramref name="w"/> its components along the orthonormal <paramref name="basis"/>
    /// (classical Gram-Schmidt, applied twice: "twice is enough", Parlett 1980 / Kahan).</summary>
    public static void Orthogonalize(Span<double> w, IReadOnlyList<double[]> basis)
    {
        for (int pass = 0; pass < 2; pass++)
            foreach (var q in basis) Axpy(-Dot(q, w), q, w);
    }
}

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

    /// <summary>
    /// Removes from <paramref name="w"/> its components along the orthonormal <paramref name="basis"/> by
    /// classical Gram-Schmidt, repeated once when the first pass cancelled most of w (the criterion of Daniel,
    /// Gragg, Kaufman &amp; Stewart 1976: "twice is enough"). Each pass goes over memory in tiles, computing all the
    /// coefficients of a tile of w before moving on, so w is read once per pass rather than once per basis vector:
    /// for million-parameter models this pass dominates a Lanczos step.
    /// </summary>
    public static void Orthogonalize(Span<double> w, IReadOnlyList<double[]> basis)
    {
        if (basis.Count == 0) return;
        double before = Norm(w);
        var c = new double[basis.Count];
        for (int pass = 0; pass < 2; pass++)
        {
            Array.Clear(c);
            for (int start = 0; start < w.Length; start += Tile)
            {
                int len = Math.Min(Tile, w.Length - start);
                var wt = w.Slice(start, len);
                for (int i = 0; i < c.Length; i++) c[i] += Dot(basis[i].AsSpan(start, len), wt);
            }
            for (int start = 0; start < w.Length; start += Tile)
            {
                int len = Math.Min(Tile, w.Length - start);
                var wt = w.Slice(start, len);
                for (int i = 0; i < c.Length; i++) Axpy(-c[i], basis[i].AsSpan(start, len), wt);
            }
            double after = Norm(w);
            if (after > 0.7071 * before) return;
            before = after;
        }
    }

    private const int Tile = 4096;
}

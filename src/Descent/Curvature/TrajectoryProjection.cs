using Descent.Data;

namespace Descent.Curvature;

/// <summary>A training trajectory projected on its first two principal directions.</summary>
/// <param name="Origin">The point the directions start from: the last point of the trajectory.</param>
/// <param name="Direction1">The first principal direction (unit).</param>
/// <param name="Direction2">The second principal direction (unit; zero when the trajectory has fewer than 3 points).</param>
/// <param name="Explained">The share of the trajectory's variation (about the last point) along each direction.</param>
/// <param name="X">Each point's coordinate along <paramref name="Direction1"/>.</param>
/// <param name="Y">Each point's coordinate along <paramref name="Direction2"/>.</param>
public sealed record TrajectoryProjection(double[] Origin, double[] Direction1, double[] Direction2, double[] Explained, double[] X, double[] Y);

/// <summary>
/// Projects an optimization path θ₀ … θ_T (e.g. the weights after every epoch) on the plane that captures most of
/// its movement (Li et al. 2018, §7): the principal directions of the matrix of differences θₜ − θ_T, from the
/// eigen-decomposition of their T×T Gram matrix (so no n×n matrix is formed). Random directions in a
/// high-dimensional space are almost orthogonal to the path; these are not.
/// </summary>
public static class Trajectory
{
    /// <summary>The projection of <paramref name="points"/> (at least 2, of equal length).</summary>
    /// <exception cref="ConfigurationException">Fewer than 2 points, or points that do not move.</exception>
    public static TrajectoryProjection Project(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2) throw new ConfigurationException($"A trajectory needs at least 2 points, got {points.Count}.");
        int n = points[0].Length;
        if (points.Any(p => p.Length != n)) throw new ShapeException("The points of a trajectory differ in length.");
        var origin = points[^1];
        var m = points.Take(points.Count - 1).Select(p => Directions.Between(origin, p)).ToArray();
        int t = m.Length;
        var gram = new double[t * t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= i; j++) gram[i * t + j] = gram[j * t + i] = VectorMath.Dot(m[i], m[j]);
        double total = Enumerable.Range(0, t).Sum(i => gram[i * t + i]);
        if (!(total > 0)) throw new ConfigurationException("The trajectory does not move: every point equals the last one.");
        var eig = SymmetricEigen.Decompose(gram, t);
        double[] Direction(int k)
        {
            var d = new double[n];
            if (k >= t || eig.Values[k] <= 1e-14 * total) return d;
            var u = eig.Vector(k);
            for (int i = 0; i < t; i++) VectorMath.Axpy(u[i], m[i], d);
            VectorMath.Scale(d, 1 / VectorMath.Norm(d));
            return d;
        }
        var d1 = Direction(0);
        var d2 = Direction(1);
        var explained = new[] { eig.Values[0] / total, t > 1 ? Math.Max(0, eig.Values[1]) / total : 0 };
        // (+ 0.0 turns the −0 of the origin's own coordinates into 0)
        var x = points.Select(p => VectorMath.Dot(Directions.Between(origin, p), d1) + 0.0).ToArray();
        var y = points.Select(p => VectorMath.Dot(Directions.Between(origin, p), d2) + 0.0).ToArray();
        return new TrajectoryProjection((double[])origin.Clone(), d1, d2, explained, x, y);
    }
}

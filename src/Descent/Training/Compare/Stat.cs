namespace Descent.Training.Compare;

/// <summary>The mean and sample standard deviation of the finite values among <see cref="Total"/> (NaN when none).</summary>
/// <param name="Mean">The mean of the finite values.</param>
/// <param name="Sd">Their sample standard deviation (n − 1; NaN for fewer than two).</param>
/// <param name="Count">How many values were finite.</param>
/// <param name="Total">How many values there were.</param>
public readonly record struct Stat(double Mean, double Sd, int Count, int Total)
{
    /// <summary>The statistics of <paramref name="values"/>.</summary>
    public static Stat Of(IEnumerable<double> values)
    {
        var all = values.ToList();
        var v = all.Where(double.IsFinite).ToList();
        if (v.Count == 0) return new Stat(double.NaN, double.NaN, 0, all.Count);
        double mean = v.Sum() / v.Count;
        double sd = v.Count < 2 ? double.NaN : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
        return new Stat(mean, sd, v.Count, all.Count);
    }
}

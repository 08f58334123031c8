namespace Descent.Data;

/// <summary>
/// Difficulty scores for curriculum learning (lower is easier), computed from the data alone. For labelled data,
/// <see cref="CentroidDistance"/>: an example far from its class's mean image is atypical, hence harder (a cheap
/// stand-in for a teacher's loss, in the spirit of Bengio et al. 2009's "easy = prototypical" shapes). For
/// regression targets, <see cref="TargetDeviation"/>: the distance of the target from the median target.
/// </summary>
public static class Difficulty
{
    /// <summary>‖x − μ_y‖² / mean over the class of ‖x − μ_y‖², per example (classes are scaled alike).</summary>
    /// <exception cref="ConfigurationException">The data set has no labels.</exception>
    public static double[] CentroidDistance(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = data.Labels ?? throw new ConfigurationException($"{data.Name} has no class labels to measure difficulty by; use a curriculum with by=target.");
        int n = data.Count, d = data.FeatureCount, k = Math.Max(1, data.ClassCount);
        var x = data.Features.ToDoubleArray();
        var mean = new double[k * d];
        var count = new int[k];
        for (int i = 0; i < n; i++)
        {
            count[labels[i]]++;
            for (int j = 0; j < d; j++) mean[labels[i] * d + j] += x[i * d + j];
        }
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++) mean[c * d + j] /= Math.Max(1, count[c]);
        var dist = new double[n];
        var classSum = new double[k];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) { double e = x[i * d + j] - mean[labels[i] * d + j]; s += e * e; }
            dist[i] = s;
            classSum[labels[i]] += s;
        }
        for (int i = 0; i < n; i++)
        {
            double avg = classSum[labels[i]] / Math.Max(1, count[labels[i]]);
            dist[i] = avg > 0 ? dist[i] / avg : 0;
        }
        return dist;
    }

    /// <summary>|y − median(y)| summed over the target's components, per example.</summary>
    /// <exception cref="ConfigurationException">The data set has no regression targets.</exception>
    public static double[] TargetDeviation(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var t = data.Targets ?? throw new ConfigurationException($"{data.Name} has no regression targets; use a curriculum with by=centroid.");
        int n = data.Count, m = n == 0 ? 0 : t.Size / n;
        var y = t.ToDoubleArray();
        var result = new double[n];
        for (int j = 0; j < m; j++)
        {
            var column = Enumerable.Range(0, n).Select(i => y[i * m + j]).Order().ToArray();
            double median = n == 0 ? 0 : column[n / 2];
            for (int i = 0; i < n; i++) result[i] += Math.Abs(y[i * m + j] - median);
        }
        return result;
    }
}

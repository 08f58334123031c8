using System.Globalization;

namespace Descent.Training;

/// <summary>
/// Opens a per-step CSV log of a run directory (<c>steps.csv</c>, <c>curvature.csv</c>) for a run that starts or
/// resumes at a given step: the rows of steps after it (written by an interrupted run after its last
/// checkpoint) are dropped, so the file ends up as the uninterrupted run's.
/// </summary>
internal static class StepLogFile
{
    /// <summary>Rewrites <paramref name="path"/> with <paramref name="header"/> and the rows whose first column is
    /// a step ≤ <paramref name="step"/>, and returns a writer that appends to it.</summary>
    public static StreamWriter Open(string path, string header, long step)
    {
        var kept = new List<string>();
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path).Skip(1))
            {
                int comma = line.IndexOf(',');
                if (comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) && s <= step)
                    kept.Add(line);
            }
        var writer = new StreamWriter(path, append: false) { NewLine = "\n" };
        writer.WriteLine(header);
        foreach (var line in kept) writer.WriteLine(line);
        writer.Flush();
        return writer;
    }
}

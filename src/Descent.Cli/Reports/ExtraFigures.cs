namespace Descent.Cli.Reports;

/// <summary>
/// Figures other commands left in a directory (e.g. <c>descent hessian</c>'s spectrum or <c>descent landscape</c>'s
/// slices): every <c>.svg</c> file in it or one level below (the <c>runs</c> folder of a comparison excepted) that
/// the report does not draw itself. A report embeds them, so re-running <c>descent report DIR</c> after such an
/// analysis adds it.
/// </summary>
public static class ExtraFigures
{
    /// <summary>The extra SVG files, sorted by path.</summary>
    public static IReadOnlyList<string> Find(string directory, IEnumerable<string> own)
    {
        var skip = own.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        if (!Directory.Exists(directory)) return found;
        found.AddRange(Directory.GetFiles(directory, "*.svg").Where(f => !skip.Contains(Path.GetFileName(f))));
        foreach (var sub in Directory.GetDirectories(directory))
            if (Path.GetFileName(sub) != Training.Compare.Comparison.RunsFolder)
                found.AddRange(Directory.GetFiles(sub, "*.svg"));
        return found.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Adds a section with the extra figures of <paramref name="directory"/>, if any.</summary>
    public static void AddTo(HtmlReport report, string directory, IEnumerable<string> own)
    {
        var extra = Find(directory, own);
        if (extra.Count == 0) return;
        report.Heading("More figures in this directory");
        foreach (var f in extra) report.Image(f, Path.GetRelativePath(directory, f).Replace('\\', '/'));
    }
}

using System.Diagnostics;
using Descent.Curvature;

namespace Descent.Cli.Commands;

/// <summary>Shows the progress of a long analysis: on a terminal one status line redrawn in place (at most ten
/// times a second); when output is redirected, a line every ten seconds.</summary>
public sealed class AnalysisConsole(TextWriter output, bool interactive) : IProgress<AnalysisProgress>
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long last = -100_000;
    private int width;

    /// <inheritdoc />
    public void Report(AnalysisProgress value)
    {
        long now = clock.ElapsedMilliseconds;
        if (now - last < (interactive ? 100 : 10_000)) return;
        last = now;
        string text = $"{value.Task} {value.Step}/{value.Total}{(value.Detail.Length > 0 ? "  " + value.Detail : "")}  [{clock.Elapsed.TotalSeconds:F0} s]";
        if (interactive)
        {
            output.Write("\r" + text.PadRight(width));
            width = text.Length;
        }
        else output.WriteLine(text);
        output.Flush();
    }

    /// <summary>Erases the status line (before ordinary output).</summary>
    public void Clear()
    {
        if (!interactive || width == 0) return;
        output.Write("\r" + new string(' ', width) + "\r");
        width = 0;
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Descent.Tests.Cli;

/// <summary>
/// Runs the commands written in the README, the guides in docs/ and the commands' help, in order, on small settings:
/// epochs, steps, seeds, data and depth are capped (or added: fewer training and evaluation examples), and every
/// output path (<c>runs/…</c>, <c>--out</c>, <c>--plot</c>, …) lands in a scratch directory, so later examples find
/// what earlier ones wrote. A command block is a fenced block whose first line is a command; other blocks (output,
/// YAML, C#) are text. Lines that are not <c>descent</c> commands must be in <see cref="NotRun"/>.
/// </summary>
public static class ExampleRunner
{
    /// <summary>Shell commands the examples show that the tests do not run (they build, install or benchmark).</summary>
    public static readonly string[] NotRun =
        ["dotnet test tests/Descent.Tests -c Release", "dotnet pack ", "dotnet tool install ", "dotnet tool uninstall ", "dotnet run -c Release --project bench/", "sudo scripts/"];

    private const string RunPrefix = "dotnet run -c Release --project src/Descent.Cli -- ";

    /// <summary>The repository root.</summary>
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "README.md")) && Directory.Exists(Path.Combine(d.FullName, "src", "Descent.Cli"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>The command lines of the markdown file's command blocks, in order.</summary>
    public static IReadOnlyList<string> Commands(string markdown)
    {
        var commands = new List<string>();
        var blocks = Regex.Matches(markdown, @"^```([a-z]*)\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline);
        foreach (Match b in blocks)
        {
            if (b.Groups[1].Value is not ("" or "sh" or "bash")) continue;
            var lines = b.Groups[2].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            if (lines.Count == 0 || !(lines[0].StartsWith("descent", StringComparison.Ordinal) || lines[0].StartsWith("dotnet ", StringComparison.Ordinal)
                || lines[0].StartsWith("sudo ", StringComparison.Ordinal)))
                continue; // output or text
            commands.AddRange(lines);
        }
        return commands;
    }

    /// <summary>The arguments of a <c>descent</c> command line, or null for a line in <see cref="NotRun"/>.</summary>
    /// <exception cref="InvalidOperationException">A line that is neither.</exception>
    public static string[]? Arguments(string line)
    {
        string rest;
        if (line.StartsWith(RunPrefix, StringComparison.Ordinal)) rest = line[RunPrefix.Length..];
        else if (line == "descent" || line.StartsWith("descent ", StringComparison.Ordinal)) rest = line["descent".Length..];
        else if (NotRun.Any(n => line.StartsWith(n, StringComparison.Ordinal))) return null;
        else throw new InvalidOperationException($"an example the tests cannot run: {line}");
        return Split(rest);
    }

    /// <summary>Splits like a POSIX shell (quotes, no expansion).</summary>
    public static string[] Split(string text)
    {
        var args = new List<string>();
        var cur = new StringBuilder();
        bool any = false;
        char quote = '\0';
        foreach (char c in text)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; else cur.Append(c); continue; }
            if (c is '"' or '\'') { quote = c; any = true; continue; }
            if (char.IsWhiteSpace(c)) { if (any || cur.Length > 0) args.Add(cur.ToString()); cur.Clear(); any = false; continue; }
            cur.Append(c);
        }
        if (any || cur.Length > 0) args.Add(cur.ToString());
        return [.. args];
    }

    /// <summary>The arguments on small settings with their paths in <paramref name="scratch"/>.</summary>
    public static string[] Small(string[] args, string scratch, string root)
    {
        var a = args.ToList();
        string command = a.Count > 0 ? a[0] : "";
        string Path2(string v) => v.StartsWith("docs/", StringComparison.Ordinal) ? Path.Combine(root, v) : Path.Combine(scratch, v);
        for (int i = 1; i < a.Count; i++)
        {
            if (a[i].StartsWith("runs/", StringComparison.Ordinal) || a[i] == "runs") a[i] = Path.Combine(scratch, a[i]);
            else if ((a[i - 1] is "--out" or "--config" || (command == "optimize" && a[i - 1] is "--plot" or "--trace" or "--animate"))
                && !a[i].StartsWith('-') && !Path.IsPathRooted(a[i]))
                a[i] = Path2(a[i]);
        }
        void Cap(string option, Func<string, string> change, string? add = null)
        {
            int i = a.IndexOf(option);
            if (i >= 0 && i + 1 < a.Count) a[i + 1] = change(a[i + 1]);
            else if (add is not null) { a.Add(option); a.Add(add); }
        }
        static Func<string, string> Min(int n) => v => Math.Min(int.Parse(v, CultureInfo.InvariantCulture), n).ToString(CultureInfo.InvariantCulture);
        switch (command)
        {
            case "train":
                Cap("--epochs", Min(1), "1");
                Cap("--limit-train", Min(256), "256");
                Cap("--limit-eval", Min(100), "100");
                Cap("--max-steps", Min(3));
                Cap("--restarts", Min(2));
                Cap("--curvature-every", Min(2));
                break;
            case "compare":
                Cap("--epochs", Min(1), "1");
                Cap("--seeds", Min(1), "1");
                Cap("--limit-train", Min(256), "256");
                Cap("--limit-eval", Min(100), "100");
                Cap("--tune", SmallGrid, a.Contains("--config") ? null : "auto:2");
                if (!a.Contains("--out") && !a.Contains("--help"))
                {
                    // as the command does without --out: runs/compare-PROBLEM, numbered when it exists
                    string out0 = Path.Combine(scratch, "runs", "compare-" + Problem(a)), outDir = out0;
                    for (int k = 2; Directory.Exists(outDir); k++) outDir = $"{out0}-{k}";
                    a.Add("--out");
                    a.Add(outDir);
                }
                break;
            case "optimize":
                Cap("--steps", Min(60));
                break;
            case "hessian" or "landscape":
                Cap("--samples", Min(64), "64");
                Cap("--top", Min(3));
                Cap("--bottom", Min(3));
                Cap("--grid", Min(3));
                if (command == "hessian") Cap("--max-iter", Min(10), "10");
                if (a.Contains("--density")) Cap("--density-probes", Min(1), "1");
                break;
            case "init":
                Cap("--depth", Min(4));
                Cap("--width", Min(32));
                Cap("--batch", Min(64), "64");
                break;
        }
        return [.. a];
    }

    private static string Problem(List<string> a) => a.IndexOf("--problem") is int i and >= 0 ? a[i + 1] : "fmnist_mlp";

    /// <summary>A grid of at most two rates.</summary>
    private static string SmallGrid(string grid)
    {
        var parts = grid.Split(':');
        if (parts[0] == "auto") return "auto:2";
        if (parts.Length == 3) return $"{parts[0]}:{parts[1]}:2";
        var list = grid.Split(',');
        return list.Length > 2 ? string.Join(',', list[..2]) : grid;
    }

    /// <summary>Runs one command (a board until it serves, then stops it); returns what it printed.</summary>
    public static CliRunner.Outcome Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "board" && !args.Contains("--help"))
        {
            var withPort = args.ToList();
            int p = withPort.IndexOf("--port");
            if (p >= 0) withPort[p + 1] = "0"; else { withPort.Add("--port"); withPort.Add("0"); }
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var o = new StringWriter();
            var e = new StringWriter();
            var task = Task.Run(() => Descent.Cli.Cli.Run([.. withPort], TextWriter.Synchronized(o), e, stop.Token));
            while (!task.IsCompleted && !o.ToString().Contains("serving", StringComparison.Ordinal)) Thread.Sleep(50);
            stop.Cancel();
            return new CliRunner.Outcome(task.Result, o.ToString(), e.ToString());
        }
        return CliRunner.Run(args);
    }
}

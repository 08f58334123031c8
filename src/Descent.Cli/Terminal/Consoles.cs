using Spectre.Console;

namespace Descent.Cli.Terminal;

/// <summary>Spectre.Console consoles over the command's output: colours, live progress and the terminal's width on a
/// terminal; plain text 160 columns wide elsewhere (files, pipes, tests).</summary>
public static class Consoles
{
    /// <summary>A console writing to <paramref name="context"/>'s output.</summary>
    public static IAnsiConsole For(CommandContext context)
    {
        bool tty = context.Interactive;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = tty ? (ReferenceEquals(context.Output, Console.Out) ? AnsiSupport.Detect : AnsiSupport.Yes) : AnsiSupport.No,
            ColorSystem = tty ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = tty ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(context.Output),
        });
        if (!tty) console.Profile.Width = 160;
        return console;
    }

    /// <summary>A table of <paramref name="headers"/> and <paramref name="rows"/> (numbers right-aligned), the row
    /// <paramref name="highlight"/> in bold.</summary>
    public static Table Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int? highlight = null)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (int i = 0; i < headers.Count; i++)
            table.AddColumn(new TableColumn(Markup.Escape(headers[i])) { Alignment = i == 0 ? Justify.Left : Justify.Right });
        int r = 0;
        foreach (var row in rows)
        {
            table.AddRow(row.Select(c => r == highlight ? $"[bold]{Markup.Escape(c)}[/]" : Markup.Escape(c)).ToArray());
            r++;
        }
        return table;
    }
}

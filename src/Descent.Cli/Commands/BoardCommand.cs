using System.CommandLine;
using Descent.Cli.Board;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent board DIR [--host H] [--port P] [--allow-remote]</c>: serves a live view of the runs under DIR (curves
/// that grow while <c>descent train</c> or <c>descent compare</c> writes) and their JSON API, on 127.0.0.1 unless
/// told otherwise; a non-loopback address is refused without <c>--allow-remote</c>. Runs until Ctrl-C.
/// </summary>
public static class BoardCommand
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 8050;

    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var dir = new Argument<string>("DIR") { Description = "the directory that holds the runs (searched 6 levels deep)" };
        var host = new Option<string>("--host") { Description = "address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "port to listen on (0: any free port)", DefaultValueFactory = _ => DefaultPort };
        var remote = new Option<bool>("--allow-remote") { Description = "allow a non-loopback --host: the board then serves your runs (files, paths) to the network, without authentication" };
        var cmd = new Command("board", "Serve a live view of the runs under a directory (curves update while training runs) and its JSON API, on 127.0.0.1.");
        cmd.Arguments.Add(dir);
        foreach (var o in new Option[] { host, port, remote }) cmd.Options.Add(o);
        cmd.SetAction(pr =>
        {
            string h = pr.GetValue(host)!.Trim();
            if (!BoardServer.IsLoopback(h) && !pr.GetValue(remote))
                throw new ConfigurationException($"--host {h} would serve your runs beyond this machine; the board listens on loopback addresses (127.0.0.1, ::1, localhost) unless you add --allow-remote.");
            int p = pr.GetValue(port);
            if (p is < 0 or > 65535) throw new ConfigurationException($"--port must be between 0 and 65535, got {p}.");
            return Terminal.Signals.Run(token => Serve(pr.GetValue(dir)!, h, p, context, token).GetAwaiter().GetResult(), context.Cancellation);
        });
        return cmd;
    }

    private static async Task<int> Serve(string dir, string host, int port, CommandContext context, CancellationToken token)
    {
        await using var server = await BoardServer.StartAsync(dir, host, port, token);
        context.Output.WriteLine($"descent board: serving {server.Index.Root} at {server.Url} (Ctrl-C stops)");
        context.Output.WriteLine($"API: {server.Url}api/runs and {server.Url}api/runs/RUN/metrics");
        context.Output.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, token);
        }
        catch (OperationCanceledException)
        {
        }
        context.Output.WriteLine("descent board: stopped");
        return CliErrors.Ok;
    }
}

using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Descent.Cli.Board;

/// <summary>
/// The live view behind <c>descent board</c>: an ASP.NET Core (Kestrel) server from the shared framework that serves
/// a page (with uPlot, from the tool's own resources, so it works offline) and a JSON API over a
/// <see cref="RunIndex"/>: <c>GET /api/runs</c> lists the runs with their status and last epoch;
/// <c>GET /api/runs/{id}/metrics</c> gives a run's epochs. The page polls the API, so curves grow while training
/// writes. It listens on a loopback address unless told otherwise.
/// </summary>
public sealed class BoardServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private BoardServer(WebApplication app, RunIndex index)
    {
        this.app = app;
        Index = index;
    }

    /// <summary>The runs served.</summary>
    public RunIndex Index { get; }

    /// <summary>The address the server listens on, e.g. <c>http://127.0.0.1:8050/</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>True for addresses that only this machine reaches (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Starts serving <paramref name="directory"/> on <paramref name="host"/>:<paramref name="port"/> (0: a free port).</summary>
    /// <exception cref="ConfigurationException">The directory does not exist, the host is not an address, or the port is taken.</exception>
    public static async Task<BoardServer> StartAsync(string directory, string host, int port, CancellationToken cancellation = default)
    {
        if (!Directory.Exists(directory)) throw new ConfigurationException($"descent board: {directory} is not a directory; give the directory that holds your runs, e.g. runs.");
        IPAddress address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip : throw new ConfigurationException($"--host '{host}' is not an IP address; use 127.0.0.1 (the default) or localhost.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        var index = new RunIndex(directory);
        Map(app, index);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new ConfigurationException($"descent board cannot listen on {host}:{port} ({e.Message}); choose another --port.");
        }
        var server = new BoardServer(app, index);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{host}:{port}";
        server.Url = bound.TrimEnd('/') + "/";
        return server;
    }

    private static void Map(WebApplication app, RunIndex index)
    {
        app.MapGet("/", () => Results.Content(Asset("board.html"), "text/html; charset=utf-8"));
        app.MapGet("/assets/{name}", (string name) => name switch
        {
            "uPlot.iife.min.js" or "board.js" => Results.Content(Asset(name), "text/javascript; charset=utf-8"),
            "uPlot.min.css" => Results.Content(Asset(name), "text/css; charset=utf-8"),
            _ => Results.NotFound(),
        });
        app.MapGet("/api/runs", () => Json(new JsonObject
        {
            ["root"] = index.Root,
            ["runs"] = new JsonArray(index.Ids().Select(id => (JsonNode)index.Describe(id)).ToArray()),
        }));
        app.MapGet("/api/runs/{**path}", (string path) =>
        {
            if (!path.EndsWith("/metrics", StringComparison.Ordinal)) return Results.NotFound();
            string id = path[..^"/metrics".Length];
            return index.Directory(id) is null ? Results.NotFound() : Json(index.Metrics(id));
        });
    }

    private static IResult Json(JsonNode node) => Results.Content(node.ToJsonString(), "application/json; charset=utf-8");

    /// <summary>An embedded asset of the page.</summary>
    public static string Asset(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Descent.Cli.Board.Assets." + name)
            ?? throw new InvalidOperationException($"The descent tool lacks its resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

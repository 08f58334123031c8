using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Descent.Tests.Cli;

/// <summary>
/// Debian's headless Chromium (<c>/usr/bin/chromium</c>), when installed: takes a screenshot of a page in a fresh
/// profile and reports the hosts of every network request made meanwhile. All traffic is routed through a proxy that
/// is a local listener reading each request's first line (even for loopback addresses), so a page that fetches
/// anything — a font, a script, an image from any host — shows up. Chromium itself also calls its own services
/// (component updates, accounts) whatever the flags; <see cref="BrowserHosts"/> measures those on a blank page.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>Where Debian installs it.</summary>
    public const string Path = "/usr/bin/chromium";

    /// <summary>True if Chromium is installed.</summary>
    public static bool Available => File.Exists(Path);

    /// <summary>Google's service domains, which Chromium calls by itself at random moments (component updates,
    /// optimization hints, accounts, time); requests to them are not counted as the page's. (A page loading, say, a
    /// web font from these domains would slip through here, but not through the tests' static check of the HTML,
    /// which refuses every URL.)</summary>
    public static bool IsBrowserService(string host) =>
        new[] { "google.com", "googleapis.com", "gstatic.com", "googleusercontent.com", "gvt1.com", "gvt2.com" }
            .Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal));

    /// <summary>The hosts Chromium contacts by itself while showing a blank page.</summary>
    public static IReadOnlySet<string> BrowserHosts(string scratch)
    {
        string blank = System.IO.Path.Combine(scratch, "blank.html");
        File.WriteAllText(blank, "<!DOCTYPE html><html><body>blank</body></html>");
        return Screenshot(blank, System.IO.Path.Combine(scratch, "blank.png"), 200, 200).ToHashSet();
    }

    /// <summary>Renders <paramref name="file"/> to <paramref name="png"/>; returns the host of every request made meanwhile.</summary>
    public static IReadOnlyList<string> Screenshot(string file, string png, int width = 1200, int height = 2400)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var hosts = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var client = await listener.AcceptTcpClientAsync(stop.Token);
                    _ = Task.Run(() =>
                    {
                        using (client)
                        {
                            client.ReceiveTimeout = 2000;
                            var buffer = new byte[4096];
                            int n = 0;
                            try { n = client.GetStream().Read(buffer); } catch (IOException) { }
                            string line = System.Text.Encoding.ASCII.GetString(buffer, 0, n).Split("\r\n")[0];
                            hosts.Enqueue(Host(line));
                        }
                    });
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });
        string profile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "descent-chromium-" + Guid.NewGuid().ToString("N"));
        try
        {
            var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-default-apps", "--hide-scrollbars", "--no-pings",
                "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                "--disable-features=OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,Translate,MediaRouter,NetworkTimeServiceQuerying",
                $"--user-data-dir={profile}", $"--proxy-server=http://127.0.0.1:{port}", "--proxy-bypass-list=<-loopback>",
                $"--window-size={width},{height}", "--virtual-time-budget=3000", $"--screenshot={png}", new Uri(System.IO.Path.GetFullPath(file)).AbsoluteUri,
            })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(90_000)) { p.Kill(true); throw new TimeoutException("chromium did not finish in 90 s"); }
            if (!File.Exists(png)) throw new InvalidOperationException($"chromium wrote no screenshot (exit {p.ExitCode}): {stderr.Result}");
            Thread.Sleep(500); // let the listener read a late request
            return hosts.ToArray();
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The host of a proxy request line: <c>CONNECT host:443 …</c> or <c>GET http://host/… …</c>.</summary>
    private static string Host(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length < 2) return "(unreadable request)";
        if (parts[0] == "CONNECT") return parts[1].Split(':')[0];
        return Uri.TryCreate(parts[1], UriKind.Absolute, out var uri) ? uri.Host : parts[1];
    }
}

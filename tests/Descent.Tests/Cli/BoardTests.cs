using System.Text.Json;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

/// <summary><c>descent board</c> serves a run directory while <c>descent train</c> writes to it: its HTTP API shows
/// epochs appear; it refuses a non-loopback address unless asked.</summary>
public sealed class BoardTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>A writer that threads may share (the board prints from its own task).</summary>
    private sealed class Lines : StringWriter
    {
        private readonly Lock gate = new();
        public override void Write(char value) { lock (gate) base.Write(value); }
        public override void Write(string? value) { lock (gate) base.Write(value); }
        public override void WriteLine(string? value) { lock (gate) base.WriteLine(value); }
        public override string ToString() { lock (gate) return base.ToString(); }
    }

    [Fact]
    public async Task Board_ShowsEpochsAppear_WhileTrainWrites()
    {
        string runs = dir.File("runs"), run = Path.Combine(runs, "mlp");
        Directory.CreateDirectory(runs);
        using var stop = new CancellationTokenSource();
        var output = new Lines();
        // The board and the training each get a thread of their own: on a pool thread a blocking run can leave the
        // pool short (other test classes hold pool threads too), stalling the board's requests for a second at a time.
        var board = Task.Factory.StartNew(() => Descent.Cli.Cli.Run(["board", runs, "--port", "0"], output, TextWriter.Null, stop.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        string? url = null;
        for (int i = 0; i < 600 && url is null; i++)
        {
            await Task.Delay(50);
            url = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"http://127\.0\.0\.1:\d+/").Value is { Length: > 0 } u ? u : null;
            Assert.False(board.IsCompleted, "the board stopped: " + output);
        }
        Assert.NotNull(url);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        using (var empty = JsonDocument.Parse(await http.GetStringAsync("api/runs")))
            Assert.Empty(empty.RootElement.GetProperty("runs").EnumerateArray());

        // the convolutional net, so an epoch lasts about half a second and the board's polling (a few tens of ms)
        // sees the run between its start and its end even on a busy machine
        var train = Task.Factory.StartNew(() => CliRunner.Run("train", "--problem", "fmnist_2c2d", "--optimizer", "momentum", "--epochs", "4", "--limit-train", "1536",
            "--limit-eval", "500", "--out", run), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var seen = new List<int>();
        var when = new List<string>();
        string? finalStatus = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            using var index = JsonDocument.Parse(await http.GetStringAsync("api/runs"));
            var entry = index.RootElement.GetProperty("runs").EnumerateArray().FirstOrDefault(r => r.GetProperty("id").GetString() == "mlp");
            if (entry.ValueKind == JsonValueKind.Object)
            {
                using var metrics = JsonDocument.Parse(await http.GetStringAsync("api/runs/mlp/metrics"));
                int epochs = metrics.RootElement.GetProperty("rows").GetArrayLength();
                if (seen.Count == 0 || seen[^1] != epochs)
                {
                    seen.Add(epochs);
                    when.Add($"{epochs}@{clock.ElapsedMilliseconds}ms");
                }
                if (entry.GetProperty("status").GetString() is "completed" && epochs == 4) { finalStatus = "completed"; break; }
            }
            await Task.Delay(20);
        }
        var trained = await train;
        Assert.True(trained.Code == 0, trained.Err);
        Assert.Equal("completed", finalStatus);
        // The board saw the run while it ran: at least one state between the start and the end, then more epochs.
        Assert.True(seen.Any(n => n is > 0 and < 4), "epochs seen: " + string.Join(", ", when));
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(4, seen[^1]);

        using (var metrics = JsonDocument.Parse(await http.GetStringAsync("api/runs/mlp/metrics")))
        {
            var root = metrics.RootElement;
            Assert.Equal("epoch", root.GetProperty("columns")[0].GetString());
            var rows = root.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal([1, 2, 3, 4], rows.Select(r => r[0].GetInt32()));
            var csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
            Assert.Equal(double.Parse(csv[4].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), rows[3][2].GetDouble());
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("api/runs/..%2F..%2F..%2Fetc/metrics")).StatusCode);
        string page = await http.GetStringAsync("");
        Assert.Contains("/assets/uPlot.iife.min.js", page);
        Assert.Contains("uPlot", await http.GetStringAsync("assets/uPlot.iife.min.js"));

        stop.Cancel();
        Assert.Equal(0, await board);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("10.1.2.3")]
    public void NonLoopbackHost_IsRefusedUnlessAsked(string host)
    {
        var r = CliRunner.Run("board", dir.Path, "--host", host);
        Assert.Equal(2, r.Code);
        Assert.Contains("--allow-remote", r.Err);
        Assert.Single(r.ErrLines);
    }

    [Fact]
    public void MissingDirectory_IsAnError()
    {
        var r = CliRunner.Run("board", dir.File("nothing-here"), "--port", "0");
        Assert.Equal(2, r.Code);
        Assert.Contains("not a directory", r.Err);
    }
}

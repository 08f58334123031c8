using System.Globalization;
using System.Text.Json;
using Descent.Training;
using Descent.Training.Compare;

namespace Descent.Tests.Cli;

public sealed class CompareCommandTests(ComparisonFixture fixture) : IClassFixture<ComparisonFixture>
{
    private string Dir => fixture.Directory;

    private static double MaxValAccuracy(string run) => RunRecord.ReadMetrics(Path.Combine(run, MetricsCsv.FileName)).Max(m => m.ValAccuracy);

    [Fact]
    public void Compare_SearchesEachRate_ChoosesTheBestOnValidation_AndRunsTheSeedsThere()
    {
        Assert.True(fixture.Outcome.Code == 0, fixture.Outcome.Err);
        foreach (var (opt, rates) in new[] { ("sgd", new[] { "0.001", "0.01", "0.1" }), ("adam", new[] { "0.0001", "0.001", "0.01" }) })
        {
            var search = rates.ToDictionary(r => r, r => MaxValAccuracy(Path.Combine(Dir, "runs", opt, $"lr-{r}-seed-0")));
            string best = search.MaxBy(kv => kv.Value).Key;
            using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, ResultFiles.JsonFileName)));
            var entry = results.RootElement.GetProperty("optimizers").EnumerateArray().Single(o => o.GetProperty("optimizer").GetString() == opt);
            Assert.Equal(double.Parse(best, CultureInfo.InvariantCulture), entry.GetProperty("lr").GetDouble());
            // seed 0 at the chosen rate is the search run itself; seed 1 ran at the same rate
            Assert.True(Directory.Exists(Path.Combine(Dir, "runs", opt, $"lr-{best}-seed-1")));
            Assert.Equal(4, Directory.GetDirectories(Path.Combine(Dir, "runs", opt)).Length);
            var seeds = entry.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run").GetString()).ToList();
            Assert.Equal([$"runs/{opt}/lr-{best}-seed-0", $"runs/{opt}/lr-{best}-seed-1"], seeds);
        }
    }

    [Fact]
    public void ResultsTable_HoldsMeanAndSdOverSeeds_AndNamesTheBestTestAccuracy()
    {
        var lines = File.ReadAllLines(Path.Combine(Dir, ResultFiles.CsvFileName));
        Assert.StartsWith("optimizer,lr,searched,seeds,final_train_loss_mean,final_train_loss_sd,best_val_accuracy_mean,best_val_accuracy_sd,test_accuracy_mean,test_accuracy_sd", lines[0]);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        var means = new Dictionary<string, double>();
        foreach (var line in lines[1..])
        {
            var c = line.Split(',');
            string opt = c[0];
            double lr = double.Parse(c[1], CultureInfo.InvariantCulture);
            var accs = new[] { 0, 1 }.Select(s => RunRecord.Load(Path.Combine(Dir, "runs", opt, $"lr-{LearningRateGrid.Format(lr)}-seed-{s}")).TestAccuracy).ToArray();
            double mean = accs.Average(), sd = Math.Sqrt(accs.Sum(a => (a - mean) * (a - mean)) / 1);
            Assert.Equal(mean, double.Parse(c[Array.IndexOf(header, "test_accuracy_mean")], CultureInfo.InvariantCulture), 12);
            Assert.Equal(sd, double.Parse(c[Array.IndexOf(header, "test_accuracy_sd")], CultureInfo.InvariantCulture), 12);
            means[opt] = mean;
        }
        string best = means.MaxBy(kv => kv.Value).Key;
        Assert.Contains($"best: {best} (lr ", fixture.Outcome.Out);
        Assert.Contains(best + " ★", fixture.Outcome.Out);
        Assert.Equal(best, lines.Skip(1).Single(l => l.EndsWith(",true", StringComparison.Ordinal)).Split(',')[0]);
        foreach (var column in new[] { "optimizer", "final train loss", "best val acc", "test acc", "s/epoch", "steps to test" })
            Assert.Contains(column, fixture.Outcome.Out);
    }

    [Fact]
    public void Compare_WritesTheFiguresTheReportAndTheResolvedExperiment_AndEachRunIsATrainRun()
    {
        foreach (var f in new[] { "loss_epochs.svg", "loss_seconds.svg", "test_metric.svg", "lr_sensitivity.svg", "report.html", "experiment.yaml", "results.json" })
            Assert.True(File.Exists(Path.Combine(Dir, f)), f);
        string run = Path.Combine(Dir, "runs", "sgd", "lr-0.01-seed-0");
        foreach (var f in new[] { "metrics.csv", "summary.json", "experiment.yaml", "report.html", "log.txt" }) Assert.True(File.Exists(Path.Combine(run, f)), f);
        Assert.False(File.Exists(Path.Combine(run, CheckpointFile.LatestFileName)));
        Assert.False(File.Exists(Path.Combine(run, Trainer.ModelFileName)));
        // The run's own experiment re-runs it exactly with descent train.
        string again = fixture.Scratch("again");
        var r = CliRunner.Run("train", "--config", Path.Combine(run, "experiment.yaml"), "--out", again, "--quiet");
        Assert.True(r.Code == 0, r.Err);
        static string[] NoTime(string dir) => File.ReadAllLines(Path.Combine(dir, MetricsCsv.FileName)).Select(l => l[..l.LastIndexOf(',')]).ToArray();
        Assert.Equal(NoTime(run), NoTime(again));
    }

    [Fact]
    public void ExistingComparison_IsRefused_ResumedWithoutRerunning_OrOverwritten()
    {
        var refused = CliRunner.Run(ComparisonFixture.Args(Dir));
        Assert.Equal(2, refused.Code);
        Assert.Contains("already holds a comparison", refused.Err);

        string copy = fixture.Scratch("resumed");
        CopyDirectory(Dir, copy);
        File.WriteAllText(Path.Combine(copy, "experiment.yaml"), File.ReadAllText(Path.Combine(Dir, "experiment.yaml")).Replace("out: " + Dir, "out: " + copy));
        string metrics = Path.Combine(copy, "runs", "adam", "lr-0.001-seed-0", MetricsCsv.FileName);
        var before = File.GetLastWriteTimeUtc(metrics);
        var resumed = CliRunner.Run(ComparisonFixture.Args(copy, "--resume"));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(before, File.GetLastWriteTimeUtc(metrics));
        Assert.Equal(File.ReadAllText(Path.Combine(Dir, ResultFiles.CsvFileName)).Split('\n')[1].Split(',')[..10],
            File.ReadAllText(Path.Combine(copy, ResultFiles.CsvFileName)).Split('\n')[1].Split(',')[..10]);

        var other = CliRunner.Run([.. ComparisonFixture.Args(copy, "--resume").Select(a => a == "2" ? "3" : a)]);
        Assert.Equal(2, other.Code);
        Assert.Contains("other options", other.Err);
    }

    [Fact]
    public void GivenRate_IsNotSearched_AndTuneNoneUsesTheDefault()
    {
        string dir = fixture.Scratch("fixed");
        var r = CliRunner.Run("compare", "--problem", "two_layer_linear", "--optimizers", "sgd,momentum", "--set", "sgd:lr=0.05", "--tune", "none",
            "--epochs", "3", "--seeds", "1", "--out", dir, "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var opts = doc.RootElement.GetProperty("optimizers").EnumerateArray().ToList();
        Assert.Equal(0.05, opts[0].GetProperty("lr").GetDouble());
        Assert.Equal(0.01, opts[1].GetProperty("lr").GetDouble()); // momentum's default
        Assert.All(opts, o => Assert.False(o.GetProperty("searched").GetBoolean()));
        Assert.Equal("test_loss", doc.RootElement.GetProperty("test_metric").GetString()); // a regression problem
        Assert.Equal(["lr-0.05-seed-0"], Directory.GetDirectories(Path.Combine(dir, "runs", "sgd")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--optimizers", "sgd,nope", "Unknown optimizer 'nope'")]
    [InlineData("--tune", "1e-3:abc:3", "--tune")]
    [InlineData("--set", "beta9=1", "has a setting 'beta9'")]
    [InlineData("--seeds", "0", "--seeds must be at least 1")]
    [InlineData("--target", "speed=3", "--target")]
    public void BadOptions_FailWithOneLine(string option, string value, string message)
    {
        var r = CliRunner.Run("compare", "--problem", "fmnist_logreg", option, value, "--out", fixture.Scratch("bad-" + option.Trim('-')));
        Assert.Equal(2, r.Code);
        Assert.Single(r.ErrLines);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void ValFractionZero_RefusesTheSearch()
    {
        var r = CliRunner.Run("compare", "--problem", "fmnist_logreg", "--val-fraction", "0", "--out", fixture.Scratch("noval"));
        Assert.Equal(2, r.Code);
        Assert.Contains("--val-fraction", r.Err);
    }

    [Fact]
    public void Interrupted_ExitsWith130_KeepsFinishedRuns_AndResumes()
    {
        string dir = fixture.Scratch("interrupted");
        // The watcher is a thread of its own, not a thread-pool task: with the other test classes blocking pool
        // threads, a pool continuation could wait longer than the remaining runs took, and the compare finished.
        string[] args = ["compare", "--problem", "two_layer_linear", "--optimizers", "sgd,momentum", "--tune", "0.01,0.02", "--seeds", "1", "--epochs", "200", "--out", dir];
        using var cancel = new CancellationTokenSource();
        var watcher = new Thread(() =>
        {
            // cancel once the first run has finished (its summary exists)
            while (!File.Exists(Path.Combine(dir, "runs", "sgd", "lr-0.01-seed-0", RunSummary.FileName))) Thread.Sleep(2);
            cancel.Cancel();
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        watcher.Start();
        var r = CliRunner.Run(cancel.Token, args);
        watcher.Join();
        Assert.Equal(130, r.Code);
        Assert.Contains("--resume", r.Err);
        Assert.False(File.Exists(Path.Combine(dir, ResultFiles.JsonFileName)));
        var first = File.GetLastWriteTimeUtc(Path.Combine(dir, "runs", "sgd", "lr-0.01-seed-0", MetricsCsv.FileName));
        var resumed = CliRunner.Run([.. args, "--resume"]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(first, File.GetLastWriteTimeUtc(Path.Combine(dir, "runs", "sgd", "lr-0.01-seed-0", MetricsCsv.FileName)));
        Assert.True(File.Exists(Path.Combine(dir, ResultFiles.JsonFileName)));
        Assert.Equal(4, Directory.GetDirectories(Path.Combine(dir, "runs"), "lr-*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void OnATerminal_ALiveBarShowsTheRunAndTheTimeLeft()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Descent.Cli.Cli.Run(["compare", "--problem", "two_layer_linear", "--optimizers", "sgd,adam", "--tune", "0.01,0.1", "--seeds", "1",
            "--epochs", "30", "--out", fixture.Scratch("tty")], o, e, CancellationToken.None, interactive: true);
        Assert.True(code == 0, e.ToString());
        string text = o.ToString();
        Assert.Contains("[4/4] adam lr=", text); // the bar's description (brackets escaped, not read as markup)
        Assert.Contains("━", text);             // the bar
        Assert.Contains("\u001b[", text);        // drawn in place with ANSI sequences
        Assert.Contains("best: ", text);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(d.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(f, f.Replace(from, to));
            File.SetLastWriteTimeUtc(f.Replace(from, to), File.GetLastWriteTimeUtc(f));
        }
    }
}

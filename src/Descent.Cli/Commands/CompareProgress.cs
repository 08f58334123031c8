using System.Globalization;
using Descent.Cli.Experiments;
using Descent.Cli.Reports;
using Descent.Cli.Terminal;
using Descent.Training;
using Descent.Training.Compare;
using Spectre.Console;

namespace Descent.Cli.Commands;

/// <summary>
/// What <c>descent compare</c> does around each run: writes the run's <c>experiment.yaml</c> before it and its
/// <c>report.html</c> after it, and shows progress — a live bar with the time left on a terminal, one line per
/// finished run (with the time left) elsewhere, nothing with <c>--quiet</c> or <c>--json</c>.
/// </summary>
public sealed class CompareProgress(TextWriter output, OutputMode mode) : IComparisonObserver
{
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private int runs, totalEpochs;
    private double finishedEpochs;
    private bool dataShown;

    /// <summary>The live bar's task, when a terminal shows one.</summary>
    public ProgressTask? Bar { get; set; }

    /// <summary>The console the live bar draws on (lines go through it while the bar is shown).</summary>
    public IAnsiConsole? Console { get; set; }

    /// <inheritdoc />
    public void Planned(int runs, int epochs)
    {
        this.runs = runs;
        totalEpochs = epochs;
        if (Bar is not null) Bar.MaxValue = Math.Max(1, epochs);
    }

    /// <inheritdoc />
    public void RunStarting(ComparisonRun run, int index)
    {
        TrainExperiment.From(run.Spec, run.Directory).Save(run.Directory, "One run of a comparison (see the comparison's experiment.yaml two levels up).");
        Bar?.Description(Markup.Escape($"[{index}/{runs}] {run.Label}"));
    }

    /// <inheritdoc />
    public IReadOnlyList<ITrainingCallback> CallbacksFor(ComparisonRun run) => [new StepCounter(this)];

    /// <inheritdoc />
    public void RunFinished(ComparisonRun run, RunRecord record, int index)
    {
        if (record.Summary is not null && !File.Exists(Path.Combine(run.Directory, RunReport.FileName))) RunReport.Write(run.Directory);
        finishedEpochs += run.Spec.Epochs ?? 0;
        if (Bar is not null) Bar.Value = finishedEpochs;
        if (mode != OutputMode.Normal) return;
        if (!dataShown && record.DataSource is { } source)
        {
            dataShown = true;
            Line($"data: {source}");
            if (record.IsSample) Line("note: the full Fashion-MNIST set was not found, so the comparison uses the small bundled sample; results differ from the full data set.");
        }
        if (Bar is not null) return;
        double score = Comparison.Score(record, new CompareSpec { Template = run.Spec });
        string acc = double.IsNaN(record.TestAccuracy) ? $"test_loss {F(record.TestLoss)}" : $"test_accuracy {F(record.TestAccuracy)}";
        string eta = finishedEpochs > 0 && finishedEpochs < totalEpochs ? $", about {Time(clock.Elapsed.TotalSeconds / finishedEpochs * (totalEpochs - finishedEpochs))} left" : "";
        Line(string.Create(CultureInfo.InvariantCulture,
            $"[{index}/{runs}] {run.Label}: {record.Status}, best {run.Spec.Monitor} {F(score)}, {acc}, {record.Seconds:F1} s{eta}"));
    }

    /// <inheritdoc />
    public void RateChosen(string optimizer, double? rate)
    {
        if (mode != OutputMode.Normal) return;
        Line(rate is double r ? $"{optimizer}: chose lr={LearningRateGrid.Format(r)} on validation" : $"{optimizer}: every searched rate diverged; no runs at a chosen rate");
    }

    private void Line(string text)
    {
        if (Console is not null) Console.MarkupLine(Markup.Escape(text));
        else { output.WriteLine(text); output.Flush(); }
    }

    private static string F(double x) => double.IsNaN(x) ? "—" : x.ToString("F4", CultureInfo.InvariantCulture);

    private static string Time(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}" : $"{t.Minutes}:{t.Seconds:D2}";
    }

    /// <summary>Advances the bar step by step (in epochs).</summary>
    private sealed class StepCounter(CompareProgress owner) : ITrainingCallback
    {
        public string Name => "compare_progress";

        public CallbackAction OnStepEnd(TrainingContext context, in StepInfo step)
        {
            if (owner.Bar is { } bar && step.StepsInEpoch > 0) bar.Value = owner.finishedEpochs + context.Epoch + (double)step.StepInEpoch / step.StepsInEpoch;
            return CallbackAction.Continue;
        }
    }
}

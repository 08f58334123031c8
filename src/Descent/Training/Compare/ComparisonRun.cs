namespace Descent.Training.Compare;

/// <summary>One training run of a comparison.</summary>
/// <param name="Optimizer">The optimizer's name.</param>
/// <param name="LearningRate">The rate it runs at.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Search">True for a learning-rate search run, false for a run at the chosen rate (a search run at the
/// chosen rate counts as that rate's first seed when the search uses the full budget).</param>
/// <param name="Directory">The run directory.</param>
/// <param name="Spec">The run as <c>descent train</c> would take it.</param>
public sealed record ComparisonRun(string Optimizer, double LearningRate, ulong Seed, bool Search, string Directory, RunSpec Spec)
{
    /// <summary>A short label: <c>adam lr=0.001 seed 0</c>.</summary>
    public string Label => $"{Optimizer} lr={LearningRateGrid.Format(LearningRate)} seed {Seed}";
}

/// <summary>What a comparison tells its caller while it runs (progress displays, per-run files). Every member has
/// a do-nothing default.</summary>
public interface IComparisonObserver
{
    /// <summary>Before the first run: the number of runs and of epochs in all (search and seeds).</summary>
    void Planned(int runs, int epochs) { }

    /// <summary>Before a run starts (its directory exists).</summary>
    void RunStarting(ComparisonRun run, int index) { }

    /// <summary>Callbacks for a run's trainer (e.g. a step-level progress bar), or null.</summary>
    IReadOnlyList<ITrainingCallback>? CallbacksFor(ComparisonRun run) => null;

    /// <summary>After a run ended (or was found finished, when resuming).</summary>
    void RunFinished(ComparisonRun run, RunRecord record, int index) { }

    /// <summary>After an optimizer's search, with the chosen rate (null when every search run failed).</summary>
    void RateChosen(string optimizer, double? rate) { }
}

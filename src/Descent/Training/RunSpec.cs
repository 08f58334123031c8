using System.Globalization;

namespace Descent.Training;

/// <summary>
/// Everything that defines a training run by name, as <c>descent train</c> takes it: the problem, the
/// optimizer with its settings and schedule, the epochs, batch size, seed and sampler, data limits, and the
/// loop's options (checkpoints, early stopping, logging). <see cref="Resolve"/> checks and completes it into a
/// <see cref="ResolvedRun"/>, which builds the run; the completed spec is stored in every checkpoint so a resumed run can be checked against it (<see cref="Differences"/>).
/// </summary>
public sealed record RunSpec
{
    /// <summary>The problem's name (see <c>ProblemCatalog</c>).</summary>
    public required string Problem { get; init; }

    /// <summary>The optimizer's name (see <c>OptimizerFactory</c>).</summary>
    public required string Optimizer { get; init; }

    /// <summary>Optimizer settings as key=value strings (what <c>--set</c> gives).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The learning-rate schedule's text, or null for a constant rate.</summary>
    public string? Schedule { get; init; }

    /// <summary>Epochs; null: the problem's default.</summary>
    public int? Epochs { get; init; }

    /// <summary>Mini-batch size; null: the problem's default (the whole set for full-batch samplers).</summary>
    public int? BatchSize { get; init; }

    /// <summary>The seed of the initialization, the data order and dropout.</summary>
    public ulong Seed { get; init; }

    /// <summary>Where to read Fashion-MNIST from (else <c>$DESCENT_DATA</c>, the system directory, the bundled sample).</summary>
    public string? DataDir { get; init; }

    /// <summary><c>shuffle</c>, <c>uniform</c>, <c>full</c> or <c>online</c>; null: <c>full</c> for full-batch
    /// optimizers (plain <c>gd</c>) without a batch size, else <c>shuffle</c>.</summary>
    public string? Sampler { get; init; }

    /// <summary>The share of the Fashion-MNIST training images held out for validation (0: none, train on all).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Use only the first N training examples (quick runs); null: all.</summary>
    public int? LimitTrain { get; init; }

    /// <summary>Evaluate on only the first N validation and N test examples; null: all.</summary>
    public int? LimitEval { get; init; }

    /// <summary>An L2 penalty λ‖θ‖² added to the objective over the parameters <see cref="L2On"/> chooses
    /// (0: none).</summary>
    public double L2 { get; init; }

    /// <summary>The parameters the <see cref="L2"/> penalty applies to, as a parameter selector
    /// (<c>Nn.ParameterSelector.Syntax</c>); null: the weights (<c>kind:weight</c>).</summary>
    public string? L2On { get; init; }

    /// <summary>Optimizer parameter groups, each <c>[NAME@]SELECTOR:key=value[,key=value]</c>
    /// (<c>Optim.ParameterGroups.Parse</c>), in order: the first that matches a parameter wins.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Also save a checkpoint every N steps (0: only at the end of each epoch).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Keep every epoch's checkpoint besides the latest.</summary>
    public bool KeepEpochCheckpoints { get; init; }

    /// <summary>Pause (with a checkpoint) after this many steps in total; null: no limit.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Stop when the monitored metric has not improved for this many epochs; null: never.</summary>
    public int? EarlyStopping { get; init; }

    /// <summary>The monitored validation metric: <c>val_loss</c> or <c>val_accuracy</c>.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>At the end, put back the weights of the best epoch (by <see cref="Monitor"/>).</summary>
    public bool RestoreBest { get; init; }

    /// <summary>Write the gradient norm every N steps to <c>steps.csv</c> (0: never).</summary>
    public int LogEvery { get; init; }

    /// <summary>Examples per evaluation batch.</summary>
    public int EvalBatchSize { get; init; } = 1000;

    /// <summary>Measure the curvature along the gradient and the sharpness every N steps into <c>curvature.csv</c>
    /// (<see cref="CurvatureMonitor"/>; 0: never).</summary>
    public int CurvatureEvery { get; init; }

    /// <summary>In data-parallel training, normalize batch-normalization layers with the statistics of the global
    /// batch (every process's shard) instead of each process's own shard.</summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>Checks this spec and fills in its defaults, once (see <see cref="ResolvedRun"/>).</summary>
    /// <exception cref="ConfigurationException">An unknown name, an invalid setting or schedule, or a number out of range.</exception>
    public ResolvedRun Resolve() => ResolvedRun.From(this);

    /// <summary>Data and initialization beyond the problem's defaults (CSV data, normalization, augmentation,
    /// weight and bias schemes); <see cref="Recipe.RunRecipe.None"/> by default.</summary>
    public Recipe.RunRecipe Recipe { get; init; } = Descent.Training.Recipe.RunRecipe.None;

    /// <summary>
    /// The fields that differ between this spec and <paramref name="other"/> among those that define the
    /// trajectory (problem, optimizer, settings, parameter groups, schedule, batch size, seed, sampler, data,
    /// penalty and the parameters it applies to, synchronised batch normalization), each as
    /// "field: this vs other". The loop options (epochs, checkpoints, early stopping, logging) may change
    /// when a run is resumed.
    /// </summary>
    public IReadOnlyList<string> Differences(RunSpec other)
    {
        var d = new List<string>();
        void Check(string name, string? a, string? b)
        {
            if (!string.Equals(a, b, StringComparison.Ordinal)) d.Add($"{name}: {a ?? "(none)"} vs {b ?? "(none)"}");
        }
        Check("problem", Problem, other.Problem);
        Check("optimizer", Optimizer, other.Optimizer);
        Check("settings", SettingsText(Settings), SettingsText(other.Settings));
        Check("groups", GroupsText(Groups), GroupsText(other.Groups));
        Check("schedule", Schedule, other.Schedule);
        Check("batch size", BatchSize?.ToString(CultureInfo.InvariantCulture), other.BatchSize?.ToString(CultureInfo.InvariantCulture));
        Check("seed", Seed.ToString(CultureInfo.InvariantCulture), other.Seed.ToString(CultureInfo.InvariantCulture));
        Check("sampler", Sampler, other.Sampler);
        Check("limit-train", LimitTrain?.ToString(CultureInfo.InvariantCulture), other.LimitTrain?.ToString(CultureInfo.InvariantCulture));
        Check("val-fraction", ValidationFraction.ToString("R", CultureInfo.InvariantCulture), other.ValidationFraction.ToString("R", CultureInfo.InvariantCulture));
        Check("l2", L2.ToString("R", CultureInfo.InvariantCulture), other.L2.ToString("R", CultureInfo.InvariantCulture));
        Check("l2-on", L2 > 0 ? L2On ?? DefaultL2On : null, other.L2 > 0 ? other.L2On ?? DefaultL2On : null);
        if (SyncBatchNorm != other.SyncBatchNorm) d.Add($"sync-batchnorm: {SyncBatchNorm} vs {other.SyncBatchNorm}".ToLowerInvariant());
        Check("recipe", Recipe.Text, other.Recipe.Text);
        return d;
    }

    /// <summary>The parameters an L2 penalty applies to when <see cref="L2On"/> is null: the weights.</summary>
    public const string DefaultL2On = "kind:weight";

    private static string? GroupsText(IReadOnlyList<string>? groups) => groups is null || groups.Count == 0 ? null : string.Join(";", groups);

    /// <summary>The settings as sorted <c>key=value</c> pairs joined by commas.</summary>
    public static string SettingsText(IReadOnlyDictionary<string, string> settings) =>
        string.Join(",", settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
}

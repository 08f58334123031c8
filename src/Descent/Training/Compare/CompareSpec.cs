namespace Descent.Training.Compare;

/// <summary>
/// What <c>descent compare</c> runs: the same training (<see cref="Template"/>: problem, epochs, batch size, data
/// limits, schedule, …) with each of <see cref="Optimizers"/>, first over a learning-rate grid scored on the
/// validation split, then with <see cref="Seeds"/> seeds at the chosen rate.
/// </summary>
public sealed record CompareSpec
{
    /// <summary>The optimizers a default comparison runs: those of the course's closing experiment.</summary>
    public static IReadOnlyList<string> DefaultOptimizers { get; } = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "nadam"];

    /// <summary>The problem of a default comparison.</summary>
    public const string DefaultProblem = "fmnist_mlp";

    /// <summary>Epochs of a default comparison.</summary>
    public const int DefaultEpochs = 4;

    /// <summary>Training examples of a default comparison: as many as the bundled sample holds, so the default
    /// does the same work, and finishes in a few minutes on two cores, with the full set or without it.</summary>
    public const int DefaultLimitTrain = 5400;

    /// <summary>Validation and test examples of a default comparison (each).</summary>
    public const int DefaultLimitEval = 2000;

    /// <summary>Seeds of a default comparison.</summary>
    public const int DefaultSeeds = 2;

    /// <summary>The target of a default comparison on a classification problem.</summary>
    public static Target DefaultTarget { get; } = new("test_accuracy", 0.8);

    /// <summary>The default run: fmnist_mlp for <see cref="DefaultEpochs"/> epochs on <see cref="DefaultLimitTrain"/>
    /// examples, evaluated on <see cref="DefaultLimitEval"/>.</summary>
    public static RunSpec DefaultTemplate { get; } = new()
    {
        Problem = DefaultProblem,
        Optimizer = DefaultOptimizers[0],
        Epochs = DefaultEpochs,
        LimitTrain = DefaultLimitTrain,
        LimitEval = DefaultLimitEval,
    };

    /// <summary>The training every optimizer gets (its optimizer, settings and seed are replaced per run).</summary>
    public RunSpec Template { get; init; } = DefaultTemplate;

    /// <summary>The optimizers, by name.</summary>
    public IReadOnlyList<string> Optimizers { get; init; } = DefaultOptimizers;

    /// <summary>Settings as <c>key=value</c> (every optimizer that has the key) or <c>optimizer:key=value</c>
    /// (<see cref="CompareSettings"/>). An optimizer given an <c>lr</c> is not searched.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>The learning rates searched.</summary>
    public LearningRateGrid Grid { get; init; } = LearningRateGrid.Default;

    /// <summary>Seeds at the chosen rate (the template's seed, then the next ones).</summary>
    public int Seeds { get; init; } = DefaultSeeds;

    /// <summary>Epochs of each search run; null: the template's, and then the search run at the chosen rate is
    /// also the first seed's run.</summary>
    public int? TuneEpochs { get; init; }

    /// <summary>The level whose steps and time are reported, or null for none.</summary>
    public Target? Target { get; init; }

    /// <summary>The validation metric that scores the search (<c>val_accuracy</c> or <c>val_loss</c>); null:
    /// the accuracy for classification problems, the loss otherwise.</summary>
    public string? Monitor { get; init; }

    /// <summary>Keep every run's <c>model.safetensors</c> (default: removed with the checkpoints once a run ends).</summary>
    public bool KeepModels { get; init; }

    /// <summary>The comparison everyone gets from <c>descent compare</c> with no options.</summary>
    public static CompareSpec Default { get; } = new() { Target = DefaultTarget };
}

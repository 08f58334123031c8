using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;

namespace Descent.Problems;

/// <summary>Where a problem gets its data and how it is seeded.</summary>
/// <param name="DataDir">An explicit Fashion-MNIST directory (else <c>$DESCENT_DATA</c>, the system
/// directory, then the bundled sample).</param>
/// <param name="Seed">Seed of the synthetic data sets (the model's initialization has its own).</param>
/// <param name="ValidationFraction">The share of the Fashion-MNIST training images held out for validation
/// (0 trains on all 60,000 and leaves the validation set empty).</param>
public sealed record ProblemContext(string? DataDir = null, ulong Seed = 0, double ValidationFraction = 0.1);

/// <summary>
/// A benchmark problem: a model, a loss (plus penalties) and its data, with the recipe defaults the
/// literature uses (DeepOBS for the Fashion-MNIST problems). The CLI and the trainer run problems by name
/// (<see cref="ProblemCatalog"/>).
/// </summary>
public abstract class Problem
{
    /// <summary>The name used on the command line, e.g. <c>fmnist_mlp</c>.</summary>
    public abstract string Name { get; }

    /// <summary>A one-line description.</summary>
    public abstract string Description { get; }

    /// <summary>Builds the model with its initialization drawn from <paramref name="seed"/>.</summary>
    public abstract Module BuildModel(ulong seed);

    /// <summary>The per-example loss.</summary>
    public abstract ILoss Loss { get; }

    /// <summary>Regularizers added to the mean loss (λΩ(θ)).</summary>
    public virtual IReadOnlyList<Penalty> Penalties => [];

    /// <summary>Loads (or generates) the train/validation/test splits.</summary>
    public abstract DataSplits LoadData(ProblemContext context);

    /// <summary>True if accuracy is a meaningful metric (classification).</summary>
    public virtual bool IsClassification => true;

    /// <summary>The usual mini-batch size.</summary>
    public virtual int DefaultBatchSize => 128;

    /// <summary>The usual number of epochs.</summary>
    public virtual int DefaultEpochs => 10;

    /// <inheritdoc />
    public override string ToString() => Name;
}

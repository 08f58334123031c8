namespace Descent.Data;

/// <summary>Options for carving a validation set out of the training data.</summary>
/// <param name="ValidationFraction">The share of the training set held out for validation (default 10%).</param>
/// <param name="Method">How it is chosen (default: a stratified random sample).</param>
/// <param name="Seed">The split's own seed. It is independent of the training seed on purpose, so
/// runs with different training seeds are validated on the same examples.</param>
/// <param name="Images">Whether image features are viewed as [N, 1, H, W] instead of [N, H·W].</param>
public sealed record SplitOptions(
    double ValidationFraction = 0.1,
    HoldoutMethod Method = HoldoutMethod.StratifiedRandom,
    ulong Seed = 0,
    bool Images = false)
{
    /// <summary>The defaults: a stratified random 10% of the training set, seed 0, flat features.</summary>
    public static SplitOptions Default { get; } = new();
}

/// <summary>
/// Training, validation and test sets and where they came from. The validation set is always carved
/// out of the training data (never out of the test set), so the test set is touched only for the
/// final report. Normalization is fitted on <see cref="Train"/> alone with <see cref="Normalize"/>.
/// </summary>
/// <param name="Train">The examples used for gradient steps.</param>
/// <param name="Validation">Held out of the training data, for early stopping and tuning.</param>
/// <param name="Test">The separate test set.</param>
/// <param name="Source">Where the data came from, to show the user (e.g. the bundled-sample notice).</param>
/// <param name="IsSample">True when the data is a small bundled sample rather than the full set.</param>
public sealed record DataSplits(Dataset Train, Dataset Validation, Dataset Test, string Source, bool IsSample = false)
{
    /// <summary>
    /// Fashion-MNIST (or MNIST) split three ways: the 60,000 training images less the validation share,
    /// that validation share, and the 10,000 test images (or the bundled sample's counts). The last splits
    /// made are kept (the copies of a 54,000-image training split take seconds), so runs that follow each other
    /// with the same data and options share them; nothing in Descent writes to a data set's tensors.
    /// </summary>
    /// <exception cref="ConfigurationException">The validation fraction is outside [0, 1).</exception>
    public static DataSplits FashionMnist(FashionMnistData data, SplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= SplitOptions.Default;
        return FashionMnistCache.Splits(data, options, () =>
        {
            var all = Dataset.FashionMnistTrain(data, options.Images);
            var test = Dataset.FashionMnistTest(data, options.Images);
            var (train, validation) = CarveValidation(all, options, "Fashion-MNIST");
            return new DataSplits(train, validation, test, data.Source, data.IsSample);
        });
    }

    /// <summary>
    /// Splits one data set (e.g. a CSV file) three ways: first a test share is held out, then a
    /// validation share of the rest, both with <see cref="Holdout.Split"/> (stratified by label when the
    /// set has labels). The test split uses the stream of <c>seed + 1</c> so it differs from the validation one.
    /// </summary>
    /// <exception cref="ConfigurationException">A fraction is outside [0, 1).</exception>
    public static DataSplits FromDataset(Dataset all, double testFraction, SplitOptions? options = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(all);
        options ??= SplitOptions.Default;
        var (rest, testIdx) = Holdout.Split(all.Count, testFraction, options.Seed + 1, all.Labels, options.Method);
        var test = all.Subset(testIdx, all.Name + " test");
        var (train, validation) = CarveValidation(all.Subset(rest), options, all.Name);
        return new DataSplits(train, validation, test, source ?? all.Name);
    }

    /// <summary>
    /// The three sets transformed by a normalization fitted on the training set only
    /// (<c>fit(Train)</c>), so no statistic of the validation or test data leaks into training.
    /// </summary>
    public DataSplits Normalize(Func<Dataset, IFeatureTransform> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var transform = fit(Train);
        return this with
        {
            Train = Train.Transform(transform),
            Validation = Validation.Transform(transform),
            Test = Test.Transform(transform),
        };
    }

    private static (Dataset Train, Dataset Validation) CarveValidation(Dataset all, SplitOptions options, string name)
    {
        var (kept, held) = Holdout.Split(all.Count, options.ValidationFraction, options.Seed, all.Labels, options.Method);
        return (all.Subset(kept, name + " train"), all.Subset(held, name + " validation"));
    }
}

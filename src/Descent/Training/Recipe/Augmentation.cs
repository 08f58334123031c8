using Descent.Data;
using Descent.Tensors;

namespace Descent.Training.Recipe;

/// <summary>
/// Data augmentation as a training callback (Goodfellow et al. 2016, §7.4): every training batch passes through an
/// <see cref="Augmenter"/> on its way to the objective (<see cref="ITrainingCallback.OnTrainBatch"/>); evaluation
/// batches do not. The augmenter's random stream is checkpointed, so a resumed run draws the same changes.
/// </summary>
public sealed class Augmentation : ITrainingCallback
{
    /// <summary>The syntax of <c>--augment</c>.</summary>
    public const string Syntax = "steps joined by '+': shift:N (random shifts of up to N pixels), flip[:P] (horizontal, probability P = 0.5), elastic[:alpha=A,sigma=S] (Simard et al. 2003; 34 and 4)";

    private readonly Augmenter augmenter;

    /// <summary>An augmentation applying <paramref name="augmenter"/> to training batches.</summary>
    public Augmentation(Augmenter augmenter) => this.augmenter = augmenter ?? throw new ArgumentNullException(nameof(augmenter));

    /// <summary>Parses <c>--augment</c> text into an augmentation seeded from the run's seed.</summary>
    /// <exception cref="ConfigurationException">An unknown step or a bad setting.</exception>
    public static Augmentation Parse(string text, ulong seed) => new(new Augmenter(RunSetup.Derive(seed, "augmentation"), Steps(text)));

    /// <summary>The steps of <c>--augment</c> text.</summary>
    /// <exception cref="ConfigurationException">An unknown step or a bad setting.</exception>
    public static IAugmentation[] Steps(string text)
    {
        const string o = "--augment";
        var steps = new List<IAugmentation>();
        foreach (var part in text.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, arg) = RecipeText.Head(part);
            switch (name)
            {
                case "shift":
                    if (!int.TryParse(arg, out int n) || n < 1) throw new ConfigurationException($"{o} shift:N needs a whole number of pixels N ≥ 1, e.g. shift:2.");
                    steps.Add(new RandomShift(n));
                    break;
                case "flip":
                    double p = arg is null ? 0.5 : double.TryParse(arg, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && v >= 0 && v <= 1 ? v
                        : throw new ConfigurationException($"{o} flip:P needs a probability P in [0, 1], e.g. flip:0.5.");
                    steps.Add(new RandomFlip(p));
                    break;
                case "elastic":
                    var kv = RecipeText.Pairs(arg, o, "alpha", "sigma");
                    double alpha = RecipeText.Number(kv, "alpha", 34, o), sigma = RecipeText.Number(kv, "sigma", 4, o);
                    if (!(alpha >= 0) || !(sigma > 0)) throw new ConfigurationException($"{o} elastic needs alpha ≥ 0 and sigma > 0.");
                    steps.Add(new ElasticDistortion(alpha, sigma));
                    break;
                default:
                    throw new ConfigurationException($"{o} '{part}' is not an augmentation; use {Syntax}.");
            }
        }
        if (steps.Count == 0) throw new ConfigurationException($"{o} '{text}' names no augmentation; use {Syntax}.");
        return [.. steps];
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<IAugmentation> Applied => augmenter.Steps;

    /// <inheritdoc />
    public string Name => "augmentation";

    /// <inheritdoc />
    public Tensor OnTrainBatch(TrainingContext context, Tensor inputs) => augmenter.Apply(inputs);

    /// <inheritdoc />
    public CallbackState ExportState()
    {
        var s = augmenter.GetState();
        var d = new Dictionary<string, double>();
        for (int i = 0; i < s.Length; i++)
        {
            d[$"state{i}_lo"] = (uint)s[i];
            d[$"state{i}_hi"] = (uint)(s[i] >> 32);
        }
        return new CallbackState(d);
    }

    /// <inheritdoc />
    public void ImportState(CallbackState state)
    {
        var current = augmenter.GetState();
        var s = new ulong[current.Length];
        for (int i = 0; i < s.Length; i++)
            s[i] = (ulong)state.Get($"state{i}_lo", 0) | ((ulong)state.Get($"state{i}_hi", 0) << 32);
        augmenter.SetState(s);
    }
}

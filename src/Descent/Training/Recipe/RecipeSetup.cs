using Descent.Problems;

namespace Descent.Training.Recipe;

/// <summary>Where <see cref="RunSetup"/> applies a run's <see cref="RunRecipe"/>: checks, the problem, the data, the
/// model's initialization, the sampler and the augmentation callback.</summary>
public static class RecipeSetup
{
    /// <summary>Checks every field of the recipe (reading a CSV file, parsing schemes) and returns it trimmed.</summary>
    /// <exception cref="ConfigurationException">A bad field.</exception>
    /// <exception cref="DataFormatException">A bad CSV file.</exception>
    public static RunRecipe Resolve(RunSpec spec)
    {
        var r = spec.Recipe;
        RecipeData.Problem(spec);
        RecipeData.Normalizer(r.Normalize);
        if (r.Augment is not null) Recipe.Augmentation.Steps(r.Augment);
        RecipeInit.Check(r);
        RecipeData.CheckSampler(spec.Sampler);
        if (r.ForgetBias is double f && !double.IsFinite(f)) throw new ConfigurationException($"--forget-bias must be a finite number, got {f}.");
        return r with
        {
            Data = r.Data?.Trim(), Target = r.Target?.Trim(), Task = r.Task?.Trim().ToLowerInvariant(), Model = r.Model?.Trim().ToLowerInvariant(),
            Normalize = r.Normalize?.Trim().ToLowerInvariant(), Augment = r.Augment?.Trim().ToLowerInvariant(),
            Init = r.Init?.Trim(), Bias = r.Bias?.Trim(), OutputBias = r.OutputBias?.Trim().ToLowerInvariant(),
        };
    }

    /// <summary>The problem of the run (see <see cref="RecipeData.Problem"/>).</summary>
    public static Problem Problem(RunSpec spec) => RecipeData.Problem(spec);

    /// <summary>The augmentation callback the recipe asks for, or null.</summary>
    public static ITrainingCallback? Augmentation(RunSpec spec) =>
        spec.Recipe.Augment is { } a ? Recipe.Augmentation.Parse(a, spec.Seed) : null;
}

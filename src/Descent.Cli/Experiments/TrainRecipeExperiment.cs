using Descent.Training;

namespace Descent.Cli.Experiments;

/// <summary>The data and initialization options of a run (shared by <c>train</c> and <c>compare</c> experiments).</summary>
public static class TrainRecipeExperiment
{
    /// <summary>Adds the recipe's options of <paramref name="spec"/> to <paramref name="writer"/>.</summary>
    public static void Add(ExperimentWriter writer, RunSpec spec)
    {
        foreach (var (name, value) in spec.Recipe.Fields()) writer.Add(name, value);
    }
}

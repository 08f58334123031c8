using Descent.Data;
using Descent.Nn;
using Descent.Optim;

namespace Descent.Training;

/// <summary>
/// The parts a <see cref="Trainer"/> runs: a model with its objective (loss + penalties), an optimizer
/// bound to the model's flat parameters, a sampler over the training set, and the data splits.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Objective">The training objective over <paramref name="Model"/>.</param>
/// <param name="Optimizer">The optimizer, already initialized on <c>Model.Flat</c>.</param>
/// <param name="Sampler">Chooses the training examples of each step.</param>
/// <param name="Data">Training, validation and test sets.</param>
/// <param name="IsClassification">True if accuracy is reported.</param>
public sealed record TrainingParts(Module Model, Objective Objective, Optimizer Optimizer, ISampler Sampler, DataSplits Data, bool IsClassification)
{
    /// <summary>Checks that the parts fit together.</summary>
    /// <exception cref="ConfigurationException">The optimizer is not bound to the model's parameters, or the
    /// sampler does not cover the training set.</exception>
    public void Validate()
    {
        if (!ReferenceEquals(Objective.Model, Model))
            throw new ConfigurationException("The objective is over another model than the one being trained.");
        if (!Optimizer.IsInitialized || !ReferenceEquals(Optimizer.Parameters, Model.Flat))
            throw new ConfigurationException($"The optimizer {Optimizer.Name} must be initialized on the model's flat parameters (optimizer.Init(model.Flat)).");
        if (Sampler.Count != Data.Train.Count)
            throw new ConfigurationException($"The sampler draws from {Sampler.Count} examples but the training set has {Data.Train.Count}.");
    }
}

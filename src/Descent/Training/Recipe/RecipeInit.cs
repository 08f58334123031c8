using Descent.Data;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Nn.Losses;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Training.Recipe;

/// <summary>
/// The initialization half of a <see cref="RunRecipe"/>, applied to a freshly built model: a weight scheme (or
/// LSUV on a batch of training inputs), a bias scheme for the hidden layers, the output bias that is optimal for
/// zero weights, and an LSTM's forget-gate bias. Each parameter draws from its own seeded stream
/// (<see cref="InitPlan"/>), so the result depends only on the seed.
/// </summary>
public static class RecipeInit
{
    /// <summary>Examples of the training split that LSUV measures variances on.</summary>
    public const int LsuvBatch = 256;

    /// <summary>Checks the initialization fields of <paramref name="recipe"/>.</summary>
    /// <exception cref="ConfigurationException">An unknown scheme.</exception>
    public static void Check(RunRecipe recipe)
    {
        if (recipe.Init is not null) ParseWeights(recipe.Init);
        if (recipe.Bias is not null) InitScheme.Parse(recipe.Bias);
        if (recipe.OutputBias is not null && recipe.OutputBias.Trim().ToLowerInvariant() is not ("prior" or "zeros"))
            throw new ConfigurationException($"--output-bias '{recipe.OutputBias}' is not valid; use prior (log class frequencies, or the mean target) or zeros.");
    }

    /// <summary>Initializes <paramref name="model"/> as <paramref name="recipe"/> says; returns what was done, one line
    /// per rule (empty when the recipe keeps the defaults).</summary>
    /// <exception cref="ConfigurationException">LSUV on a model that is not a <see cref="Sequential"/>, or an output bias
    /// for a loss without one.</exception>
    public static IReadOnlyList<string> Apply(Module model, RunRecipe recipe, Problem problem, DataSplits data, ulong seed)
    {
        var done = new List<string>();
        var plan = new InitPlan();
        (InitScheme? weights, bool lsuv) = recipe.Init is null ? (null, false) : ParseWeights(recipe.Init);
        if (weights is not null) plan.Add(ParameterSelector.Kind(ParameterKind.Weight), weights);
        if (recipe.Bias is not null)
            plan.Add(ParameterSelector.Kind(ParameterKind.Bias) & !ParameterSelector.Name("*forget_bias") & !ParameterSelector.LastLayer, InitScheme.Parse(recipe.Bias));
        if (recipe.ForgetBias is double f) plan.Add(ParameterSelector.Name("*forget_bias"), InitScheme.Constant(f));
        switch (recipe.OutputBias?.Trim().ToLowerInvariant())
        {
            case "zeros":
                plan.Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Bias), InitScheme.Zeros);
                break;
            case "prior":
                plan.Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Bias), Prior(problem, data.Train));
                break;
        }
        if (plan.Rules.Count > 0)
            foreach (var a in plan.Apply(model, seed)) done.Add($"{a.Name} {a.Shape}: {a.Scheme.Text}");
        if (lsuv)
        {
            if (model is not Sequential seq)
                throw new ConfigurationException($"--init lsuv rescales the layers of a sequential network in order; {problem.Name}'s model is a {model.GetType().Name}.");
            var batch = data.Train.Features.Rows(0, Math.Min(LsuvBatch, data.Train.Count));
            foreach (var l in Lsuv.Apply(seq, batch, new LsuvOptions(OrthogonalPreInit: weights is null, Seed: seed)))
                done.Add($"{l.Name}: LSUV variance {l.InitialVariance:G3} → {l.Variance:G3} in {l.Iterations} step{(l.Iterations == 1 ? "" : "s")}");
        }
        return done;
    }

    /// <summary>The weight scheme of <c>--init</c> and whether it is LSUV (then the scheme, if any, is its
    /// pre-initialization; plain <c>lsuv</c> starts orthogonal).</summary>
    private static (InitScheme? Weights, bool Lsuv) ParseWeights(string text)
    {
        var (head, arg) = RecipeText.Head(text);
        if (head != "lsuv") return (InitScheme.Parse(text), false);
        return (arg is null ? null : InitScheme.Parse(arg), true);
    }

    private static InitScheme Prior(Problem problem, Dataset train)
    {
        switch (problem.Loss)
        {
            case CrossEntropy when train.Labels is { } labels:
                return OutputBias.Scheme(OutputLoss.SoftmaxCrossEntropy, Tensor.From(labels.Select(l => (double)l).ToArray(), labels.Length), train.ClassCount);
            case MeanSquaredError when train.Targets is { } t:
                return OutputBias.Scheme(OutputLoss.SquaredError, t);
            case BinaryCrossEntropy when train.Targets is { } t:
                return OutputBias.Scheme(OutputLoss.BinaryCrossEntropy, t);
            default:
                throw new ConfigurationException($"--output-bias prior: {problem.Name}'s loss has no known optimal output bias; use --output-bias zeros or leave it out.");
        }
    }
}

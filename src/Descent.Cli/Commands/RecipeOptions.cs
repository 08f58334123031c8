using System.CommandLine;
using Descent.Training;
using Descent.Training.Recipe;

namespace Descent.Cli.Commands;

/// <summary>The data and initialization options of <c>train</c> and <c>compare</c> (a <see cref="RunRecipe"/>).</summary>
public sealed class RecipeOptions
{
    private readonly Option<string> data = new("--data") { Description = "train on other data: csv:PATH (a CSV file with a header; see --target, --task, --model)" };
    private readonly Option<string> target = new("--target") { Description = "the CSV column to predict" };
    private readonly Option<string> task = new("--task") { Description = "CSV task: classification, regression or auto (default: integers with at most 100 values are classes)" };
    private readonly Option<string> model = new("--model") { Description = "CSV model: linear or mlp:H1,H2,… (ReLU; default mlp:64)" };
    private readonly Option<string> normalize = new("--normalize") { Description = $"normalize the inputs: {RecipeData.NormalizeSyntax}" };
    private readonly Option<string> augment = new("--augment") { Description = $"augment training batches: {Augmentation.Syntax}" };
    private readonly Option<string> init = new("--init") { Description = "weight initialization: a scheme (he_normal, glorot_uniform:tanh, orthogonal:relu, …; listed below) or lsuv[:PREINIT]" };
    private readonly Option<string> bias = new("--bias") { Description = "hidden biases: a scheme, e.g. zeros or constant:0.01 (small positive against dead ReLUs)" };
    private readonly Option<string> outputBias = new("--output-bias") { Description = "output bias: prior (log class frequencies, or the mean target: optimal for zero weights) or zeros" };
    private readonly Option<double?> forgetBias = new("--forget-bias") { Description = "LSTM forget-gate bias, e.g. 1 (the cell starts remembering)" };

    /// <summary>The options, in help order.</summary>
    public IEnumerable<Option> All => [data, target, task, model, normalize, augment, init, bias, outputBias, forgetBias];

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public RecipeOptions AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
        return this;
    }

    /// <summary>True if <c>--data</c> was given.</summary>
    public bool HasData(ParseResult pr) => pr.GetValue(data) is not null;

    /// <summary>The recipe on the command line.</summary>
    public RunRecipe Read(ParseResult pr) => new()
    {
        Data = pr.GetValue(data),
        Target = pr.GetValue(target),
        Task = pr.GetValue(task),
        Model = pr.GetValue(model),
        Normalize = pr.GetValue(normalize),
        Augment = pr.GetValue(augment),
        Init = pr.GetValue(init),
        Bias = pr.GetValue(bias),
        OutputBias = pr.GetValue(outputBias),
        ForgetBias = pr.GetValue(forgetBias),
    };

    /// <summary>The problem name to use: the given one, or <c>csv</c> with <c>--data</c>.</summary>
    /// <exception cref="ConfigurationException">Neither, or both.</exception>
    public string Problem(ParseResult pr, string? problem)
    {
        if (HasData(pr))
        {
            if (problem is not null && problem != "csv")
                throw new ConfigurationException($"--data trains on a CSV file, so --problem {problem} does not apply; leave --problem out.");
            return "csv";
        }
        return problem ?? throw new ConfigurationException("no problem given; use --problem NAME (listed in descent train --help) or --data csv:PATH --target COLUMN.");
    }
}

namespace Descent.Training.Recipe;

/// <summary>
/// How a run prepares its data and its model beyond the problem's defaults — what <c>descent train</c> takes as
/// <c>--data</c>, <c>--normalize</c>, <c>--augment</c>, <c>--init</c>, <c>--bias</c>, <c>--output-bias</c> and
/// <c>--forget-bias</c> (the samplers are <c>--sampler</c>'s). Every field is text (validated by
/// <see cref="RecipeSetup.Resolve"/>) so a run's recipe is stored, compared on resume and re-run exactly.
/// </summary>
public sealed record RunRecipe
{
    /// <summary>The recipe that changes nothing.</summary>
    public static RunRecipe None { get; } = new();

    /// <summary>Data other than the problem's: <c>csv:PATH</c> (then <see cref="Target"/> names the label column).</summary>
    public string? Data { get; init; }

    /// <summary>The CSV column to predict.</summary>
    public string? Target { get; init; }

    /// <summary>For CSV data: <c>classification</c>, <c>regression</c>, or null to decide from the column
    /// (non-negative integers with at most 100 distinct values: classification).</summary>
    public string? Task { get; init; }

    /// <summary>For CSV data: the network, <c>linear</c> or <c>mlp:H1,H2,…</c> (ReLU; default <c>mlp:64</c>).</summary>
    public string? Model { get; init; }

    /// <summary>Input normalization fitted on the training split: <c>center</c>, <c>standardize</c>, <c>global</c>,
    /// <c>pca[:eps=E,k=K]</c> or <c>zca[:eps=E]</c>; null for none.</summary>
    public string? Normalize { get; init; }

    /// <summary>Training-batch augmentation, steps joined by '+': <c>shift:N</c>, <c>flip[:P]</c>,
    /// <c>elastic[:alpha=A,sigma=S]</c>; null for none.</summary>
    public string? Augment { get; init; }

    /// <summary>The weight initialization: a scheme (<c>he_normal</c>, <c>glorot_uniform:tanh</c>, …) or
    /// <c>lsuv[:PREINIT]</c>; null keeps the layers' defaults.</summary>
    public string? Init { get; init; }

    /// <summary>The hidden layers' bias scheme (<c>zeros</c>, <c>constant:0.01</c>, …); null keeps the defaults.</summary>
    public string? Bias { get; init; }

    /// <summary><c>prior</c>: the output bias that is optimal for zero weights (log class frequencies for softmax
    /// cross-entropy, the mean target for squared error); <c>zeros</c>; or null to keep it.</summary>
    public string? OutputBias { get; init; }

    /// <summary>An LSTM's forget-gate bias (e.g. 1, so the cell starts remembering); null keeps the default.</summary>
    public double? ForgetBias { get; init; }

    /// <summary>True if the recipe changes nothing.</summary>
    public bool IsEmpty => this == None;

    /// <summary>The set fields as <c>name=value</c> pairs, in a fixed order (for messages and resume checks).</summary>
    public IEnumerable<(string Name, string Value)> Fields()
    {
        if (Data is not null) yield return ("data", Data);
        if (Target is not null) yield return ("target", Target);
        if (Task is not null) yield return ("task", Task);
        if (Model is not null) yield return ("model", Model);
        if (Normalize is not null) yield return ("normalize", Normalize);
        if (Augment is not null) yield return ("augment", Augment);
        if (Init is not null) yield return ("init", Init);
        if (Bias is not null) yield return ("bias", Bias);
        if (OutputBias is not null) yield return ("output-bias", OutputBias);
        if (ForgetBias is double f) yield return ("forget-bias", f.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The fields joined by ';', or null when empty.</summary>
    public string? Text => IsEmpty ? null : string.Join(";", Fields().Select(f => f.Name + "=" + f.Value));
}

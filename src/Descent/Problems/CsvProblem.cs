using System.Globalization;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Problems;

/// <summary>
/// A problem made from a CSV file with a header: one column is the target, the others the features. A target of
/// non-negative integers with at most <see cref="MaxClasses"/> distinct values is a classification (softmax
/// cross-entropy), anything else a regression (squared error), unless the task is given. The model is a linear
/// layer or an MLP with ReLU (default one hidden layer of 64). A seeded 20% of the rows is the test set, and the
/// validation share is carved out of the rest (both stratified by class for classification).
/// </summary>
public sealed class CsvProblem : Problem
{
    /// <summary>The most distinct integer values a target may have to count as class labels.</summary>
    public const int MaxClasses = 100;

    /// <summary>The share of the rows held out as the test set.</summary>
    public const double TestFraction = 0.2;

    private readonly CsvLabeledData table;
    private readonly int[] hidden;

    /// <summary>Reads the file and decides the task.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="target">The target column's name.</param>
    /// <param name="task"><c>classification</c>, <c>regression</c>, or null to decide from the column.</param>
    /// <param name="model"><c>linear</c> or <c>mlp:H1,H2,…</c> (null: <c>mlp:64</c>).</param>
    /// <exception cref="DataFormatException">The file is bad or lacks the column.</exception>
    /// <exception cref="ConfigurationException">A bad task or model, or class labels that are not integers.</exception>
    public CsvProblem(string path, string target, string? task = null, string? model = null)
    {
        Path = path;
        table = CsvTable.ReadLabeled(path, target);
        if (table.RowCount < 10) throw new DataFormatException($"{path}: {table.RowCount} rows are too few to split into train, validation and test sets; give at least 10.");
        bool integral = table.Labels.All(v => v >= 0 && v == Math.Floor(v) && v <= int.MaxValue);
        int distinct = table.Labels.Distinct().Count();
        Kind = (task?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "auto" => integral && distinct <= MaxClasses ? CsvTargetKind.Classification : CsvTargetKind.Regression,
            "classification" => integral ? CsvTargetKind.Classification
                : throw new ConfigurationException($"--task classification: the column '{target}' of {path} holds values that are not class indices 0, 1, 2, …."),
            "regression" => CsvTargetKind.Regression,
            _ => throw new ConfigurationException($"--task '{task}' is not valid; use classification, regression or auto."),
        };
        hidden = ParseModel(model);
        Target = target;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The target column.</summary>
    public string Target { get; }

    /// <summary>Classification or regression.</summary>
    public CsvTargetKind Kind { get; }

    /// <summary>Number of feature columns.</summary>
    public int Features => table.FeatureCount;

    /// <summary>Number of outputs: the classes, or 1.</summary>
    public int Outputs => Kind == CsvTargetKind.Classification ? (int)table.Labels.Max() + 1 : 1;

    /// <inheritdoc />
    public override string Name => "csv";

    /// <inheritdoc />
    public override string Description => $"{(Kind == CsvTargetKind.Classification ? "classification" : "regression")} of '{Target}' from {Features} columns of {Path}";

    /// <inheritdoc />
    public override bool IsClassification => Kind == CsvTargetKind.Classification;

    /// <inheritdoc />
    public override ILoss Loss => IsClassification ? new CrossEntropy() : new MeanSquaredError();

    /// <inheritdoc />
    public override int DefaultBatchSize => 32;

    /// <inheritdoc />
    public override Module BuildModel(ulong seed)
    {
        var rng = Rng.Stream(seed, "init");
        var net = new Sequential();
        int inputs = Features;
        foreach (int h in hidden)
        {
            net.Add(new Linear(inputs, h, rng: rng));
            net.Add(new ReLU());
            inputs = h;
        }
        net.Add(new Linear(inputs, Outputs, rng: rng));
        return net;
    }

    /// <inheritdoc />
    public override DataSplits LoadData(ProblemContext context)
    {
        var all = Dataset.FromCsv(table, Kind, name: System.IO.Path.GetFileName(Path));
        return DataSplits.FromDataset(all, TestFraction, SplitOptions.Default with { ValidationFraction = context.ValidationFraction },
            string.Create(CultureInfo.InvariantCulture, $"{Path} ({table.RowCount:N0} rows, {Features} features, target '{Target}')"));
    }

    private static int[] ParseModel(string? model)
    {
        string m = (model ?? "mlp:64").Trim().ToLowerInvariant();
        if (m == "linear") return [];
        if (m == "mlp") return [64];
        if (m.StartsWith("mlp:", StringComparison.Ordinal))
        {
            var sizes = m[4..].Split(',', StringSplitOptions.TrimEntries);
            var h = new int[sizes.Length];
            for (int i = 0; i < sizes.Length; i++)
                if (!int.TryParse(sizes[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out h[i]) || h[i] < 1)
                    throw new ConfigurationException($"--model '{model}': '{sizes[i]}' is not a layer width; e.g. mlp:64,32.");
            return h;
        }
        throw new ConfigurationException($"--model '{model}' is not valid; use linear or mlp:H1,H2,… (e.g. mlp:64,32).");
    }
}

using Descent.Data;
using Descent.Problems;

namespace Descent.Training.Recipe;

/// <summary>The data half of a <see cref="RunRecipe"/>: the problem (a CSV file instead of the catalog's), input
/// normalization fitted on the training split, and the growing-batch and curriculum samplers.</summary>
public static class RecipeData
{
    /// <summary>The syntax of <c>--normalize</c>.</summary>
    public const string NormalizeSyntax = "center, standardize, global, pca[:eps=E,k=K] or zca[:eps=E] (fitted on the training split)";

    /// <summary>The syntax of the extra <c>--sampler</c> kinds.</summary>
    public const string SamplerSyntax =
        "growing[:start=B,every=E,factor=F,max=M] (the batch grows F× every E epochs, Smith et al. 2018) or " +
        "curriculum[:start=S,ramp=R,random=P,window=W,by=centroid|target] (easy examples first, Bengio et al. 2009)";

    /// <summary>The problem of <paramref name="spec"/>: a <see cref="CsvProblem"/> for <c>--data csv:PATH</c>, else the catalog's.</summary>
    /// <exception cref="ConfigurationException">A bad name or data option.</exception>
    public static Problem Problem(RunSpec spec)
    {
        var r = spec.Recipe;
        if (r.Data is null)
        {
            if (r.Target is not null || r.Task is not null || r.Model is not null)
                throw new ConfigurationException("--target, --task and --model describe CSV data; give --data csv:PATH too.");
            return ProblemCatalog.Create(spec.Problem);
        }
        var (kind, path) = RecipeText.Head(r.Data);
        if (kind != "csv" || string.IsNullOrWhiteSpace(path))
            throw new ConfigurationException($"--data '{r.Data}' is not valid; use csv:PATH (with --target COLUMN).");
        if (r.Target is null) throw new ConfigurationException($"--data {r.Data} needs --target COLUMN, the column to predict.");
        return new CsvProblem(path, r.Target, r.Task, r.Model);
    }

    /// <summary>The splits normalized as the recipe asks (fitted on the training split only).</summary>
    /// <exception cref="ConfigurationException">An unknown normalization or bad setting.</exception>
    public static DataSplits Normalize(DataSplits data, RunRecipe recipe)
    {
        var fit = Normalizer(recipe.Normalize);
        return fit is null ? data : data.Normalize(fit);
    }

    /// <summary>The fitting function of a <c>--normalize</c> text (null for none); checks the text.</summary>
    /// <exception cref="ConfigurationException">An unknown normalization or bad setting.</exception>
    public static Func<Dataset, IFeatureTransform>? Normalizer(string? text)
    {
        if (text is null) return null;
        var (name, arg) = RecipeText.Head(text);
        const string o = "--normalize";
        switch (name)
        {
            case "none": return null;
            case "center" when arg is null: return FeatureScaler.Centering;
            case "standardize":
            {
                double eps = RecipeText.Number(RecipeText.Pairs(arg, o, "eps"), "eps", 1e-6, o);
                return d => FeatureScaler.Standardization(d, eps);
            }
            case "global" when arg is null: return d => FeatureScaler.Global(d);
            case "pca" or "zca":
            {
                var p = RecipeText.Pairs(arg, o, "eps", "k");
                double eps = RecipeText.Number(p, "eps", 1e-2, o);
                int k = RecipeText.Integer(p, "k", 0, o);
                var kind = name == "pca" ? WhiteningKind.Pca : WhiteningKind.Zca;
                return d => Whitening.Fit(d, kind, eps, k);
            }
            default: throw new ConfigurationException($"{o} '{text}' is not valid; use {NormalizeSyntax}.");
        }
    }

    /// <summary>True if <paramref name="sampler"/> names a growing-batch or curriculum sampler.</summary>
    public static bool IsRecipeSampler(string sampler) => RecipeText.Head(sampler).Name is "growing" or "curriculum";

    /// <summary>Checks the settings of a growing-batch or curriculum sampler (other kinds pass).</summary>
    /// <exception cref="ConfigurationException">An unknown setting or a bad number.</exception>
    public static void CheckSampler(string? sampler)
    {
        if (sampler is null || !IsRecipeSampler(sampler)) return;
        var (name, arg) = RecipeText.Head(sampler);
        const string o = "--sampler";
        if (name == "growing")
        {
            var p = RecipeText.Pairs(arg, o, "start", "every", "factor", "max");
            GrowingBatchSampler.Doubling(RecipeText.Integer(p, "start", 1, o), RecipeText.Integer(p, "every", 1, o),
                RecipeText.Integer(p, "max", int.MaxValue, o), RecipeText.Number(p, "factor", 2, o));
            return;
        }
        var c = RecipeText.Pairs(arg, o, "start", "ramp", "random", "window", "by");
        foreach (var k in new[] { "start", "random", "window" }) RecipeText.Number(c, k, 0, o);
        RecipeText.Integer(c, "ramp", 0, o);
        if (c.TryGetValue("by", out var by) && by.ToLowerInvariant() is not ("centroid" or "target"))
            throw new ConfigurationException($"{o} curriculum: by={by} is not valid; use by=centroid or by=target.");
    }

    /// <summary>The growing-batch or curriculum sampler <paramref name="spec"/> asks for, or null for the others.</summary>
    /// <exception cref="ConfigurationException">A bad setting.</exception>
    public static ISampler? Sampler(RunSpec spec, Dataset train)
    {
        if (spec.Sampler is not { } text || !IsRecipeSampler(text)) return null;
        var (name, arg) = RecipeText.Head(text);
        const string o = "--sampler";
        ulong seed = RunSetup.Derive(spec.Seed, "data-order");
        int batch = spec.BatchSize ?? 128;
        if (name == "growing")
        {
            var p = RecipeText.Pairs(arg, o, "start", "every", "factor", "max");
            var schedule = GrowingBatchSampler.Doubling(RecipeText.Integer(p, "start", batch, o), RecipeText.Integer(p, "every", 1, o),
                RecipeText.Integer(p, "max", int.MaxValue, o), RecipeText.Number(p, "factor", 2, o));
            return new GrowingBatchSampler(train.Count, schedule, seed);
        }
        var c = RecipeText.Pairs(arg, o, "start", "ramp", "random", "window", "by");
        string by = c.TryGetValue("by", out var b) ? b.ToLowerInvariant() : train.Labels is not null ? "centroid" : "target";
        double[] difficulty = by switch
        {
            "centroid" => Difficulty.CentroidDistance(train),
            "target" => Difficulty.TargetDeviation(train),
            _ => throw new ConfigurationException($"{o} curriculum: by={by} is not valid; use by=centroid or by=target."),
        };
        var options = new CurriculumOptions(RecipeText.Number(c, "start", 0.2, o), RecipeText.Integer(c, "ramp", 5, o),
            RecipeText.Number(c, "random", 0.1, o), c.ContainsKey("window") ? RecipeText.Number(c, "window", 0, o) : null);
        return new CurriculumSampler(difficulty, batch, seed, options);
    }
}

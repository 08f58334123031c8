using System.Globalization;
using Descent.Curvature;
using Descent.Data;
using Descent.Nn;
using Descent.Problems;
using Descent.Tensors;
using Descent.Training;

namespace Descent.Cli.Commands;

/// <summary>A model to analyse: the problem's initialization or the weights of a checkpoint.</summary>
/// <param name="Label">How outputs name it: <c>init</c> or the checkpoint path as given.</param>
/// <param name="Model">The model, in evaluation mode, in the analysis dtype.</param>
public sealed record AnalysedModel(string Label, Module Model);

/// <summary>
/// What <c>descent hessian</c> and <c>descent landscape</c> share: the problem, its data (with the data source
/// printed), models from checkpoints (checked against the problem) and the analysis dtype.
/// </summary>
public static class AnalysisSetup
{
    /// <summary>The word that stands for the problem's initialization instead of a checkpoint file.</summary>
    public const string Init = "init";

    /// <summary>Loads the problem's data and prints where it came from.</summary>
    public static DataSplits Data(Problem problem, string? dataDir, TextWriter output)
    {
        var data = problem.LoadData(new ProblemContext(dataDir));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data: {data.Source}"));
        if (data.IsSample) output.WriteLine("note: the full Fashion-MNIST set was not found, so this analysis uses the small bundled sample.");
        return data;
    }

    /// <summary>
    /// The model of <paramref name="problem"/> with the weights of <paramref name="checkpoint"/> (a
    /// <c>model.safetensors</c> or <c>checkpoint.safetensors</c> of a run, or <see cref="Init"/> for the
    /// initialization drawn from <paramref name="seed"/>), converted to <paramref name="dtype"/>, in evaluation mode.
    /// </summary>
    /// <exception cref="ConfigurationException">The file does not exist, or it belongs to another problem.</exception>
    /// <exception cref="DataFormatException">The file is corrupt or does not hold this problem's model.</exception>
    public static AnalysedModel Load(Problem problem, string checkpoint, ulong seed, DType? dtype)
    {
        var model = problem.BuildModel(seed);
        if (!string.Equals(checkpoint, Init, StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(checkpoint))
                throw new ConfigurationException($"checkpoint '{checkpoint}' does not exist; give the model.safetensors or checkpoint.safetensors of a {problem.Name} run, or '{Init}' for the initialization.");
            var c = CheckpointFile.Load(checkpoint);
            if (c.RunState is not null && c.RunStateAs<RunState>().Spec?.Problem is { } other && other != problem.Name)
                throw new ConfigurationException($"checkpoint '{checkpoint}' is from problem {other}, not {problem.Name}; use --problem {other}.");
            try
            {
                model.LoadStateDict(c.Parameters);
            }
            catch (Exception e) when (e is DataFormatException or ShapeException)
            {
                throw new DataFormatException($"checkpoint '{checkpoint}' does not hold a {problem.Name} model ({e.Message}); give a checkpoint of a {problem.Name} run.", e);
            }
        }
        if (dtype is DType d) model.To(d);
        model.Eval();
        return new AnalysedModel(checkpoint, model);
    }

    /// <summary>The dtype for <c>--dtype auto|float32|float64</c>: auto is float64 up to 200,000 parameters
    /// (exact enough for tiny eigenvalues), float32 above (the speed of the training kernels).</summary>
    /// <exception cref="ConfigurationException">Another value.</exception>
    public static DType ResolveDType(string text, Problem problem)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "float64" or "double" or "f64": return DType.Float64;
            case "float32" or "float" or "f32": return DType.Float32;
            case "auto":
                int n = problem.BuildModel(0).ParameterCount;
                return n <= 200_000 ? DType.Float64 : DType.Float32;
            default: throw new ConfigurationException($"--dtype must be auto, float32 or float64, got '{text}'.");
        }
    }

    /// <summary>The first <paramref name="samples"/> examples of <paramref name="set"/> in chunks.</summary>
    /// <exception cref="ConfigurationException">Fewer than one sample or chunk.</exception>
    public static CurvatureData Examples(Dataset set, int samples, int chunk)
    {
        if (samples < 1) throw new ConfigurationException($"--samples must be at least 1, got {samples}.");
        if (chunk < 1) throw new ConfigurationException($"--chunk must be at least 1, got {chunk}.");
        return CurvatureData.FromDataset(set, samples, chunk);
    }

    /// <summary>The dtype's name for outputs.</summary>
    public static string Name(DType dtype) => dtype == DType.Float64 ? "float64" : "float32";
}

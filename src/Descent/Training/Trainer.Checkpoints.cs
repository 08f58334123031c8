using System.Reflection;
using Descent.Nn;
using Descent.Optim;
using Descent.Tensors;

namespace Descent.Training;

public sealed partial class Trainer
{
    /// <summary>Prefix of callback tensors among a checkpoint's optimizer tensors.</summary>
    public const string CallbackTensorPrefix = "callback/";

    /// <summary>Saves the latest checkpoint to the run directory (nothing without one).</summary>
    private void Save(int? keepEpoch = null)
    {
        SynchronizeBuffers();
        if (context.RunDirectory is { } dir) SaveCheckpoint(dir, CreateCheckpoint(), keepEpoch);
    }

    /// <summary>
    /// The run's state as a checkpoint: parameters and buffers (<see cref="Nn.Module.StateDict"/>), the optimizer's
    /// tensors, the callbacks' tensors (under <see cref="CallbackTensorPrefix"/>), and the run state
    /// (<see cref="RunState"/>) as JSON.
    /// </summary>
    public Checkpoint CreateCheckpoint()
    {
        var opt = parts.Optimizer.ExportState();
        var tensors = new Dictionary<string, Tensor>(opt.Tensors);
        var callbackScalars = new Dictionary<string, Dictionary<string, double>>();
        foreach (var c in callbacks)
        {
            if (c.ExportState() is not { } s) continue;
            callbackScalars[c.Name] = new Dictionary<string, double>(s.Scalars);
            foreach (var (k, t) in s.Tensors) tensors[$"{CallbackTensorPrefix}{c.Name}/{k}"] = t;
        }
        var state = new RunState
        {
            Spec = options.Spec,
            Epoch = context.Epoch,
            GlobalStep = context.GlobalStep,
            Sampler = parts.Sampler.State,
            Rngs = RandomStreams(parts.Model).ToDictionary(r => r.Path, r => r.Rng.GetState()),
            Optimizer = opt.Optimizer,
            OptimizerSettings = new Dictionary<string, string>(opt.Settings),
            OptimizerSchedule = opt.Schedule,
            OptimizerScalars = new Dictionary<string, double>(opt.Scalars),
            Callbacks = callbackScalars,
            History = [.. context.History],
            EpochLossSum = epochLossSum,
            EpochLossCount = epochLossCount,
            Seconds = context.Seconds,
            StoppedBecause = stoppedBecause,
            Processes = context.Communicator.Size,
        };
        return new Checkpoint { Parameters = parts.Model.StateDict(), Optimizer = tensors }.WithRunState(state);
    }

    /// <summary>
    /// Continues from <paramref name="checkpoint"/>: after this, <see cref="Run"/> takes exactly the steps the
    /// interrupted run would have taken, with the same bits.
    /// </summary>
    /// <exception cref="DataFormatException">The checkpoint does not fit these parts (another model, optimizer,
    /// sampler or data set size) or lacks state.</exception>
    public void Restore(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string where = checkpoint.Source ?? "checkpoint";
        var state = checkpoint.RunStateAs<RunState>();
        if (state.Sampler is null || state.Optimizer is null)
            throw new DataFormatException($"{where}: the run state lacks the sampler or optimizer state; it was not written by the trainer.");
        CheckProcesses(state.Processes, where);
        if (state.Optimizer != parts.Optimizer.Name)
            throw new DataFormatException($"{where} was saved by optimizer '{state.Optimizer}', not '{parts.Optimizer.Name}'; resume with --optimizer {state.Optimizer}.");
        parts.Model.LoadStateDict(checkpoint.Parameters, strict: true);
        var optTensors = checkpoint.Optimizer.Where(kv => !kv.Key.StartsWith(CallbackTensorPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        parts.Optimizer.ImportState(new OptimizerState(state.Optimizer, state.OptimizerSettings, state.OptimizerSchedule, optTensors, state.OptimizerScalars));
        parts.Sampler.Restore(state.Sampler);
        foreach (var (path, rng) in RandomStreams(parts.Model))
        {
            if (!state.Rngs.TryGetValue(path, out var s))
                throw new DataFormatException($"{where}: no state for the random stream of '{path}'; the checkpoint is for another model.");
            rng.SetState(s);
        }
        foreach (var c in callbacks)
        {
            string prefix = $"{CallbackTensorPrefix}{c.Name}/";
            var tensors = checkpoint.Optimizer.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            if (state.Callbacks.TryGetValue(c.Name, out var scalars) || tensors.Count > 0)
                c.ImportState(new CallbackState(scalars ?? [], tensors));
        }
        context.Epoch = state.Epoch;
        context.GlobalStep = state.GlobalStep;
        context.SetHistory(state.History);
        context.Seconds = state.Seconds;
        epochLossSum = state.EpochLossSum;
        epochLossCount = state.EpochLossCount;
        stoppedBecause = state.StoppedBecause;
    }

    /// <summary>Every random stream held by a module of <paramref name="model"/> (public <see cref="Rng"/>
    /// properties, e.g. <see cref="Dropout.Rng"/>), by module path and property name.</summary>
    internal static IEnumerable<(string Path, Rng Rng)> RandomStreams(Nn.Module model)
    {
        foreach (var (path, m) in model.NamedModules())
            foreach (var p in m.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (p.PropertyType == typeof(Rng) && p.GetIndexParameters().Length == 0 && p.GetValue(m) is Rng rng)
                    yield return ((path.Length == 0 ? "" : path + ".") + p.Name, rng);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>
/// What a trainer saves to resume a run: the model's state (parameters and buffers, as
/// <c>Module.StateDict()</c> names them), the optimizer's state tensors, the run state (step, schedule,
/// RNG and data-cursor state) as one JSON text, and free string metadata. <see cref="CheckpointFile"/>
/// stores it as one safetensors file.
/// </summary>
public sealed record Checkpoint
{
    private static readonly JsonSerializerOptions RunStateJson = new()
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Model state by dotted path (stored as <c>param/&lt;name&gt;</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>Optimizer state by name, e.g. <c>0.weight.exp_avg</c> (stored as <c>optim/&lt;name&gt;</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> Optimizer { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>The run state as JSON text (stored under <see cref="CheckpointFile.RunStateKey"/>), or null.
    /// Build it with <see cref="WithRunState{T}"/>, read it with <see cref="RunStateAs{T}"/>.</summary>
    public string? RunState { get; init; }

    /// <summary>Other string metadata (the keys <see cref="CheckpointFile"/> reserves are not allowed).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The file this checkpoint was loaded from, for messages; null for one built in memory.</summary>
    public string? Source { get; init; }

    /// <summary>True when it was loaded from a file whose checksums (<see cref="SafetensorsChecksums"/>) all
    /// matched; false for one built in memory or read from a file that records none (an older Descent's
    /// checkpoint, or a file from another program).</summary>
    public bool Verified { get; init; }

    /// <summary>A copy whose <see cref="RunState"/> is <paramref name="state"/> serialized with
    /// System.Text.Json (public properties and fields; NaN and infinities allowed).</summary>
    public Checkpoint WithRunState<T>(T state) => this with { RunState = JsonSerializer.Serialize(state, RunStateJson) };

    /// <summary>The run state deserialized as <typeparamref name="T"/>.</summary>
    /// <exception cref="DataFormatException">There is no run state, or it does not fit <typeparamref name="T"/>.</exception>
    public T RunStateAs<T>()
    {
        string where = Source ?? "checkpoint";
        if (RunState is null)
            throw new DataFormatException($"{where}: the checkpoint has no run state ('{CheckpointFile.RunStateKey}'); it cannot resume a run");
        try
        {
            return JsonSerializer.Deserialize<T>(RunState, RunStateJson)
                ?? throw new DataFormatException($"{where}: the run state is null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{where}: the run state does not match {typeof(T).Name}: {e.Message}", e);
        }
    }
}

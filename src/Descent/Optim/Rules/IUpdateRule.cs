using System.Numerics;
using Descent.Tensors;

namespace Descent.Optim.Rules;

/// <summary>
/// A gradient transformation in the style of Optax (<c>optax/_src/transform.py</c>): <see cref="Init(int, DType)"/>
/// makes its state (flat buffers as long as the parameter vector), <see cref="Update{T}"/> turns the incoming
/// updates (at first the gradient) into new updates, in place, and the caller adds the final updates to the
/// parameters: <c>θ ← θ + u</c>. Small rules compose with <see cref="Chain"/>; a named optimizer is a few
/// lines of composition (e.g. Adam = <c>Chain(ScaleByAdam, ScaleByLearningRate)</c>).
/// </summary>
/// <remarks>The named optimizers run fused single-pass kernels (<see cref="FusedRule"/>); their
/// <see cref="FusedRule.Reference"/> chains built from these rules are the readable definition the tests
/// check the kernels against.</remarks>
public interface IUpdateRule
{
    /// <summary>A short name for messages and state paths.</summary>
    string Name { get; }

    /// <summary>The state for <paramref name="count"/> parameters.</summary>
    RuleState Init(int count, DType dtype);

    /// <summary>The state for a model's flat parameters.</summary>
    RuleState Init(Nn.FlatParameters parameters) => Init(parameters.Count, parameters.DType);

    /// <summary>Transforms <paramref name="updates"/> in place. <paramref name="step"/> is the 1-based number
    /// of this update (bias corrections use it; schedules see <c>step − 1</c>).</summary>
    void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>A named flat state buffer.</summary>
/// <param name="Name">The buffer's name, e.g. <c>exp_avg</c> (PyTorch's names where they exist).</param>
/// <param name="Tensor">A 1-D tensor as long as the parameter vector.</param>
public sealed record StateBuffer(string Name, Tensor Tensor);

/// <summary>The state of an <see cref="IUpdateRule"/>: its flat buffers and, for a <see cref="Chain"/>, the
/// states of its parts.</summary>
/// <param name="Buffers">This rule's buffers.</param>
/// <param name="Children">The parts' states (chains only).</param>
public sealed record RuleState(IReadOnlyList<StateBuffer> Buffers, IReadOnlyList<RuleState> Children)
{
    /// <summary>A state with nothing in it (stateless rules).</summary>
    public static RuleState Empty { get; } = new([], []);

    /// <summary>Buffers of <paramref name="count"/> elements each, filled with <paramref name="fill"/>.</summary>
    public static RuleState Create(int count, DType dtype, IEnumerable<string> names, double fill = 0) =>
        new(names.Select(n => new StateBuffer(n, Filled(count, dtype, fill))).ToArray(), []);

    private static Tensor Filled(int count, DType dtype, double fill)
    {
        var t = Tensor.ZerosUnscoped(new Shape(count), dtype);
        if (fill != 0) t.Fill(fill);
        return t;
    }

    /// <summary>Buffer <paramref name="index"/> as a span.</summary>
    public Span<T> Span<T>(int index) where T : unmanaged => Buffers[index].Tensor.Span<T>();

    /// <summary>The buffer named <paramref name="name"/>.</summary>
    public Tensor this[string name] => Buffers.FirstOrDefault(b => b.Name == name)?.Tensor
        ?? throw new KeyNotFoundException($"No state buffer '{name}'; have [{string.Join(", ", Buffers.Select(b => b.Name))}].");

    /// <summary>Every buffer with its path (<c>name</c>, or <c>i.name</c> inside part i of a chain).</summary>
    public IEnumerable<(string Path, Tensor Tensor)> Flatten(string prefix = "")
    {
        foreach (var b in Buffers) yield return (prefix + b.Name, b.Tensor);
        for (int i = 0; i < Children.Count; i++)
            foreach (var x in Children[i].Flatten($"{prefix}{i}.")) yield return x;
    }

    /// <summary>Views of elements [offset, offset + length) of every buffer (no copy), for rules applied
    /// to one parameter group's range.</summary>
    public RuleState Slice(int offset, int length) => new(
        Buffers.Select(b => new StateBuffer(b.Name, b.Tensor.Narrow(0, offset, length))).ToArray(),
        Children.Select(c => c.Slice(offset, length)).ToArray());
}

/// <summary>Applies rules one after the other (Optax's <c>chain</c>).</summary>
public sealed class Chain : IUpdateRule
{
    private readonly IUpdateRule[] rules;

    /// <summary>Chains <paramref name="rules"/> in order.</summary>
    public Chain(params IUpdateRule[] rules) => this.rules = rules;

    /// <summary>The parts.</summary>
    public IReadOnlyList<IUpdateRule> Rules => rules;

    /// <inheritdoc />
    public string Name => string.Join(" → ", rules.Select(r => r.Name));

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => new([], rules.Select(r => r.Init(count, dtype)).ToArray());

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < rules.Length; i++) rules[i].Update(updates, state.Children[i], parameters, step);
    }
}

using System.Numerics;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>
/// An element-wise update rule, the one definition of an optimizer's arithmetic (in the style of Optax's
/// gradient transformations, <c>optax/_src/transform.py</c>). A rule turns the incoming update <c>u</c> (at
/// first the gradient g) into a new one, reading and writing its own state buffers and, rarely, the
/// parameter value x; after the last rule, <c>θ ← x + u</c>. Rules are structs composed with
/// <see cref="Chain{A, B}"/>: the JIT specializes the chain and inlines every rule, so a whole optimizer runs
/// as one fused pass over the flat parameter, gradient and state arrays, at any SIMD width
/// (<see cref="ISimd{TSelf, T}"/>). A named optimizer is a chain plus defaults (<see cref="OptimizerDefinition"/>).
/// </summary>
/// <remarks>
/// Life cycle: <see cref="Create"/> reads the validated settings once (typed values in fields);
/// <see cref="Bind"/> lists the state buffers; once per step <see cref="Prepare"/> computes the step's scalars
/// (bias corrections, the learning rate); <see cref="Apply"/> runs per vector of elements and must be
/// element-wise (the same result whatever the vector width, the thread split or the position in the buffer).
/// </remarks>
public unsafe interface IRule<TSelf> where TSelf : struct, IRule<TSelf>
{
    /// <summary>The keys the rule reads (the optimizer's help lists them), with the rule's defaults.</summary>
    static abstract IReadOnlyList<HyperparameterSpec> Keys { get; }

    /// <summary>Creates the rule from validated settings (which hold every key of <see cref="Keys"/>).</summary>
    static abstract TSelf Create(OptimizerSettings settings);

    /// <summary>Appends this rule's state buffers to <paramref name="slots"/> and remembers where its own
    /// start (their index is the buffer's position in the pointer array <see cref="Apply"/> receives).</summary>
    void Bind(List<StateSlot> slots);

    /// <summary>Appends the rule as formulas, for help texts (with this instance's options; a chain appends
    /// one line per part).</summary>
    void Describe(List<RuleText> lines);

    /// <summary>For Nesterov's original form: the buffer v whose <c>θ + α·v</c> is where the gradient must be
    /// taken (which makes the optimizer a search method); null otherwise.</summary>
    LookAhead? LookAhead { get; }

    /// <summary>Computes the scalars of one step (called once per step, before any <see cref="Apply"/>).</summary>
    void Prepare(in RuleStep step);

    /// <summary>After <see cref="Prepare"/>: the number this rule multiplies u by if that is all it does this
    /// step (the descent step's −μ; 1 for a rule that is idle this step, such as momentum 0); null for any
    /// other rule.</summary>
    double? Scalar { get; }

    /// <summary>After <see cref="Prepare"/>, asks the rule to multiply its output by <paramref name="factor"/>
    /// itself, inside its own expression, so that a chain ending in a scalar step computes exactly what
    /// torch.optim computes (e.g. Adam's <c>θ + (−μ/(1−β₁ᵗ))·m/denom</c>, with the learning rate folded into
    /// one constant). Returns false if the rule does not fold; the chain then applies the scalar rule itself.</summary>
    bool Fold(double factor);

    /// <summary>Transforms <paramref name="u"/> (and possibly <paramref name="x"/>) for the elements at
    /// offset <paramref name="i"/>; <paramref name="state"/>[k] + i addresses state buffer k.</summary>
    void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;
}

/// <summary>What a rule knows of the step it is preparing.</summary>
/// <param name="Step">The 1-based number of this update (bias corrections use it).</param>
/// <param name="LearningRate">The parameter group's learning rate for this step (base × schedule).</param>
public readonly record struct RuleStep(long Step, double LearningRate);

/// <summary>One flat state buffer of a rule.</summary>
/// <param name="Name">Its name in checkpoints (torch.optim's name where it has the same buffer, e.g. <c>exp_avg</c>).</param>
/// <param name="Initial">The value every element starts with.</param>
public readonly record struct StateSlot(string Name, double Initial = 0);

/// <summary>A look-ahead point <c>θ + Scale·v</c> for Nesterov's original form.</summary>
/// <param name="Buffer">The name of the state buffer v.</param>
/// <param name="Scale">The momentum α.</param>
public readonly record struct LookAhead(string Buffer, double Scale);

/// <summary>A rule as a formula, for help texts.</summary>
/// <param name="Name">The rule's name, e.g. <c>scale_by_adam</c>.</param>
/// <param name="Formula">What it does, in the course's notation (u is the update, g the gradient, θ the parameters).</param>
/// <param name="Citation">Where it comes from, or null.</param>
public readonly record struct RuleText(string Name, string Formula, string? Citation = null);

/// <summary>Helpers for writing rules.</summary>
public static class Rule
{
    /// <summary>A double constant in every lane, rounded once to the element type (as torch.optim rounds
    /// Python scalars).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static TV K<TV, T>(double x)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Splat(T.CreateTruncating(x));

    /// <summary>Loads the vector of state buffer <paramref name="slot"/> at offset <paramref name="i"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static unsafe TV Load<TV, T>(T** state, int slot, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Load(state[slot] + i);

    /// <summary>Stores <paramref name="v"/> into state buffer <paramref name="slot"/> at offset <paramref name="i"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<TV, T>(TV v, T** state, int slot, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => TV.Store(v, state[slot] + i);

    /// <summary>A moving average kept in state buffer <paramref name="slot"/>: <c>s ← β·s + w·x</c> (stored, and
    /// returned), with w = 1 − β for an exponential moving average.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static unsafe TV Average<TV, T>(T** state, int slot, nint i, double beta, double weight, TV x)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s = TV.Load(state[slot] + i) * K<TV, T>(beta) + K<TV, T>(weight) * x;
        TV.Store(s, state[slot] + i);
        return s;
    }

    /// <summary>Adds <paramref name="names"/> to <paramref name="slots"/> and returns the index of the first.</summary>
    public static int Add(List<StateSlot> slots, params StateSlot[] names)
    {
        int first = slots.Count;
        slots.AddRange(names);
        return first;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using Descent.Optim.Fused;

namespace Descent.Optim.Rules;

/// <summary>Two rules applied one after the other (Optax's <c>chain</c>), fused: the JIT inlines both into
/// one loop body. Keys are the union of the parts' keys (the first part's spec wins for a shared key).</summary>
public unsafe struct Chain<A, B> : IRule<Chain<A, B>>
    where A : struct, IRule<A>
    where B : struct, IRule<B>
{
    private static readonly IReadOnlyList<HyperparameterSpec> keys = ChainKeys.Merge(A.Keys, B.Keys);
    private A a;
    private B b;
    private bool skipB;

    /// <summary>Chains <paramref name="first"/> and <paramref name="second"/>.</summary>
    public Chain(A first, B second) { a = first; b = second; }

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys => keys;

    /// <inheritdoc />
    public static Chain<A, B> Create(OptimizerSettings settings) => new(A.Create(settings), B.Create(settings));

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { a.Bind(slots); b.Bind(slots); }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) { a.Describe(lines); b.Describe(lines); }

    /// <inheritdoc />
    public LookAhead? LookAhead => a.LookAhead ?? b.LookAhead;

    /// <inheritdoc />
    public void Prepare(in RuleStep step)
    {
        a.Prepare(step);
        b.Prepare(step);
        skipB = b.Scalar is double f && f != 1 && a.Fold(f);
    }

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor) => !skipB && (b.Scalar == 1 ? a.Fold(factor) : b.Fold(factor));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        a.Apply(ref u, ref x, state, i);
        if (!skipB) b.Apply(ref u, ref x, state, i);
    }
}

/// <summary>Three rules applied in order, fused (see <see cref="Chain{A, B}"/>).</summary>
public unsafe struct Chain<A, B, C> : IRule<Chain<A, B, C>>
    where A : struct, IRule<A>
    where B : struct, IRule<B>
    where C : struct, IRule<C>
{
    private static readonly IReadOnlyList<HyperparameterSpec> keys = ChainKeys.Merge(A.Keys, B.Keys, C.Keys);
    private A a;
    private B b;
    private C c;
    private bool skipC;

    /// <summary>Chains the three rules.</summary>
    public Chain(A first, B second, C third) { a = first; b = second; c = third; }

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys => keys;

    /// <inheritdoc />
    public static Chain<A, B, C> Create(OptimizerSettings settings) => new(A.Create(settings), B.Create(settings), C.Create(settings));

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { a.Bind(slots); b.Bind(slots); c.Bind(slots); }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) { a.Describe(lines); b.Describe(lines); c.Describe(lines); }

    /// <inheritdoc />
    public LookAhead? LookAhead => a.LookAhead ?? b.LookAhead ?? c.LookAhead;

    /// <inheritdoc />
    public void Prepare(in RuleStep step)
    {
        a.Prepare(step);
        b.Prepare(step);
        c.Prepare(step);
        // Fold a final scalar step into the nearest rule before it that is not idle this step.
        skipC = c.Scalar is double f && f != 1 && (b.Scalar == 1 ? a.Fold(f) : b.Fold(f));
    }

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor) => !skipC && (c.Scalar != 1 ? c.Fold(factor) : b.Scalar != 1 ? b.Fold(factor) : a.Fold(factor));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        a.Apply(ref u, ref x, state, i);
        b.Apply(ref u, ref x, state, i);
        if (!skipC) c.Apply(ref u, ref x, state, i);
    }
}

/// <summary>Four rules applied in order, fused (see <see cref="Chain{A, B}"/>); nest chains for more.</summary>
public unsafe struct Chain<A, B, C, D> : IRule<Chain<A, B, C, D>>
    where A : struct, IRule<A>
    where B : struct, IRule<B>
    where C : struct, IRule<C>
    where D : struct, IRule<D>
{
    private static readonly IReadOnlyList<HyperparameterSpec> keys = ChainKeys.Merge(A.Keys, B.Keys, C.Keys, D.Keys);
    private A a;
    private B b;
    private C c;
    private D d;
    private bool skipD;

    /// <summary>Chains the four rules.</summary>
    public Chain(A first, B second, C third, D fourth) { a = first; b = second; c = third; d = fourth; }

    /// <inheritdoc />
    public static IReadOnlyList<HyperparameterSpec> Keys => keys;

    /// <inheritdoc />
    public static Chain<A, B, C, D> Create(OptimizerSettings settings) =>
        new(A.Create(settings), B.Create(settings), C.Create(settings), D.Create(settings));

    /// <inheritdoc />
    public void Bind(List<StateSlot> slots) { a.Bind(slots); b.Bind(slots); c.Bind(slots); d.Bind(slots); }

    /// <inheritdoc />
    public void Describe(List<RuleText> lines) { a.Describe(lines); b.Describe(lines); c.Describe(lines); d.Describe(lines); }

    /// <inheritdoc />
    public LookAhead? LookAhead => a.LookAhead ?? b.LookAhead ?? c.LookAhead ?? d.LookAhead;

    /// <inheritdoc />
    public void Prepare(in RuleStep step)
    {
        a.Prepare(step);
        b.Prepare(step);
        c.Prepare(step);
        d.Prepare(step);
        // Fold a final scalar step into the nearest rule before it that is not idle this step.
        skipD = d.Scalar is double f && f != 1 && (c.Scalar != 1 ? c.Fold(f) : b.Scalar != 1 ? b.Fold(f) : a.Fold(f));
    }

    /// <inheritdoc />
    public double? Scalar => null;

    /// <inheritdoc />
    public bool Fold(double factor) =>
        !skipD && (d.Scalar != 1 ? d.Fold(factor) : c.Scalar != 1 ? c.Fold(factor) : b.Scalar != 1 ? b.Fold(factor) : a.Fold(factor));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply<TV, T>(ref TV u, ref TV x, T** state, nint i)
        where TV : struct, ISimd<TV, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        a.Apply(ref u, ref x, state, i);
        b.Apply(ref u, ref x, state, i);
        c.Apply(ref u, ref x, state, i);
        if (!skipD) d.Apply(ref u, ref x, state, i);
    }
}

/// <summary>The keys of a chain: the parts' keys in order, each key once (the first spec wins).</summary>
internal static class ChainKeys
{
    public static IReadOnlyList<HyperparameterSpec> Merge(params IReadOnlyList<HyperparameterSpec>[] parts)
    {
        var result = new List<HyperparameterSpec>();
        foreach (var part in parts)
            foreach (var k in part)
                if (!result.Any(r => r.Key == k.Key)) result.Add(k);
        return result;
    }
}

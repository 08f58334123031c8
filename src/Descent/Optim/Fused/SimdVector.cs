using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Optim.Fused;

/// <summary>
/// The vector operations an element-wise update rule needs, as static abstract members, so one generic rule
/// body compiles to straight AVX-512 code (<see cref="V512{T}"/>), AVX2 code (<see cref="V256{T}"/>) or
/// plain scalar code (<see cref="Scalar{T}"/>): the JIT specializes generic methods over structs, so there
/// is no indirection. Every operation is correctly rounded per lane (no fused multiply-add), so the three
/// widths give the same bits.
/// </summary>
public unsafe interface ISimd<TSelf, T>
    where TSelf : struct, ISimd<TSelf, T>
    where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads <see cref="Count"/> elements from <paramref name="p"/>.</summary>
    static abstract TSelf Load(T* p);

    /// <summary>Stores <see cref="Count"/> elements at <paramref name="p"/>.</summary>
    static abstract void Store(TSelf v, T* p);

    /// <summary>Every lane set to <paramref name="x"/>.</summary>
    static abstract TSelf Splat(T x);

    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>Lane-wise quotient.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>Lane-wise square root.</summary>
    static abstract TSelf Sqrt(TSelf a);

    /// <summary>Lane-wise maximum.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    /// <summary>Lane-wise minimum.</summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>Lane-wise absolute value.</summary>
    static abstract TSelf Abs(TSelf a);

    /// <summary>−1, 0 or +1 per lane (0 for ±0; NaN lanes give 0).</summary>
    static abstract TSelf Sign(TSelf a);
}

/// <summary>A 512-bit vector of <typeparamref name="T"/> (16 floats or 8 doubles).</summary>
public readonly unsafe struct V512<T> : ISimd<V512<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector512<T> v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V512(Vector512<T> value) => v = value;

    /// <inheritdoc />
    public static int Count => Vector512<T>.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Load(T* p) => new(Vector512.Load(p));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512<T> x, T* p) => x.v.Store(p);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Splat(T x) => new(Vector512.Create(x));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator +(V512<T> a, V512<T> b) => new(a.v + b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator -(V512<T> a, V512<T> b) => new(a.v - b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator *(V512<T> a, V512<T> b) => new(a.v * b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator /(V512<T> a, V512<T> b) => new(a.v / b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Sqrt(V512<T> a) => new(Vector512.Sqrt(a.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Max(V512<T> a, V512<T> b) => new(Vector512.Max(a.v, b.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Min(V512<T> a, V512<T> b) => new(Vector512.Min(a.v, b.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Abs(V512<T> a) => new(Vector512.Abs(a.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Sign(V512<T> a)
    {
        var one = Vector512<T>.One;
        var zero = Vector512<T>.Zero;
        return new(Vector512.ConditionalSelect(Vector512.GreaterThan(a.v, zero), one, zero)
                 - Vector512.ConditionalSelect(Vector512.LessThan(a.v, zero), one, zero));
    }
}

/// <summary>A 256-bit vector of <typeparamref name="T"/> (8 floats or 4 doubles), for CPUs without AVX-512.</summary>
public readonly unsafe struct V256<T> : ISimd<V256<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Vector256<T> v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V256(Vector256<T> value) => v = value;

    /// <inheritdoc />
    public static int Count => Vector256<T>.Count;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Load(T* p) => new(Vector256.Load(p));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256<T> x, T* p) => x.v.Store(p);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Splat(T x) => new(Vector256.Create(x));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator +(V256<T> a, V256<T> b) => new(a.v + b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator -(V256<T> a, V256<T> b) => new(a.v - b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator *(V256<T> a, V256<T> b) => new(a.v * b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator /(V256<T> a, V256<T> b) => new(a.v / b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Sqrt(V256<T> a) => new(Vector256.Sqrt(a.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Max(V256<T> a, V256<T> b) => new(Vector256.Max(a.v, b.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Min(V256<T> a, V256<T> b) => new(Vector256.Min(a.v, b.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Abs(V256<T> a) => new(Vector256.Abs(a.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Sign(V256<T> a)
    {
        var one = Vector256<T>.One;
        var zero = Vector256<T>.Zero;
        return new(Vector256.ConditionalSelect(Vector256.GreaterThan(a.v, zero), one, zero)
                 - Vector256.ConditionalSelect(Vector256.LessThan(a.v, zero), one, zero));
    }
}

/// <summary>One element: the same rule body run one element at a time (the plain reference the vector
/// widths are tested against, and the path for CPUs without AVX2).</summary>
public readonly unsafe struct Scalar<T> : ISimd<Scalar<T>, T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Scalar(T value) => v = value;

    /// <inheritdoc />
    public static int Count => 1;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Load(T* p) => new(*p);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Scalar<T> x, T* p) => *p = x.v;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Splat(T x) => new(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> operator +(Scalar<T> a, Scalar<T> b) => new(a.v + b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> operator -(Scalar<T> a, Scalar<T> b) => new(a.v - b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> operator *(Scalar<T> a, Scalar<T> b) => new(a.v * b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> operator /(Scalar<T> a, Scalar<T> b) => new(a.v / b.v);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Sqrt(Scalar<T> a) => new(T.Sqrt(a.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Max(Scalar<T> a, Scalar<T> b) => new(MaxLikeVector(a.v, b.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Min(Scalar<T> a, Scalar<T> b) => new(MinLikeVector(a.v, b.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Abs(Scalar<T> a) => new(T.Abs(a.v));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Scalar<T> Sign(Scalar<T> a) => new(a.v > T.Zero ? T.One : a.v < T.Zero ? -T.One : T.Zero);

    // Vector512.Max/Min follow IEEE 754:2019 maximum/minimum (NaN propagates, +0 > −0), as T.Max/T.Min do.
    private static T MaxLikeVector(T a, T b) => T.Max(a, b);

    private static T MinLikeVector(T a, T b) => T.Min(a, b);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Descent.Optim.Fused;

/// <summary>
/// The vector operations a fused optimizer kernel needs, as static abstract members so one generic kernel
/// body compiles to straight AVX-512 code (<see cref="V512{T}"/>) or AVX2 code (<see cref="V256{T}"/>):
/// the JIT specializes generic methods over structs, so there is no indirection.
/// </summary>
internal interface ISimd<TSelf, T>
    where TSelf : struct, ISimd<TSelf, T>
    where T : unmanaged
{
    static abstract int Count { get; }
    static abstract TSelf Load(ref T p, nint i);
    static abstract void Store(TSelf v, ref T p, nint i);
    static abstract TSelf Splat(T x);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf Sqrt(TSelf a);
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf Min(TSelf a, TSelf b);
    static abstract TSelf Abs(TSelf a);

    /// <summary>−1, 0 or +1 per lane (0 for ±0; NaN lanes give 0).</summary>
    static abstract TSelf Sign(TSelf a);
}

/// <summary>A 512-bit vector of <typeparamref name="T"/> (16 floats or 8 doubles).</summary>
internal readonly struct V512<T> : ISimd<V512<T>, T> where T : unmanaged
{
    private readonly Vector512<T> v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V512(Vector512<T> value) => v = value;

    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Load(ref T p, nint i) => new(Vector512.LoadUnsafe(ref p, (nuint)i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512<T> x, ref T p, nint i) => x.v.StoreUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Splat(T x) => new(Vector512.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator +(V512<T> a, V512<T> b) => new(a.v + b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator -(V512<T> a, V512<T> b) => new(a.v - b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator *(V512<T> a, V512<T> b) => new(a.v * b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> operator /(V512<T> a, V512<T> b) => new(a.v / b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Sqrt(V512<T> a) => new(Vector512.Sqrt(a.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Max(V512<T> a, V512<T> b) => new(Vector512.Max(a.v, b.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Min(V512<T> a, V512<T> b) => new(Vector512.Min(a.v, b.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512<T> Abs(V512<T> a) => new(Vector512.Abs(a.v));

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
internal readonly struct V256<T> : ISimd<V256<T>, T> where T : unmanaged
{
    private readonly Vector256<T> v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private V256(Vector256<T> value) => v = value;

    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Load(ref T p, nint i) => new(Vector256.LoadUnsafe(ref p, (nuint)i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256<T> x, ref T p, nint i) => x.v.StoreUnsafe(ref p, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Splat(T x) => new(Vector256.Create(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator +(V256<T> a, V256<T> b) => new(a.v + b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator -(V256<T> a, V256<T> b) => new(a.v - b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator *(V256<T> a, V256<T> b) => new(a.v * b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> operator /(V256<T> a, V256<T> b) => new(a.v / b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Sqrt(V256<T> a) => new(Vector256.Sqrt(a.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Max(V256<T> a, V256<T> b) => new(Vector256.Max(a.v, b.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Min(V256<T> a, V256<T> b) => new(Vector256.Min(a.v, b.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Abs(V256<T> a) => new(Vector256.Abs(a.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256<T> Sign(V256<T> a)
    {
        var one = Vector256<T>.One;
        var zero = Vector256<T>.Zero;
        return new(Vector256.ConditionalSelect(Vector256.GreaterThan(a.v, zero), one, zero)
                 - Vector256.ConditionalSelect(Vector256.LessThan(a.v, zero), one, zero));
    }
}

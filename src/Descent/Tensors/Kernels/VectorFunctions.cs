using System.Numerics;

namespace Descent.Tensors.Kernels;

/// <summary>An element-wise function written once for <see cref="Vector{T}"/> lanes (float or double).</summary>
internal interface IVectorFunction
{
    static abstract Vector<T> Apply<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The loop shared by the element-wise functions <c>TensorPrimitives</c> has no vector form of: whole vectors
/// through <see cref="IVectorFunction.Apply{T}"/>, the tail through the op's scalar definition
/// (<see cref="UnaryKernels.Scalar{T}"/>), plus the typed vector exponential, logarithm and floor they use.
/// </summary>
internal static class VectorFunctions
{
    /// <summary>d = f(x) for the op <paramref name="op"/> that <typeparamref name="TF"/> computes.</summary>
    public static void Map<TF, T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> d)
        where TF : struct, IVectorFunction
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = d.Length, w = Vector<T>.Count, i = 0;
        for (; i + w <= n; i += w) TF.Apply(new Vector<T>(x.Slice(i, w))).CopyTo(d.Slice(i, w));
        for (; i < n; i++) d[i] = UnaryKernels.Scalar(op, x[i]);
    }

    /// <summary>eᵛ (float or double lanes).</summary>
    public static Vector<T> Exp<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector.Exp(v.As<T, float>()).As<float, T>() : Vector.Exp(v.As<T, double>()).As<double, T>();

    /// <summary>ln v (float or double lanes).</summary>
    public static Vector<T> Log<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector.Log(v.As<T, float>()).As<float, T>() : Vector.Log(v.As<T, double>()).As<double, T>();

    /// <summary>⌊v⌋ (float or double lanes).</summary>
    public static Vector<T> Floor<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? Vector.Floor(v.As<T, float>()).As<float, T>() : Vector.Floor(v.As<T, double>()).As<double, T>();
}

namespace Descent.Tensors;

/// <summary>The element type of a tensor: 32-bit <c>float</c> (the default, for training) or 64-bit
/// <c>double</c> (for gradient checks, Newton steps on small models and Hessian analysis).</summary>
public enum DType
{
    /// <summary>IEEE 754 single precision (<see cref="float"/>).</summary>
    Float32,

    /// <summary>IEEE 754 double precision (<see cref="double"/>).</summary>
    Float64,
}

/// <summary>Helpers for <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>Size of one element in bytes.</summary>
    public static int ElementSize(this DType dtype) => dtype == DType.Float32 ? 4 : 8;

    /// <summary>The short name used in messages and files: <c>float32</c> or <c>float64</c>.</summary>
    public static string Name(this DType dtype) => dtype == DType.Float32 ? "float32" : "float64";

    /// <summary>The dtype of a CLR element type (<see cref="float"/> or <see cref="double"/>).</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : throw new NotSupportedException($"Tensors hold float or double, not {typeof(T).Name}.");
}

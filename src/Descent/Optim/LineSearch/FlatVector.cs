using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Optim.LineSearch;

/// <summary>
/// Vector arithmetic on flat parameter-sized tensors (float32 or float64) for the search methods: dot
/// products and norms accumulate in double (float32 in blocks of 4,096 elements, so a million-parameter
/// dot product keeps about seven significant digits), updates run through <see cref="TP"/>.
/// </summary>
internal static class FlatVector
{
    private const int Block = 4096;

    /// <summary>A new zero vector of <paramref name="count"/> elements that outlives tensor scopes.</summary>
    public static Tensor Zeros(int count, DType dtype) => Tensor.ZerosUnscoped(new Shape(count), dtype);

    /// <summary>aᵀb.</summary>
    public static double Dot(Tensor a, Tensor b)
    {
        if (a.Size != b.Size) throw new ShapeException($"Dot: {a.Size} and {b.Size} elements.");
        if (a.DType != b.DType) throw new ShapeException($"Dot: {a.DType.Name()} and {b.DType.Name()}.");
        if (a.DType == DType.Float64) return TP.Dot(a.Doubles, b.Doubles);
        var x = a.Floats;
        var y = b.Floats;
        double s = 0;
        for (int i = 0; i < x.Length; i += Block)
        {
            int n = Math.Min(Block, x.Length - i);
            s += TP.Dot(x.Slice(i, n), y.Slice(i, n));
        }
        return s;
    }

    /// <summary>‖a‖₂.</summary>
    public static double Norm(Tensor a) => Math.Sqrt(Dot(a, a));

    /// <summary>y ← y + α·x.</summary>
    public static void Axpy(double alpha, Tensor x, Tensor y) => y.AddInPlace(x, alpha);

    /// <summary>dst ← origin + α·direction.</summary>
    public static void SetRay(Tensor dst, Tensor origin, double alpha, Tensor direction)
    {
        if (dst.DType == DType.Float32) TP.MultiplyAdd(direction.Floats, (float)alpha, origin.Floats, dst.Floats);
        else TP.MultiplyAdd(direction.Doubles, alpha, origin.Doubles, dst.Doubles);
    }

    /// <summary>dst ← a − b.</summary>
    public static void Subtract(Tensor a, Tensor b, Tensor dst)
    {
        if (dst.DType == DType.Float32) TP.Subtract(a.Floats, b.Floats, dst.Floats);
        else TP.Subtract(a.Doubles, b.Doubles, dst.Doubles);
    }

    /// <summary>dst ← α·x + β·y.</summary>
    public static void Combine(double alpha, Tensor x, double beta, Tensor y, Tensor dst)
    {
        if (dst.DType == DType.Float32)
        {
            TP.Multiply(y.Floats, (float)beta, dst.Floats);
            TP.MultiplyAdd(x.Floats, (float)alpha, dst.Floats, dst.Floats);
        }
        else
        {
            TP.Multiply(y.Doubles, beta, dst.Doubles);
            TP.MultiplyAdd(x.Doubles, alpha, dst.Doubles, dst.Doubles);
        }
    }

    /// <summary>True if the two vectors hold the same bits.</summary>
    public static bool SameValues(Tensor a, Tensor b) => a.DType == DType.Float32
        ? a.Floats.SequenceEqual(b.Floats)
        : a.Doubles.SequenceEqual(b.Doubles);

    /// <summary>The vector as doubles (a copy).</summary>
    public static double[] ToDoubles(Tensor a) => a.ToDoubleArray();

    /// <summary>Writes doubles into a vector (converted to its dtype).</summary>
    public static void FromDoubles(ReadOnlySpan<double> values, Tensor dst)
    {
        if (dst.DType == DType.Float64) values.CopyTo(dst.Doubles);
        else
        {
            var d = dst.Floats;
            for (int i = 0; i < d.Length; i++) d[i] = (float)values[i];
        }
    }
}

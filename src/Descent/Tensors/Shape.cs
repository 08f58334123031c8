using System.Text;

namespace Descent.Tensors;

/// <summary>
/// The dimensions of a dense, row-major tensor. Immutable; compares by value.
/// A scalar has rank 0 and size 1.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? dims;

    /// <summary>Creates a shape from its dimensions (each must be non-negative).</summary>
    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new ShapeException($"Negative dimension in shape {Format(dims)}.");
        this.dims = (int[])dims.Clone();
        long size = 1;
        foreach (var d in dims)
        {
            size *= d;
            if (size > int.MaxValue) throw new ShapeException($"Shape {Format(dims)} has more than 2^31 elements.");
        }
    }

    /// <summary>A shape of rank 0 (a scalar).</summary>
    public static Shape Scalar => new([]);

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims?.Length ?? 0;

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis)];

    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<int> Dims => dims ?? [];

    /// <summary>Total number of elements (the product of the dimensions).</summary>
    public int Size
    {
        get
        {
            int s = 1;
            foreach (var d in Dims) s *= d;
            return s;
        }
    }

    /// <summary>A copy of the dimensions as an array.</summary>
    public int[] ToArray() => Dims.ToArray();

    /// <summary>Turns a possibly negative axis into an index in [0, Rank); throws naming the shape otherwise.</summary>
    public int NormalizeAxis(int axis)
    {
        int r = Rank;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) throw new ShapeException($"Axis {axis} is out of range for shape {this}.");
        return a;
    }

    /// <summary>Row-major strides (in elements) of a contiguous tensor of this shape.</summary>
    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= Dims[i];
        }
        return s;
    }

    /// <summary>The NumPy broadcast of two shapes; throws a <see cref="ShapeException"/> naming both.</summary>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (a.Equals(b)) return a;
        int r = Math.Max(a.Rank, b.Rank);
        var o = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Rank ? 1 : a.Dims[i - (r - a.Rank)];
            int db = i < r - b.Rank ? 1 : b.Dims[i - (r - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            o[i] = da == 1 ? db : da;
        }
        return new Shape(o);
    }

    /// <summary>True if this shape broadcasts to <paramref name="target"/>.</summary>
    public bool BroadcastsTo(Shape target)
    {
        if (Rank > target.Rank) return false;
        int off = target.Rank - Rank;
        for (int i = 0; i < Rank; i++)
            if (Dims[i] != 1 && Dims[i] != target.Dims[i + off]) return false;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Shapes convert from dimension arrays.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>Formats as <c>[2, 3]</c>.</summary>
    public override string ToString() => Format(Dims);

    internal static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i]);
        }
        return sb.Append(']').ToString();
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Descent.Autograd;

namespace Descent.Tensors;

/// <summary>
/// A dense, row-major, contiguous array of <c>float</c> or <c>double</c> that records the operations
/// applied to it (define-by-run) so that gradients — and gradients of gradients — can be computed.
/// Element-wise operations broadcast like NumPy. Operations are methods (<c>x.MatMul(w).Relu()</c>),
/// static functions and operators (<c>a + b</c>, <c>2 * x</c>).
/// </summary>
public partial class Tensor
{
    internal Storage storage;
    internal int offset;
    private bool requiresGrad;

    internal Tensor(Storage storage, int offset, Shape shape)
    {
        this.storage = storage;
        this.offset = offset;
        Shape = shape;
        Size = shape.Size;
        if (offset < 0 || offset + Size > storage.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"View [{offset}, {offset + Size}) outside storage of length {storage.Length}.");
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; private set; }

    /// <summary>Number of elements.</summary>
    public int Size { get; private set; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Element type.</summary>
    public DType DType => storage.DType;

    /// <summary>An optional name, shown in messages (parameters carry theirs).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (inputs, parameters); results of
    /// operations on such tensors require gradients automatically while recording is on.
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException("RequiresGrad can only be cleared on leaf tensors; use Detach() instead.");
            requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward"/> (null before).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded operation that produced this tensor, or null for a leaf.</summary>
    internal Node? GradFn { get; set; }

    /// <summary>True for tensors not produced by a recorded operation (inputs, parameters, constants).</summary>
    public bool IsLeaf => GradFn is null;

    internal void MarkRecorded(Node node)
    {
        GradFn = node;
        requiresGrad = true;
    }

    // ---- raw data access -------------------------------------------------------------------

    /// <summary>The elements as a span (no copy). <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    public Span<T> Span<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (DType != DType.Float32) throw WrongType<T>();
            var s = storage.Floats.AsSpan(offset, Size);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<float, T>(s);
        }
        if (typeof(T) == typeof(double))
        {
            if (DType != DType.Float64) throw WrongType<T>();
            var s = storage.Doubles.AsSpan(offset, Size);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<double, T>(s);
        }
        throw WrongType<T>();
    }

    /// <summary>The float elements (no copy); the tensor must be <see cref="DType.Float32"/>.</summary>
    public Span<float> Floats => Span<float>();

    /// <summary>The double elements (no copy); the tensor must be <see cref="DType.Float64"/>.</summary>
    public Span<double> Doubles => Span<double>();

    internal float[] FloatArray => storage.Floats;

    internal double[] DoubleArray => storage.Doubles;

    internal int Offset => offset;

    /// <summary>A reference to the first element, for kernels that work with pointers.</summary>
    internal ref T First<T>() where T : unmanaged => ref System.Runtime.InteropServices.MemoryMarshal.GetReference(Span<T>());

    private InvalidOperationException WrongType<T>() =>
        new($"Tensor{(Name is null ? "" : " '" + Name + "'")} holds {DType.Name()}, not {typeof(T).Name}.");

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Size != 1) throw new ShapeException($"Item() needs a tensor with one element, got shape {Shape}.");
        return DType == DType.Float32 ? storage.Floats[offset] : storage.Doubles[offset];
    }

    /// <summary>A copy of the elements as floats (converting doubles).</summary>
    public float[] ToArray()
    {
        if (DType == DType.Float32) return Floats.ToArray();
        var d = Doubles;
        var r = new float[d.Length];
        for (int i = 0; i < d.Length; i++) r[i] = (float)d[i];
        return r;
    }

    /// <summary>A copy of the elements as doubles (converting floats).</summary>
    public double[] ToDoubleArray()
    {
        if (DType == DType.Float64) return Doubles.ToArray();
        var f = Floats;
        var r = new double[f.Length];
        for (int i = 0; i < f.Length; i++) r[i] = f[i];
        return r;
    }

    /// <summary>The element at a multi-index (for tests and small tensors; slow).</summary>
    [IndexerName("Element")]
    public double this[params int[] index]
    {
        get
        {
            int flat = FlatIndex(index);
            return DType == DType.Float32 ? storage.Floats[offset + flat] : storage.Doubles[offset + flat];
        }
        set
        {
            CheckWritable();
            int flat = FlatIndex(index);
            if (DType == DType.Float32) storage.Floats[offset + flat] = (float)value;
            else storage.Doubles[offset + flat] = value;
        }
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
            throw new ShapeException($"Index of rank {index.Length} for a tensor of shape {Shape}.");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            int d = Shape.Dims[i];
            int k = index[i] < 0 ? index[i] + d : index[i];
            if (k < 0 || k >= d) throw new ShapeException($"Index {index[i]} out of range for dimension {i} of shape {Shape}.");
            flat = flat * d + k;
        }
        return flat;
    }

    /// <summary>Throws if an in-place change would corrupt recorded gradients.</summary>
    internal void CheckWritable()
    {
        if (RequiresGrad && GradMode.IsEnabled)
            throw new InvalidOperationException(
                $"In-place change of a tensor that requires gradients{(Name is null ? "" : " ('" + Name + "')")} while recording; wrap it in Autograd.NoGrad().");
    }

    /// <summary>Keeps this tensor's memory alive after the enclosing <see cref="TensorScope"/> ends.</summary>
    public Tensor Escape()
    {
        storage.Escaped = true;
        return this;
    }

    /// <summary>True if both tensors view the same memory.</summary>
    public bool SharesStorageWith(Tensor other) => ReferenceEquals(storage, other.storage);

    /// <summary>Prints shape, dtype and (for small tensors) the values.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(Shape).Append(' ').Append(DType.Name());
        if (RequiresGrad) sb.Append(" requires_grad");
        if (storage.Released) return sb.Append(" (released)").ToString();
        if (Size <= 64)
        {
            sb.Append(" [");
            var v = ToDoubleArray();
            for (int i = 0; i < v.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(v[i].ToString("G6", CultureInfo.InvariantCulture));
            }
            sb.Append(']');
        }
        return sb.ToString();
    }

    /// <summary>Changes shape and storage in place (internal: used when binding parameters to flat buffers).</summary>
    internal void Rebind(Storage newStorage, int newOffset)
    {
        if (newStorage.DType != storage.DType) throw new InvalidOperationException("Rebind must keep the dtype.");
        if (newOffset + Size > newStorage.Length) throw new ArgumentOutOfRangeException(nameof(newOffset));
        storage = newStorage;
        offset = newOffset;
    }

    /// <summary>Takes over the memory of <paramref name="source"/> (same shape; the dtype may change).</summary>
    internal void ReplaceStorage(Tensor source)
    {
        if (source.Shape != Shape) throw new ShapeException($"ReplaceStorage: shape {source.Shape} for {Shape}.");
        storage = source.storage;
        offset = source.offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SameDType(Tensor a, Tensor b, string op)
    {
        if (a.DType != b.DType)
            throw new DescentException($"{op}: dtypes differ ({a.DType.Name()} {a.Shape} and {b.DType.Name()} {b.Shape}); convert one with To().");
    }
}

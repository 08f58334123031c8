namespace Descent.Tensors;

/// <summary>
/// The memory behind one or more tensors: a <c>float[]</c> or <c>double[]</c>. Views (reshapes, row
/// slices, parameters inside the flat parameter buffer) share one storage at different offsets.
/// Storage rented inside a <see cref="TensorScope"/> goes back to the <see cref="TensorPool"/> when
/// the scope ends; using it afterwards throws.
/// </summary>
internal sealed class Storage
{
    private float[]? floats;
    private double[]? doubles;

    public Storage(float[] data) { floats = data; DType = DType.Float32; Length = data.Length; }

    public Storage(double[] data) { doubles = data; DType = DType.Float64; Length = data.Length; }

    public DType DType { get; }

    public int Length { get; }

    /// <summary>True once the memory went back to the pool (its tensors may no longer be used).</summary>
    public bool Released => floats is null && doubles is null;

    /// <summary>True when the scope that rented this storage must leave it alone (the tensor escaped).</summary>
    public bool Escaped { get; set; }

    public float[] Floats => floats ?? throw Invalid(DType.Float32);

    public double[] Doubles => doubles ?? throw Invalid(DType.Float64);

    /// <summary>Forgets the array (after it was returned to the pool).</summary>
    public void Release() { floats = null; doubles = null; }

    /// <summary>Points the storage at a new array of the same type (used when re-binding memory).</summary>
    public Array Array => (Array?)floats ?? doubles ?? throw Invalid(DType);

    private Exception Invalid(DType wanted) => Released
        ? new ObjectDisposedException("Tensor", "This tensor's memory was returned to the pool when its TensorScope ended. Clone it with Escape() inside the scope to keep it.")
        : new InvalidOperationException($"Storage holds {DType.Name()}, not {wanted.Name()}.");
}

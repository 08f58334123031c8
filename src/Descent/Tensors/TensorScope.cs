namespace Descent.Tensors;

/// <summary>
/// A region of code (typically one training step) whose temporary tensors give their memory back to
/// the <see cref="TensorPool"/> when the scope is disposed. Inside a scope, new tensors rent arrays
/// from the pool; when the scope ends, those tensors become unusable (access throws
/// <see cref="ObjectDisposedException"/>) unless <see cref="Tensor.Escape"/> was called on them.
/// Parameters, gradients and optimizer state live outside scopes and are never affected.
/// <code>
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Begin();
///     var loss = model.Forward(x).CrossEntropy(y);
///     loss.Backward();
///     lossValue = loss.Item();      // read scalars inside the scope
/// }
/// </code>
/// Scopes nest; they belong to the thread that began them.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;

    private readonly TensorScope? parent;
    private readonly List<Storage> owned = new();
    private bool disposed;

    private TensorScope(TensorScope? parent) => this.parent = parent;

    /// <summary>The innermost active scope of this thread, or null.</summary>
    public static TensorScope? Current => current;

    /// <summary>Starts a scope on this thread.</summary>
    public static TensorScope Begin() => current = new TensorScope(current);

    /// <summary>Number of arrays rented in this scope so far.</summary>
    public int RentedCount => owned.Count;

    internal static Storage Allocate(DType dtype, int length)
    {
        var scope = current;
        if (scope is null || length < TensorPool.MinPooledLength)
            return dtype == DType.Float32
                ? new Storage(GC.AllocateUninitializedArray<float>(length))
                : new Storage(GC.AllocateUninitializedArray<double>(length));
        var s = dtype == DType.Float32
            ? new Storage(TensorPool.RentFloats(length))
            : new Storage(TensorPool.RentDoubles(length));
        scope.owned.Add(s);
        return s;
    }

    /// <summary>Returns every array rented in this scope (except escaped ones) to the pool.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
            throw new InvalidOperationException("TensorScope disposed out of order: dispose inner scopes first.");
        disposed = true;
        current = parent;
        foreach (var s in owned)
            if (!s.Escaped) TensorPool.Return(s);
        owned.Clear();
    }
}

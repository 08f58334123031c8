namespace Descent.Tensors;

/// <summary>
/// Reuses the large arrays behind temporary tensors. Training repeats the same shapes every step, so
/// arrays are kept in exact-length buckets: after the first step, a forward and backward pass rents
/// every buffer it needs from here instead of allocating (the Large Object Heap stays quiet).
/// Arrays are only rented inside a <see cref="TensorScope"/>; outside one, tensors are plain GC memory.
/// </summary>
public static class TensorPool
{
    private static readonly Dictionary<int, Stack<float[]>> FloatBuckets = new();
    private static readonly Dictionary<int, Stack<double[]>> DoubleBuckets = new();
    private static readonly Lock Gate = new();
    private static long pooledBytes;

    /// <summary>Arrays shorter than this are left to the GC (pooling them costs more than it saves).</summary>
    public const int MinPooledLength = 1024;

    /// <summary>Upper bound on the bytes kept idle in the pool; beyond it returned arrays are dropped.</summary>
    public static long MaxPooledBytes { get; set; } = 4L << 30;

    /// <summary>Bytes currently held idle in the pool.</summary>
    public static long PooledBytes { get { lock (Gate) return pooledBytes; } }

    internal static float[] RentFloats(int length)
    {
        if (length >= MinPooledLength)
            lock (Gate)
                if (FloatBuckets.TryGetValue(length, out var s) && s.Count > 0)
                {
                    pooledBytes -= 4L * length;
                    return s.Pop();
                }
        return GC.AllocateUninitializedArray<float>(length);
    }

    internal static double[] RentDoubles(int length)
    {
        if (length >= MinPooledLength)
            lock (Gate)
                if (DoubleBuckets.TryGetValue(length, out var s) && s.Count > 0)
                {
                    pooledBytes -= 8L * length;
                    return s.Pop();
                }
        return GC.AllocateUninitializedArray<double>(length);
    }

    internal static void Return(Storage storage)
    {
        if (storage.Released) return;
        int length = storage.Length;
        if (length >= MinPooledLength)
        {
            lock (Gate)
            {
                long bytes = (long)length * storage.DType.ElementSize();
                if (pooledBytes + bytes <= MaxPooledBytes)
                {
                    pooledBytes += bytes;
                    if (storage.DType == DType.Float32) Bucket(FloatBuckets, length).Push(storage.Floats);
                    else Bucket(DoubleBuckets, length).Push(storage.Doubles);
                }
            }
        }
        storage.Release();
    }

    /// <summary>Drops every idle array (for tests and to give memory back after a large job).</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            FloatBuckets.Clear();
            DoubleBuckets.Clear();
            pooledBytes = 0;
        }
    }

    private static Stack<TArr> Bucket<TArr>(Dictionary<int, Stack<TArr>> buckets, int length)
    {
        if (!buckets.TryGetValue(length, out var s)) buckets[length] = s = new Stack<TArr>();
        return s;
    }
}

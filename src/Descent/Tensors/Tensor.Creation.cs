using System.Numerics.Tensors;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>A tensor with undefined contents (every element must be written before it is read).</summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.Float32) =>
        new(TensorScope.Allocate(dtype, shape.Size), 0, shape);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32) => Full(shape, 0, dtype);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32) => Full(shape, 1, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32)
    {
        var t = Empty(shape, dtype);
        t.FillRaw(value);
        return t;
    }

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full(Shape.Scalar, value, dtype);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape, like.DType);

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Ones(like.Shape, like.DType);

    /// <summary>Uninitialized memory with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor EmptyLike(Tensor like) => Empty(like.Shape, like.DType);

    /// <summary>The values <c>start, start+step, …</c> below <paramref name="stop"/> (a 1-D tensor).</summary>
    public static Tensor Arange(double start, double stop, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException("Arange: step must be non-zero.", nameof(step));
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var t = Empty(new Shape(n), dtype);
        for (int i = 0; i < n; i++) t.SetRaw(i, start + i * step);
        return t;
    }

    /// <summary>Count elements spaced evenly from <paramref name="start"/> to <paramref name="stop"/> inclusive.</summary>
    public static Tensor Linspace(double start, double stop, int count, DType dtype = DType.Float32)
    {
        var t = Empty(new Shape(count), dtype);
        for (int i = 0; i < count; i++) t.SetRaw(i, count == 1 ? start : start + (stop - start) * i / (count - 1));
        return t;
    }

    /// <summary>A float tensor holding a copy of <paramref name="data"/> with the given shape
    /// (a 1-D tensor when no shape is given).</summary>
    public static Tensor From(float[] data, params int[] shape)
    {
        var s = CheckedShape(data.Length, shape);
        var t = Empty(s, DType.Float32);
        data.AsSpan().CopyTo(t.Floats);
        return t;
    }

    /// <summary>A double tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor From(double[] data, params int[] shape)
    {
        var s = CheckedShape(data.Length, shape);
        var t = Empty(s, DType.Float64);
        data.AsSpan().CopyTo(t.Doubles);
        return t;
    }

    /// <summary>A 2-D float tensor from a rectangular array.</summary>
    public static Tensor From(float[,] data)
    {
        var t = Empty(new Shape(data.GetLength(0), data.GetLength(1)), DType.Float32);
        int k = 0;
        foreach (var v in data) t.Floats[k++] = v;
        return t;
    }

    /// <summary>A 2-D double tensor from a rectangular array.</summary>
    public static Tensor From(double[,] data)
    {
        var t = Empty(new Shape(data.GetLength(0), data.GetLength(1)), DType.Float64);
        int k = 0;
        foreach (var v in data) t.Doubles[k++] = v;
        return t;
    }

    /// <summary>A tensor that uses <paramref name="data"/> as its memory (no copy; changes are shared).</summary>
    public static Tensor Wrap(float[] data, params int[] shape) => new(new Storage(data), 0, CheckedShape(data.Length, shape));

    /// <summary>A tensor that uses <paramref name="data"/> as its memory (no copy; changes are shared).</summary>
    public static Tensor Wrap(double[] data, params int[] shape) => new(new Storage(data), 0, CheckedShape(data.Length, shape));

    /// <summary>Normal samples <c>N(mean, std²)</c> drawn from <paramref name="rng"/>.</summary>
    public static Tensor Randn(Shape shape, Rng rng, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        var t = Empty(shape, dtype);
        if (dtype == DType.Float32)
        {
            var s = t.Floats;
            for (int i = 0; i < s.Length; i++) s[i] = (float)(mean + std * rng.NextNormal());
        }
        else
        {
            var s = t.Doubles;
            for (int i = 0; i < s.Length; i++) s[i] = mean + std * rng.NextNormal();
        }
        return t;
    }

    /// <summary>Uniform samples on [<paramref name="low"/>, <paramref name="high"/>) drawn from <paramref name="rng"/>.</summary>
    public static Tensor Rand(Shape shape, Rng rng, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        var t = Empty(shape, dtype);
        double w = high - low;
        if (dtype == DType.Float32)
        {
            var s = t.Floats;
            for (int i = 0; i < s.Length; i++) s[i] = (float)(low + w * rng.NextDouble());
        }
        else
        {
            var s = t.Doubles;
            for (int i = 0; i < s.Length; i++) s[i] = low + w * rng.NextDouble();
        }
        return t;
    }

    /// <summary>A copy with its own memory and no history (shape, dtype and values kept).</summary>
    public Tensor Clone()
    {
        var t = Empty(Shape, DType);
        CopyRaw(this, t);
        return t;
    }

    /// <summary>A copy whose memory is never returned to the pool (survives any <see cref="TensorScope"/>).</summary>
    public Tensor CloneUnscoped()
    {
        var t = new Tensor(DType == DType.Float32 ? new Storage(new float[Size]) : new Storage(new double[Size]), 0, Shape);
        CopyRaw(this, t);
        return t;
    }

    /// <summary>A zero-filled tensor whose memory is never returned to the pool.</summary>
    public static Tensor ZerosUnscoped(Shape shape, DType dtype = DType.Float32) =>
        new(dtype == DType.Float32 ? new Storage(new float[shape.Size]) : new Storage(new double[shape.Size]), 0, shape);

    /// <summary>The same memory without history: gradients do not flow through the result.</summary>
    public Tensor Detach() => new(storage, offset, Shape) { Name = Name };

    /// <summary>This tensor converted to <paramref name="dtype"/> (itself when it already has it).
    /// Differentiable.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var t = Empty(Shape, dtype);
        if (dtype == DType.Float64)
        {
            var src = Floats; var dst = t.Doubles;
            for (int i = 0; i < src.Length; i++) dst[i] = src[i];
        }
        else
        {
            var src = Doubles; var dst = t.Floats;
            for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
        }
        var from = DType;
        if (Autograd.Autodiff.ShouldRecord(this))
            Autograd.Autodiff.Record(t, "To", [this], (g, _) => [g.To(from)]);
        return t;
    }

    private static Shape CheckedShape(int length, int[] shape)
    {
        if (shape.Length == 0) return new Shape(length);
        var s = new Shape(shape);
        if (s.Size != length)
            throw new ShapeException($"{length} values cannot fill shape {s} ({s.Size} elements).");
        return s;
    }

    internal void FillRaw(double value)
    {
        int threads = Size >= ParallelFillElements ? Math.Min(Kernels.KernelThreads.MaxThreads, Size / (ParallelFillElements / 2)) : 1;
        if (threads <= 1)
        {
            if (DType == DType.Float32) Floats.Fill((float)value);
            else Doubles.Fill(value);
            return;
        }
        // large buffers (a model's flat gradient zeroed every step) are written by all kernel threads: one
        // thread's stores reach about half of the machine's write bandwidth
        int size = Size, start = offset, chunk = (size / threads + 15) & ~15;
        var s = storage;
        Kernels.KernelThreads.Run(threads, t =>
        {
            int from = t * chunk, count = Math.Min(chunk, size - from);
            if (count <= 0) return;
            if (s.DType == DType.Float32) s.Floats.AsSpan(start + from, count).Fill((float)value);
            else s.Doubles.AsSpan(start + from, count).Fill(value);
        });
    }

    private const int ParallelFillElements = 1 << 20;

    internal void SetRaw(int flatIndex, double value)
    {
        if (DType == DType.Float32) storage.Floats[offset + flatIndex] = (float)value;
        else storage.Doubles[offset + flatIndex] = value;
    }

    internal double GetRaw(int flatIndex) =>
        DType == DType.Float32 ? storage.Floats[offset + flatIndex] : storage.Doubles[offset + flatIndex];

    internal static void CopyRaw(Tensor src, Tensor dst)
    {
        if (src.DType == DType.Float32) src.Floats.CopyTo(dst.Floats);
        else src.Doubles.CopyTo(dst.Doubles);
    }
}

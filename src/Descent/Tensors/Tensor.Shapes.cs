using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>The same elements with another shape (a view: no copy). One dimension may be −1.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var s = ResolveShape(shape);
        if (s == Shape) return this;
        var o = new Tensor(storage, offset, s);
        var from = Shape;
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "Reshape", [this], (g, _) => [g.Reshape(from.ToArray())]);
        return o;
    }

    /// <summary>A view flattened from <paramref name="startAxis"/> on: [N, C, H, W] → [N, C·H·W].</summary>
    public Tensor Flatten(int startAxis = 1)
    {
        int a = startAxis == Rank ? Rank : Shape.NormalizeAxis(startAxis);
        var dims = Shape.Dims[..a].ToArray().Append(Shape.Dims[a..].ToArray().Aggregate(1, (p, d) => p * d)).ToArray();
        return Reshape(dims);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="axis"/>.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new ShapeException($"Unsqueeze: axis {axis} out of range for shape {Shape}.");
        var dims = Shape.ToArray().ToList();
        dims.Insert(a, 1);
        return Reshape(dims.ToArray());
    }

    /// <summary>Removes a dimension of size 1.</summary>
    public Tensor Squeeze(int axis)
    {
        int a = Shape.NormalizeAxis(axis);
        if (Shape.Dims[a] != 1) throw new ShapeException($"Squeeze: dimension {axis} of shape {Shape} is not 1.");
        var dims = Shape.ToArray().ToList();
        dims.RemoveAt(a);
        return Reshape(dims.ToArray());
    }

    /// <summary>Reorders the axes (a copy): result axis k is input axis <c>perm[k]</c>.</summary>
    public Tensor Permute(params int[] perm)
    {
        if (perm.Length != Rank || perm.Select(Shape.NormalizeAxis).Distinct().Count() != Rank)
            throw new ShapeException($"Permute: [{string.Join(", ", perm)}] is not a permutation of the axes of shape {Shape}.");
        var p = perm.Select(Shape.NormalizeAxis).ToArray();
        var dims = p.Select(i => Shape.Dims[i]).ToArray();
        var o = Empty(new Shape(dims), DType);
        if (DType == DType.Float32) PermuteKernel.Run<float>(Floats, Shape.Dims, p, o.Floats);
        else PermuteKernel.Run<double>(Doubles, Shape.Dims, p, o.Doubles);
        if (Autodiff.ShouldRecord(this))
        {
            var inv = new int[p.Length];
            for (int k = 0; k < p.Length; k++) inv[p[k]] = k;
            Autodiff.Record(o, "Permute", [this], (g, _) => [g.Permute(inv)]);
        }
        return o;
    }

    /// <summary>Swaps two axes (a copy).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        var p = Enumerable.Range(0, Rank).ToArray();
        int a = Shape.NormalizeAxis(axis0), b = Shape.NormalizeAxis(axis1);
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>The transpose of a matrix (a copy).</summary>
    public Tensor T()
    {
        if (Rank != 2) throw new ShapeException($"T() needs a matrix, got shape {Shape}; use Transpose(a, b).");
        return Permute(1, 0);
    }

    /// <summary>Elements <paramref name="start"/> … <paramref name="start"/>+<paramref name="length"/>−1 along
    /// <paramref name="axis"/>. Along the first axis (rows, mini-batches) it is a view; otherwise a copy.</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = Shape.NormalizeAxis(axis);
        int d = Shape.Dims[a];
        if (start < 0 || length < 0 || start + length > d)
            throw new ShapeException($"Narrow: [{start}, {start + length}) is outside dimension {a} (size {d}) of shape {Shape}.");
        var dims = Shape.ToArray();
        dims[a] = length;
        var (outer, _, inner) = Split(a, a);
        Tensor o;
        if (outer == 1) o = new Tensor(storage, offset + start * inner, new Shape(dims));
        else
        {
            o = Empty(new Shape(dims), DType);
            if (DType == DType.Float32) NarrowCopy<float>(Floats, o.Floats, outer, d, inner, start, length);
            else NarrowCopy<double>(Doubles, o.Doubles, outer, d, inner, start, length);
        }
        var from = Shape;
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "Narrow", [this], (g, _) => [g.PadAxis(a, start, from.Dims[a])]);
        return o;
    }

    /// <summary>Rows <paramref name="start"/> … <paramref name="start"/>+<paramref name="count"/>−1 (a view).</summary>
    public Tensor Rows(int start, int count) => Narrow(0, start, count);

    /// <summary>Places this tensor at <paramref name="start"/> along <paramref name="axis"/> inside zeros of
    /// size <paramref name="size"/> (the adjoint of <see cref="Narrow"/>).</summary>
    internal Tensor PadAxis(int axis, int start, int size)
    {
        var dims = Shape.ToArray();
        int len = dims[axis];
        dims[axis] = size;
        var o = Zeros(new Shape(dims), DType);
        var (outer, _, inner) = Split(axis, axis);
        for (int r = 0; r < outer; r++)
        {
            if (DType == DType.Float32)
                Floats.Slice(r * len * inner, len * inner).CopyTo(o.Floats.Slice((r * size + start) * inner, len * inner));
            else
                Doubles.Slice(r * len * inner, len * inner).CopyTo(o.Doubles.Slice((r * size + start) * inner, len * inner));
        }
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "PadAxis", [this], (g, _) => [g.Narrow(axis, start, len)]);
        return o;
    }

    private static void NarrowCopy<T>(ReadOnlySpan<T> src, Span<T> dst, int outer, int d, int inner, int start, int length)
    {
        for (int r = 0; r < outer; r++)
            src.Slice((r * d + start) * inner, length * inner).CopyTo(dst.Slice(r * length * inner, length * inner));
    }

    /// <summary>Joins tensors along an existing axis (all other dimensions must agree).</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Cat needs at least one tensor.");
        var first = tensors[0];
        int a = first.Shape.NormalizeAxis(axis);
        int total = 0;
        foreach (var t in tensors)
        {
            SameDType(first, t, "Cat");
            bool ok = t.Rank == first.Rank;
            for (int i = 0; ok && i < t.Rank; i++) ok = i == a || t.Shape.Dims[i] == first.Shape.Dims[i];
            if (!ok) throw new ShapeException($"Cat along axis {a}: shapes {first.Shape} and {t.Shape} differ off that axis.");
            total += t.Shape.Dims[a];
        }
        var dims = first.Shape.ToArray();
        dims[a] = total;
        var o = Empty(new Shape(dims), first.DType);
        var (outer, _, inner) = first.Split(a, a);
        int at = 0;
        var starts = new int[tensors.Count];
        for (int k = 0; k < tensors.Count; k++)
        {
            var t = tensors[k];
            int len = t.Shape.Dims[a];
            starts[k] = at;
            for (int r = 0; r < outer; r++)
            {
                if (o.DType == DType.Float32)
                    t.Floats.Slice(r * len * inner, len * inner).CopyTo(o.Floats.Slice((r * total + at) * inner, len * inner));
                else
                    t.Doubles.Slice(r * len * inner, len * inner).CopyTo(o.Doubles.Slice((r * total + at) * inner, len * inner));
            }
            at += len;
        }
        var inputs = tensors.ToArray();
        if (Autodiff.ShouldRecord(inputs))
            Autodiff.Record(o, "Cat", inputs, (g, n) =>
            {
                var r = new Tensor?[inputs.Length];
                for (int k = 0; k < inputs.Length; k++)
                    if (n[k]) r[k] = g.Narrow(a, starts[k], inputs[k].Shape.Dims[a]);
                return r;
            });
        return o;
    }

    /// <summary>Stacks equal-shaped tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0) =>
        Cat(tensors.Select(t => t.Unsqueeze(axis)).ToArray(), axis);

    private Shape ResolveShape(int[] shape)
    {
        int infer = -1, known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ShapeException($"Reshape: more than one -1 in {Shape.Format(shape)}.");
                infer = i;
            }
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ShapeException($"Reshape: cannot reshape {Shape} ({Size} elements) to {Shape.Format(shape)}.");
            dims[infer] = Size / known;
        }
        var s = new Shape(dims);
        if (s.Size != Size) throw new ShapeException($"Reshape: cannot reshape {Shape} ({Size} elements) to {s} ({s.Size} elements).");
        return s;
    }
}

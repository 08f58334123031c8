using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>Sum of all elements (a scalar).</summary>
    public Tensor Sum() => Sum(AllAxes(), keepDim: false);

    /// <summary>Sum along one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Sum along several axes.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        var (keptShape, outShape, norm) = ReducedShapes(axes, keepDim, "Sum");
        var o = ReduceRaw(norm, keptShape, outShape, max: false);
        var x = this;
        if (Autodiff.ShouldRecord(x))
            Autodiff.Record(o, "Sum", [x], (g, _) => [g.Reshape(keptShape.ToArray()).BroadcastTo(x.Shape)]);
        return o;
    }

    /// <summary>Mean of all elements (a scalar).</summary>
    public Tensor Mean() => Mean(AllAxes(), keepDim: false);

    /// <summary>Mean along one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Mean along several axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        int count = 1;
        foreach (var a in axes.Select(Shape.NormalizeAxis).Distinct()) count *= Shape.Dims[a];
        return Sum(axes, keepDim) * (1.0 / count);
    }

    /// <summary>Variance along axes: the mean squared deviation (<paramref name="unbiased"/> divides by n − 1).</summary>
    public Tensor Var(int[] axes, bool keepDim = false, bool unbiased = false)
    {
        int count = 1;
        foreach (var a in axes.Select(Shape.NormalizeAxis).Distinct()) count *= Shape.Dims[a];
        var d = this - Mean(axes, keepDim: true);
        var ss = (d * d).Sum(axes, keepDim);
        return ss * (1.0 / (unbiased ? Math.Max(count - 1, 1) : count));
    }

    /// <summary>Variance along one axis.</summary>
    public Tensor Var(int axis, bool keepDim = false, bool unbiased = false) => Var([axis], keepDim, unbiased);

    /// <summary>Variance of all elements.</summary>
    public Tensor Var(bool unbiased = false) => Var(AllAxes(), false, unbiased);

    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Max(AllAxes(), keepDim: false);

    /// <summary>Maximum along one axis. The gradient goes to the maximal elements (split evenly at ties).</summary>
    public Tensor Max(int axis, bool keepDim = false) => Max([axis], keepDim);

    /// <summary>Maximum along several axes.</summary>
    public Tensor Max(int[] axes, bool keepDim = false)
    {
        var (keptShape, outShape, norm) = ReducedShapes(axes, keepDim, "Max");
        var o = ReduceRaw(norm, keptShape, outShape, max: true);
        var x = this;
        if (Autodiff.ShouldRecord(x))
            Autodiff.Record(o, "Max", [x], (g, _) =>
            {
                Tensor w;
                using (Autodiff.NoGrad())
                {
                    var mask = x.Eq(o.Reshape(keptShape.ToArray()));
                    w = mask / mask.Sum(norm, keepDim: true);
                }
                return [g.Reshape(keptShape.ToArray()) * w];
            });
        return o;
    }

    /// <summary>Minimum along one axis.</summary>
    public Tensor Min(int axis, bool keepDim = false) => -(-this).Max(axis, keepDim);

    /// <summary>Minimum along several axes (the gradient goes to the minimal elements, split at ties).</summary>
    public Tensor Min(int[] axes, bool keepDim = false) => -(-this).Max(axes, keepDim);

    /// <summary>Minimum of all elements.</summary>
    public Tensor Min() => -(-this).Max();

    /// <summary>Standard deviation along axes: √<see cref="Var(int[], bool, bool)"/>. Its gradient is
    /// infinite where the deviation is 0 (add ε to the variance first when that can happen).</summary>
    public Tensor Std(int[] axes, bool keepDim = false, bool unbiased = false) => Var(axes, keepDim, unbiased).Sqrt();

    /// <summary>Standard deviation along one axis.</summary>
    public Tensor Std(int axis, bool keepDim = false, bool unbiased = false) => Std([axis], keepDim, unbiased);

    /// <summary>Standard deviation of all elements.</summary>
    public Tensor Std(bool unbiased = false) => Std(AllAxes(), false, unbiased);

    /// <summary>Indices of the first maximum along <paramref name="axis"/>, flattened in row-major
    /// order of the remaining dimensions (for a [N, C] matrix and axis 1: the predicted class per row).</summary>
    public int[] ArgMax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(a, a);
        var o = new int[outer * inner];
        if (DType == DType.Float32) Reduce.ArgMax<float>(Floats, o, outer, n, inner);
        else Reduce.ArgMax<double>(Doubles, o, outer, n, inner);
        return o;
    }

    private int[] AllAxes() => Enumerable.Range(0, Rank).ToArray();

    private (Shape kept, Shape output, int[] axes) ReducedShapes(int[] axes, bool keepDim, string op)
    {
        var norm = axes.Select(Shape.NormalizeAxis).Distinct().Order().ToArray();
        var kept = Shape.ToArray();
        foreach (var a in norm) kept[a] = 1;
        var output = keepDim ? kept : Shape.ToArray().Where((_, i) => !norm.Contains(i)).ToArray();
        return (new Shape(kept), new Shape(output), norm);
    }

    /// <summary>outer = product of dims before <paramref name="from"/>, n = product from..to, inner = after.</summary>
    private (int outer, int n, int inner) Split(int from, int to) => Split(Shape.Dims, from, to);

    private static (int outer, int n, int inner) Split(ReadOnlySpan<int> dims, int from, int to)
    {
        int outer = 1, n = 1, inner = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (i < from) outer *= dims[i];
            else if (i <= to) n *= dims[i];
            else inner *= dims[i];
        }
        return (outer, n, inner);
    }

    private Tensor ReduceRaw(int[] axes, Shape kept, Shape outShape, bool max)
    {
        if (axes.Length == 0) return Reshape(outShape.ToArray()).Clone();
        var cur = this;
        var dims = Shape.ToArray();
        // Reduce runs of consecutive axes, last run first, keeping reduced dimensions as size 1.
        int k = axes.Length - 1;
        while (k >= 0)
        {
            int hi = axes[k], lo = hi;
            while (k > 0 && axes[k - 1] == lo - 1) { k--; lo--; }
            k--;
            var (outer, n, inner) = Split(dims, lo, hi);
            for (int i = lo; i <= hi; i++) dims[i] = 1;
            var next = Empty(new Shape(dims), DType);
            if (DType == DType.Float32)
            {
                if (max) Reduce.Max<float>(cur.Floats, next.Floats, outer, n, inner);
                else Reduce.Sum<float>(cur.Floats, next.Floats, outer, n, inner);
            }
            else
            {
                if (max) Reduce.Max<double>(cur.Doubles, next.Doubles, outer, n, inner);
                else Reduce.Sum<double>(cur.Doubles, next.Doubles, outer, n, inner);
            }
            cur = next;
        }
        return new Tensor(cur.storage, cur.offset, outShape);
    }
}

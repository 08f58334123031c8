using System.Numerics;

namespace Descent.Tensors.Kernels;

/// <summary>
/// NumPy-style broadcasting for element-wise binary operations. Dimensions are first collapsed into
/// groups that broadcast alike, so common cases (same shape, bias over rows, per-row scale) become one
/// or a few long contiguous inner loops.
/// </summary>
public static class Broadcast
{
    /// <summary>out = op(a, b) where <paramref name="aShape"/> and <paramref name="bShape"/> broadcast to <paramref name="outShape"/>.</summary>
    public static void Binary<T>(BinaryOp op, ReadOnlySpan<T> a, Shape aShape, ReadOnlySpan<T> b, Shape bShape, Span<T> o, Shape outShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (aShape == bShape)
        {
            BinaryKernels.Apply(op, a, b, o);
            return;
        }
        if (o.IsEmpty) return;
        // A one-element operand broadcasts to the other's shape, which is then the output's.
        if (a.Length == 1) { BinaryKernels.Apply(op, a[0], b, o); return; }
        if (b.Length == 1) { BinaryKernels.Apply(op, a, b[0], o); return; }

        var plan = Plan(aShape, bShape, outShape);
        int q = plan.Dims.Length;
        int inner = plan.Dims[q - 1];
        int sa = plan.AStrides[q - 1], sb = plan.BStrides[q - 1];
        int outer = o.Length / inner;
        // A narrow row vector against every row (a small Linear layer's bias): one inline loop, since a kernel
        // call per row cost more than the row's work (wider rows run faster through the per-row kernels).
        if (q == 2 && sa == 1 && sb == 1 && inner <= 256 && RowVector.Applies(op))
        {
            if (plan.BStrides[0] == 0 && plan.AStrides[0] == inner) { RowVector.Apply(op, a, b, o, outer, inner, rowFirst: false); return; }
            if (plan.AStrides[0] == 0 && plan.BStrides[0] == inner) { RowVector.Apply(op, b, a, o, outer, inner, rowFirst: true); return; }
        }
        Span<int> idx = stackalloc int[q];
        int ao = 0, bo = 0;
        for (int r = 0; r < outer; r++)
        {
            var dst = o.Slice(r * inner, inner);
            if (sa != 0 && sb != 0) BinaryKernels.Apply(op, a.Slice(ao, inner), b.Slice(bo, inner), dst);
            else if (sa == 0 && sb != 0) BinaryKernels.Apply(op, a[ao], b.Slice(bo, inner), dst);
            else if (sa != 0) BinaryKernels.Apply(op, a.Slice(ao, inner), b[bo], dst);
            else dst.Fill(BinaryKernels.Scalar(op, a[ao], b[bo]));
            // odometer over the outer dimensions
            for (int d = q - 2; d >= 0; d--)
            {
                idx[d]++;
                ao += plan.AStrides[d];
                bo += plan.BStrides[d];
                if (idx[d] < plan.Dims[d]) break;
                ao -= plan.AStrides[d] * plan.Dims[d];
                bo -= plan.BStrides[d] * plan.Dims[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>Copies <paramref name="src"/> (of a shape that broadcasts to <paramref name="outShape"/>) into every position of <paramref name="dst"/>.</summary>
    public static void To<T>(ReadOnlySpan<T> src, Shape srcShape, Span<T> dst, Shape outShape) where T : unmanaged
    {
        if (src.Length == dst.Length) { src.CopyTo(dst); return; }
        if (dst.IsEmpty) return;
        if (src.Length == 1) { dst.Fill(src[0]); return; }
        var plan = Plan(srcShape, outShape, outShape);
        int q = plan.Dims.Length;
        int inner = plan.Dims[q - 1];
        int sa = plan.AStrides[q - 1];
        int outer = dst.Length / inner;
        Span<int> idx = stackalloc int[q];
        int ao = 0;
        for (int r = 0; r < outer; r++)
        {
            var d = dst.Slice(r * inner, inner);
            if (sa != 0) src.Slice(ao, inner).CopyTo(d);
            else d.Fill(src[ao]);
            for (int k = q - 2; k >= 0; k--)
            {
                idx[k]++;
                ao += plan.AStrides[k];
                if (idx[k] < plan.Dims[k]) break;
                ao -= plan.AStrides[k] * plan.Dims[k];
                idx[k] = 0;
            }
        }
    }

    internal readonly record struct BroadcastPlan(int[] Dims, int[] AStrides, int[] BStrides);

    /// <summary>Groups output dimensions so that within a group both operands are either contiguous or
    /// broadcast, and returns the group sizes and each operand's stride per group (0 = broadcast).</summary>
    internal static BroadcastPlan Plan(Shape aShape, Shape bShape, Shape outShape)
    {
        int r = outShape.Rank;
        var dims = new List<int>(r);
        var aBc = new List<bool>(r);
        var bBc = new List<bool>(r);
        for (int i = 0; i < r; i++)
        {
            int od = outShape.Dims[i];
            if (od == 1) continue;
            int ad = i < r - aShape.Rank ? 1 : aShape.Dims[i - (r - aShape.Rank)];
            int bd = i < r - bShape.Rank ? 1 : bShape.Dims[i - (r - bShape.Rank)];
            bool ab = ad == 1, bb = bd == 1;
            if (dims.Count > 0 && aBc[^1] == ab && bBc[^1] == bb) dims[^1] *= od;
            else { dims.Add(od); aBc.Add(ab); bBc.Add(bb); }
        }
        if (dims.Count == 0) { dims.Add(1); aBc.Add(false); bBc.Add(false); }
        int q = dims.Count;
        var sa = new int[q];
        var sb = new int[q];
        int accA = 1, accB = 1;
        for (int g = q - 1; g >= 0; g--)
        {
            sa[g] = aBc[g] ? 0 : accA;
            sb[g] = bBc[g] ? 0 : accB;
            if (!aBc[g]) accA *= dims[g];
            if (!bBc[g]) accB *= dims[g];
        }
        // An inner stride of 0 for an operand means it is a scalar within the row; strides of non-broadcast
        // groups are 1 for the innermost group by construction.
        return new BroadcastPlan(dims.ToArray(), sa, sb);
    }
}

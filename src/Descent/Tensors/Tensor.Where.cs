using Descent.Autograd;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Element-wise selection with broadcasting, like <c>torch.where</c>: <paramref name="a"/> where
    /// <paramref name="condition"/> is non-zero, <paramref name="b"/> elsewhere. The condition is a mask
    /// (from <see cref="Gt(Tensor)"/>, <see cref="Lt(Tensor)"/>, …) and is not differentiated; the gradient
    /// flows to <paramref name="a"/> where the condition holds and to <paramref name="b"/> elsewhere.
    /// Unlike <c>mask·a + (1 − mask)·b</c>, an infinite or NaN value in the branch not taken does not
    /// leak into the result or the gradient.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        SameDType(a, b, "Where");
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        Tensor c, ab, bb;
        using (Autodiff.NoGrad())
        {
            c = condition.To(a.DType).BroadcastTo(shape);
            ab = a.BroadcastTo(shape);
            bb = b.BroadcastTo(shape);
        }
        var o = Empty(shape, a.DType);
        if (o.DType == DType.Float32) Select<float>(c.Floats, ab.Floats, bb.Floats, o.Floats);
        else Select<double>(c.Doubles, ab.Doubles, bb.Doubles, o.Doubles);
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "Where", [a, b], (g, n) =>
            {
                var zero = Zeros(Shape.Scalar, g.DType);
                return [
                    n[0] ? Where(c, g, zero).SumTo(a.Shape) : null,
                    n[1] ? Where(c, zero, g).SumTo(b.Shape) : null];
            });
        return o;
    }

    private static void Select<T>(ReadOnlySpan<T> c, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> o)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < o.Length; i++) o[i] = c[i] != T.Zero ? a[i] : b[i];
    }
}

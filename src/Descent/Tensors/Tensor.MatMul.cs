using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>Matrix product <c>op(a)·op(b)</c> where op transposes the last two axes when the flag is set
    /// (no copy is made: the GEMM reads the transposed layout directly). Leading (batch) axes must match,
    /// or one operand is a plain matrix shared by every batch element.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false) =>
        MatMul(a, b, transA, transB, computeValue: true);

    /// <summary>The product, optionally recorded without computing its value (for gradients that will only be
    /// differentiated; see <c>GradRequest.ValueUnused</c>).</summary>
    internal static Tensor MatMul(Tensor a, Tensor b, bool transA, bool transB, bool computeValue)
    {
        SameDType(a, b, "MatMul");
        if (a.Rank < 2 || b.Rank < 2)
            throw new ShapeException($"MatMul needs matrices (rank ≥ 2), got {a.Shape} and {b.Shape}.");
        int ra = a.Shape[-2], ca = a.Shape[-1], rb = b.Shape[-2], cb = b.Shape[-1];
        int m = transA ? ca : ra, k = transA ? ra : ca;
        int kb = transB ? cb : rb, n = transB ? rb : cb;
        if (k != kb)
            throw new ShapeException($"MatMul: inner dimensions differ: {Describe(a.Shape, transA)} · {Describe(b.Shape, transB)} ({k} vs {kb}).");
        var aBatch = a.Shape.Dims[..^2].ToArray();
        var bBatch = b.Shape.Dims[..^2].ToArray();
        if (aBatch.Length > 0 && bBatch.Length > 0 && !aBatch.SequenceEqual(bBatch))
            throw new ShapeException($"MatMul: batch dimensions differ: {a.Shape} and {b.Shape}.");
        var batchDims = aBatch.Length > 0 ? aBatch : bBatch;
        int batch = batchDims.Aggregate(1, (p, d) => p * d);
        var o = Empty(new Shape([.. batchDims, m, n]), a.DType);

        if (!computeValue) { }
        else if (a.DType == DType.Float32) Run<float>(a, b, o, transA, transB, m, n, k, batch);
        else Run<double>(a, b, o, transA, transB, m, n, k, batch);

        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "MatMul", [a, b], (g, need) =>
            {
                bool daUnused = need.ValueUnused(0), dbUnused = need.ValueUnused(1);
                Tensor? da = null, db = null;
                if (need[0])
                    da = (transA ? MatMul(b, g, transB, true, !daUnused) : MatMul(g, b, false, !transB, !daUnused)).SumTo(a.Shape);
                if (need[1])
                {
                    if (b.Rank == 2 && (a.Rank == 2 || !transA) && !dbUnused && need.Into(1) is { } into)
                    {
                        // The caller's gradient buffer is offered (a training step): the GEMM writes there.
                        var g2 = g.Reshape(-1, n);
                        var a2 = a.Reshape(-1, a.Shape[-1]);
                        db = transB ? Product(g2, a2, true, transA, into) : Product(a2, g2, !transA, false, into);
                    }
                    else if (a.Rank > 2 && b.Rank == 2)
                    {
                        // Fold the batch into the rows: one GEMM instead of a batch of them and a sum.
                        var g2 = g.Reshape(-1, n);
                        var a2 = transA ? a.Transpose(-1, -2).Reshape(-1, k) : a.Reshape(-1, k);
                        db = transB ? MatMul(g2, a2, true, false, !dbUnused) : MatMul(a2, g2, true, false, !dbUnused);
                    }
                    else
                        db = (transB ? MatMul(g, a, true, transA, !dbUnused) : MatMul(a, g, !transA, false, !dbUnused)).SumTo(b.Shape);
                }
                return [da, db];
            });
        return o;
    }

    /// <summary>This · <paramref name="other"/> (see <see cref="MatMul(Tensor, Tensor, bool, bool)"/>).</summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    /// <summary>The matrix product op(a)·op(b) of two matrices written into <paramref name="o"/> (not recorded):
    /// the gradient rule's GEMM into a buffer it was offered.</summary>
    private static Tensor Product(Tensor a, Tensor b, bool transA, bool transB, Tensor o)
    {
        int m = transA ? a.Shape[1] : a.Shape[0], k = transA ? a.Shape[0] : a.Shape[1];
        int n = transB ? b.Shape[0] : b.Shape[1];
        if (o.Shape != new Shape(m, n) || o.DType != a.DType)
            throw new ShapeException($"MatMul: a gradient of shape [{m}, {n}] cannot be written into {o.Shape} {o.DType}.");
        if (a.DType == DType.Float32) Run<float>(a, b, o, transA, transB, m, n, k, 1);
        else Run<double>(a, b, o, transA, transB, m, n, k, 1);
        return o;
    }

    private static string Describe(Shape s, bool t) => t ? s + "ᵀ" : s.ToString();

    private static void Run<T>(Tensor a, Tensor b, Tensor o, bool transA, bool transB, int m, int n, int k, int batch)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var A = a.Span<T>(); var B = b.Span<T>(); var C = o.Span<T>();
        if (k == 0)
        {
            C.Clear();   // an empty sum (BLAS would also reject the zero leading dimension)
            return;
        }
        int lda = a.Shape[-1], ldb = b.Shape[-1];
        if (a.Rank == 2 && b.Rank == 2)
        {
            MatMulKernel.Run(transA, transB, m, n, k, A, lda, B, ldb, C, n);
            return;
        }
        if (b.Rank == 2 && !transA)
        {
            MatMulKernel.Run(false, transB, batch * m, n, k, A, lda, B, ldb, C, n);
            return;
        }
        int sa = a.Rank == 2 ? 0 : m * k, sb = b.Rank == 2 ? 0 : k * n;
        for (int i = 0; i < batch; i++)
            MatMulKernel.Run(transA, transB, m, n, k, A.Slice(i * sa, m * k), lda, B.Slice(i * sb, k * n), ldb, C.Slice(i * m * n, m * n), n);
    }
}

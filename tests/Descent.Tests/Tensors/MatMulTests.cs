using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>MatMul values (every transpose flag, batched and shared-matrix forms) against a triple loop.</summary>
public class MatMulTests
{
    public static TheoryData<bool, bool, int, int> Cases()
    {
        // batch forms: 0 = [m,k]x[k,n], 1 = [B,m,k]x[B,k,n], 2 = [B,m,k]x[k,n], 3 = [m,k]x[B,k,n]
        var data = new TheoryData<bool, bool, int, int>();
        foreach (var ta in new[] { false, true })
            foreach (var tb in new[] { false, true })
                for (int form = 0; form < 4; form++)
                    foreach (var dtype in new[] { 0, 1 })
                        data.Add(ta, tb, form, dtype);
        return data;
    }

    private static double Get(Tensor t, int batch, int r, int c, bool trans)
    {
        bool batched = t.Rank == 3;
        return trans
            ? (batched ? t[batch, c, r] : t[c, r])
            : (batched ? t[batch, r, c] : t[r, c]);
    }

    [Theory, MemberData(nameof(Cases))]
    public void MatchesTheTripleLoop(bool transA, bool transB, int form, int dtypeIndex)
    {
        var dtype = dtypeIndex == 0 ? DType.Float64 : DType.Float32;
        const int B = 3, m = 5, k = 7, n = 4;
        var rng = new Rng((ulong)(form * 4 + (transA ? 2 : 0) + (transB ? 1 : 0)));
        int[] aDims = transA ? [k, m] : [m, k];
        int[] bDims = transB ? [n, k] : [k, n];
        if (form is 1 or 2) aDims = [B, .. aDims];
        if (form is 1 or 3) bDims = [B, .. bDims];
        var a = Tensor.Randn(aDims, rng, dtype: dtype);
        var b = Tensor.Randn(bDims, rng, dtype: dtype);
        var c = Tensor.MatMul(a, b, transA, transB);
        int batches = form == 0 ? 1 : B;
        Assert.Equal(form == 0 ? new Shape(m, n) : new Shape(B, m, n), c.Shape);
        double tol = dtype == DType.Float64 ? 1e-12 : 1e-4;
        for (int z = 0; z < batches; z++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += Get(a, z, i, p, transA) * Get(b, z, p, j, transB);
                    Assert.Equal(s, form == 0 ? c[i, j] : c[z, i, j], tol);
                }
    }

    [Fact]
    public void FourDimensionalBatches()
    {
        var rng = new Rng(8);
        var a = Tensor.Randn(new Shape(2, 3, 4, 5), rng, dtype: DType.Float64);
        var b = Tensor.Randn(new Shape(2, 3, 5, 2), rng, dtype: DType.Float64);
        var c = Tensor.MatMul(a, b);
        Assert.Equal(new Shape(2, 3, 4, 2), c.Shape);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int r = 0; r < 4; r++)
                    for (int q = 0; q < 2; q++)
                    {
                        double s = 0;
                        for (int p = 0; p < 5; p++) s += a[i, j, r, p] * b[i, j, p, q];
                        Assert.Equal(s, c[i, j, r, q], 12);
                    }
    }

    [Fact]
    public void ProductOfRowViews()
    {
        var x = Tensor.Randn(new Shape(6, 3), new Rng(2), dtype: DType.Float64);
        var w = Tensor.Randn(new Shape(3, 2), new Rng(3), dtype: DType.Float64);
        var part = Tensor.MatMul(x.Rows(2, 3), w).ToDoubleArray();
        var full = Tensor.MatMul(x, w).ToDoubleArray();
        for (int i = 0; i < part.Length; i++) Assert.Equal(full[2 * 2 + i], part[i], 14);
    }

    [Fact]
    public void EmptyInnerDimensionGivesZeros()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var c = Tensor.MatMul(Tensor.Ones(new Shape(2, 0), dtype), Tensor.Ones(new Shape(0, 3), dtype));
            Assert.Equal(new Shape(2, 3), c.Shape);
            Assert.All(c.ToDoubleArray(), v => Assert.Equal(0, v));
            var batched = Tensor.MatMul(Tensor.Ones(new Shape(2, 0, 3), dtype), Tensor.Ones(new Shape(0, 4), dtype), transA: true);
            Assert.All(batched.ToDoubleArray(), v => Assert.Equal(0, v));
        }
        Assert.Equal(new Shape(0, 3), Tensor.MatMul(Tensor.Ones(new Shape(0, 2)), Tensor.Ones(new Shape(2, 3))).Shape);
    }

    [Fact]
    public void KnownProduct()
    {
        var a = Tensor.From(new double[,] { { 1, 2 }, { 3, 4 } });
        var b = Tensor.From(new double[,] { { 5, 6 }, { 7, 8 } });
        Assert.Equal(new double[] { 19, 22, 43, 50 }, Tensor.MatMul(a, b).ToDoubleArray());
        Assert.Equal(new double[] { 26, 30, 38, 44 }, Tensor.MatMul(a, b, transA: true).ToDoubleArray());
        Assert.Equal(new double[] { 17, 23, 39, 53 }, Tensor.MatMul(a, b, transB: true).ToDoubleArray());
    }
}

using Descent.Data;
using Descent.Tensors;

namespace Descent.Tests.Data;

public sealed class SymmetricEigenTests
{
    private static double[] RandomSymmetric(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.NextNormal();
        return a;
    }

    /// <summary>Checks A u_k = λ_k u_k, UᵀU = I, decreasing values and trace = Σλ.</summary>
    private static void AssertDecomposes(double[] a, int n, SymmetricEigenResult r, double tol = 1e-10)
    {
        double scale = Math.Max(1, a.Max(Math.Abs));
        for (int k = 0; k < n; k++)
        {
            var u = r.Vector(k);
            for (int i = 0; i < n; i++)
            {
                double au = 0;
                for (int j = 0; j < n; j++) au += a[i * n + j] * u[j];
                Assert.True(Math.Abs(au - r.Values[k] * u[i]) < tol * scale * n, $"residual at eigenpair {k}, row {i}");
            }
            for (int l = 0; l < n; l++)
            {
                double dot = 0;
                var v = r.Vector(l);
                for (int j = 0; j < n; j++) dot += u[j] * v[j];
                Assert.True(Math.Abs(dot - (k == l ? 1 : 0)) < tol * n, $"u{k}·u{l} = {dot}");
            }
            if (k > 0) Assert.True(r.Values[k - 1] >= r.Values[k]);
        }
        double trace = Enumerable.Range(0, n).Sum(i => a[i * n + i]);
        Assert.Equal(trace, r.Values.Sum(), 1e-9 * scale * n);
    }

    [Fact]
    public void TwoByTwoHasTheKnownEigenpairs()
    {
        var r = SymmetricEigen.Decompose([2, 1, 1, 2], 2);
        Assert.Equal(3, r.Values[0], 12);
        Assert.Equal(1, r.Values[1], 12);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(r.Vector(0)[0]), 12);
        Assert.Equal(r.Vector(0)[0], r.Vector(0)[1], 12);
        Assert.Equal(r.Vector(1)[0], -r.Vector(1)[1], 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(120)]
    public void RandomSymmetricMatricesDecompose(int n)
    {
        var a = RandomSymmetric(n, (ulong)n);
        AssertDecomposes(a, n, SymmetricEigen.Decompose(a, n));
    }

    [Fact]
    public void DiagonalMatrixGivesItsSortedDiagonal()
    {
        double[] diag = [3, -1, 7, 0, 2];
        var a = new double[25];
        for (int i = 0; i < 5; i++) a[i * 5 + i] = diag[i];
        var r = SymmetricEigen.Decompose(a, 5);
        Assert.Equal(diag.OrderDescending(), r.Values);
        Assert.Equal(1, Math.Abs(r.Vector(0)[2]), 12); // the eigenvector of 7 is e₂
    }

    [Fact]
    public void RepeatedAndZeroEigenvaluesAreHandled()
    {
        const int n = 9;
        var a = new double[n * n]; // I + 2·1·1ᵀ: eigenvalues 1 + 2n once, 1 (n − 1 times)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i * n + j] = (i == j ? 1 : 0) + 2;
        var r = SymmetricEigen.Decompose(a, n);
        Assert.Equal(1 + 2 * n, r.Values[0], 10);
        Assert.All(r.Values.Skip(1), v => Assert.Equal(1, v, 10));
        AssertDecomposes(a, n, r);
        var zero = SymmetricEigen.Decompose(new double[16], 4);
        Assert.All(zero.Values, v => Assert.Equal(0, v));
        AssertDecomposes(new double[16], 4, zero);
    }

    [Fact]
    public void LowRankCovarianceDecomposes()
    {
        // A covariance of 5 points in 12 dimensions: rank ≤ 4, the rest of the spectrum is 0.
        const int n = 12, m = 5;
        var rng = new Rng(3);
        var x = Enumerable.Range(0, m * n).Select(_ => rng.NextNormal()).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < m; p++) a[i * n + j] += x[p * n + i] * x[p * n + j];
        var r = SymmetricEigen.Decompose(a, n);
        AssertDecomposes(a, n, r);
        Assert.All(r.Values.Skip(m), v => Assert.True(Math.Abs(v) < 1e-10));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ShapeException>(() => SymmetricEigen.Decompose(new double[5], 2));
        Assert.Throws<DescentException>(() => SymmetricEigen.Decompose([1, double.NaN, double.NaN, 1], 2));
    }
}

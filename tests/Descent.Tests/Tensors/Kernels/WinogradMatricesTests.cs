using System.Runtime.Intrinsics;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors.Kernels;

/// <summary>The Cook–Toom matrices of F(2, r) compute a 2-output correlation exactly, in one and two dimensions.</summary>
public class WinogradMatricesTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void OneDimensional_EqualsTheCorrelation(int r)
    {
        var m = WinogradMatrices.For(r)!;
        int a = m.Alpha;
        var rng = new Rng((ulong)r);
        var g = Enumerable.Range(0, r).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var d = Enumerable.Range(0, a).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var u = Enumerable.Range(0, a).Select(p => Enumerable.Range(0, r).Sum(k => m.G[p, k] * g[k])).ToArray();
        var v = Enumerable.Range(0, a).Select(p => Enumerable.Range(0, a).Sum(j => m.BT[p, j] * d[j])).ToArray();
        for (int i = 0; i < 2; i++)
        {
            double y = Enumerable.Range(0, a).Sum(p => m.AT[i, p] * u[p] * v[p]);
            double expected = Enumerable.Range(0, r).Sum(k => g[k] * d[i + k]);
            Assert.Equal(expected, y, 12);
        }
    }

    [Fact]
    public void TwoDimensional_F2x2_5x5_EqualsTheCorrelation()
    {
        var m = WinogradMatrices.R5;
        int a = m.Alpha, r = m.R;
        var rng = new Rng(9);
        var g = new double[r, r];
        var d = new double[a, a];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) g[i, j] = rng.NextDouble() * 2 - 1;
        for (int i = 0; i < a; i++) for (int j = 0; j < a; j++) d[i, j] = rng.NextDouble() * 2 - 1;
        var u = Mul(Mul(m.G, g), Transpose(m.G));
        var v = Mul(Mul(m.BT, d), Transpose(m.BT));
        var prod = new double[a, a];
        for (int i = 0; i < a; i++) for (int j = 0; j < a; j++) prod[i, j] = u[i, j] * v[i, j];
        var y = Mul(Mul(m.AT, prod), Transpose(m.AT));
        for (int oy = 0; oy < 2; oy++)
            for (int ox = 0; ox < 2; ox++)
            {
                double expected = 0;
                for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) expected += g[i, j] * d[oy + i, ox + j];
                Assert.Equal(expected, y[oy, ox], 11);
            }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public unsafe void SparseTransforms_EqualTheMatrices(int r)
    {
        var m = WinogradMatrices.For(r)!;
        int a = m.Alpha;
        var rng = new Rng(11);
        var d = new Vector128<double>[a];
        for (int i = 0; i < a; i++) d[i] = Vector128.Create(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1);
        var v = new Vector128<double>[a];
        var back = new Vector128<double>[a];
        Vector128<double> y0, y1;
        fixed (Vector128<double>* pd = d, pv = v, pb = back)
        {
            if (r == 3)
            {
                WinogradF23<double, Vector128<double>, Simd128<double>>.Input(pd, 1, pv, 1);
                WinogradF23<double, Vector128<double>, Simd128<double>>.InputAdjoint(pd, 1, pb, 1);
                WinogradF23<double, Vector128<double>, Simd128<double>>.Output(pd, 1, out y0, out y1);
            }
            else
            {
                WinogradF25<double, Vector128<double>, Simd128<double>>.Input(pd, 1, pv, 1);
                WinogradF25<double, Vector128<double>, Simd128<double>>.InputAdjoint(pd, 1, pb, 1);
                WinogradF25<double, Vector128<double>, Simd128<double>>.Output(pd, 1, out y0, out y1);
            }
        }
        for (int lane = 0; lane < 2; lane++)
        {
            for (int i = 0; i < a; i++)
            {
                double bt = 0, b = 0;
                for (int j = 0; j < a; j++)
                {
                    bt += m.BT[i, j] * d[j].GetElement(lane);
                    b += m.BT[j, i] * d[j].GetElement(lane);
                }
                Assert.Equal(bt, v[i].GetElement(lane), 12);
                Assert.Equal(b, back[i].GetElement(lane), 12);
            }
            double e0 = 0, e1 = 0;
            for (int j = 0; j < a; j++) { e0 += m.AT[0, j] * d[j].GetElement(lane); e1 += m.AT[1, j] * d[j].GetElement(lane); }
            Assert.Equal(e0, y0.GetElement(lane), 12);
            Assert.Equal(e1, y1.GetElement(lane), 12);
        }
    }

    private static double[,] Mul(double[,] x, double[,] y)
    {
        int n = x.GetLength(0), k = x.GetLength(1), p = y.GetLength(1);
        var z = new double[n, p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) for (int t = 0; t < k; t++) z[i, j] += x[i, t] * y[t, j];
        return z;
    }

    private static double[,] Transpose(double[,] x)
    {
        var t = new double[x.GetLength(1), x.GetLength(0)];
        for (int i = 0; i < x.GetLength(0); i++) for (int j = 0; j < x.GetLength(1); j++) t[j, i] = x[i, j];
        return t;
    }
}

using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

public class OrthogonalTests
{
    /// <summary>G = M·Mᵀ (rows) or Mᵀ·M (columns) of the [rows, cols] view, in double.</summary>
    private static double[,] Gram(Tensor w, bool ofRows)
    {
        int rows = w.Shape[0], cols = w.Size / rows;
        var a = w.ToDoubleArray();
        int k = ofRows ? rows : cols, inner = ofRows ? cols : rows;
        var g = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int l = 0; l < inner; l++)
                    s += ofRows ? a[i * cols + l] * a[j * cols + l] : a[l * cols + i] * a[l * cols + j];
                g[i, j] = s;
            }
        return g;
    }

    [Theory]
    [InlineData(new[] { 64, 64 }, 1.0, DType.Float32)]
    [InlineData(new[] { 100, 40 }, 1.0, DType.Float32)] // tall: orthonormal columns
    [InlineData(new[] { 40, 100 }, 2.0, DType.Float32)] // wide: orthonormal rows
    [InlineData(new[] { 16, 8, 3, 3 }, 1.0, DType.Float32)] // conv kernel viewed as 16 × 72
    [InlineData(new[] { 100, 20, 2, 2 }, 1.5, DType.Float64)] // 100 × 80: tall
    [InlineData(new[] { 30, 30 }, 5.0 / 3, DType.Float64)]
    public void OrthogonalGivesGainSquaredTimesIdentity(int[] shape, double gain, DType dtype)
    {
        var w = Tensor.Zeros(new Shape(shape), dtype);
        Initializers.Orthogonal(w, new Rng(3), gain);
        int rows = shape[0], cols = w.Size / rows;
        var g = Gram(w, ofRows: rows <= cols);
        for (int i = 0; i < g.GetLength(0); i++)
            for (int j = 0; j < g.GetLength(0); j++)
                Assert.True(Math.Abs(g[i, j] - (i == j ? gain * gain : 0)) < 1e-5,
                    $"Gram[{i},{j}] = {g[i, j]}, expected {(i == j ? gain * gain : 0)}");
    }

    [Fact]
    public void SignFixMakesTheDistributionSymmetric()
    {
        // Without the sign fix of R's diagonal, Householder QR's Q₀₀ = −|x₀|/‖x‖ is always negative
        // (mean ≈ −0.28 for 8×8); Haar-distributed Q has E[Q₀₀] = 0 (Mezzadri 2007).
        var rng = new Rng(11);
        var w = Tensor.Zeros(new Shape(8, 8), DType.Float64);
        var first = new double[400];
        for (int s = 0; s < first.Length; s++)
        {
            Initializers.Orthogonal(w, rng);
            first[s] = w[0, 0];
        }
        double se = Math.Sqrt(1.0 / 8 / first.Length);
        Assert.InRange(first.Average(), -5 * se, 5 * se);
        Assert.Contains(first, x => x > 0);
        Assert.Contains(first, x => x < 0);
    }

    [Fact]
    public void SameStreamSameMatrixOtherStreamOtherMatrix()
    {
        var a = Tensor.Zeros(new Shape(20, 30));
        var b = Tensor.Zeros(new Shape(20, 30));
        var c = Tensor.Zeros(new Shape(20, 30));
        Initializers.Orthogonal(a, new Rng(5));
        Initializers.Orthogonal(b, new Rng(5));
        Initializers.Orthogonal(c, new Rng(6));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
    }

    [Fact]
    public void IdentityIsEyeForMatricesAndDiracForKernels()
    {
        var m = Tensor.Full(new Shape(3, 5), 7);
        Initializers.Identity(m, 2);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
                Assert.Equal(i == j ? 2 : 0, m[i, j]);

        // A Dirac kernel with "same" padding copies input channel i to output channel i (and zeros the rest).
        var conv = new Conv(inChannels: 2, outChannels: 3, kernel: 3);
        Initializers.Identity(conv.Weight);
        var x = Tensor.Randn(new Shape(2, 2, 5, 5), new Rng(4));
        Tensor y;
        using (Descent.Autograd.Autodiff.NoGrad()) y = conv.Forward(x);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int h = 0; h < 5; h++)
                    for (int w = 0; w < 5; w++)
                        Assert.Equal(c < 2 ? x[n, c, h, w] : 0, y[n, c, h, w], 5);
    }
}

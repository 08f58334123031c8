using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors;

/// <summary>Element-wise kernels (vectorized paths) compared with their scalar reference definitions,
/// with plain <see cref="Math"/> formulas, and with published values of erf and GELU.</summary>
public class ElementwiseTests
{
    public static TheoryData<string> UnaryOps()
    {
        var data = new TheoryData<string>();
        foreach (var n in Enum.GetNames<UnaryOp>()) data.Add(n);
        return data;
    }

    private static double Textbook(UnaryOp op, double x) => op switch
    {
        UnaryOp.Exp => Math.Exp(x),
        UnaryOp.Log => Math.Log(x),
        UnaryOp.Sqrt => Math.Sqrt(x),
        UnaryOp.Abs => Math.Abs(x),
        UnaryOp.Tanh => Math.Tanh(x),
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-x)),
        UnaryOp.Relu => x > 0 ? x : 0,
        UnaryOp.Sign => Math.Sign(x),
        UnaryOp.Softplus => Math.Log(1 + Math.Exp(x)),
        UnaryOp.Erf => double.NaN,   // checked against published values below
        UnaryOp.Gelu => double.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    [Theory, MemberData(nameof(UnaryOps))]
    public void UnaryKernelMatchesItsReferenceAndTheFormula(string name)
    {
        var op = Enum.Parse<UnaryOp>(name);
        bool positive = op is UnaryOp.Log or UnaryOp.Sqrt;
        // 37 values: more than one vector of each width, plus a tail; 0 included where defined.
        var x = new double[37];
        for (int i = 0; i < x.Length; i++) x[i] = positive ? 0.05 + 0.25 * i : -6 + i / 3.0;
        var d = new double[x.Length];
        UnaryKernels.Apply<double>(op, x, d);
        var f = new float[x.Length];
        UnaryKernels.Apply<float>(op, x.Select(v => (float)v).ToArray(), f);
        for (int i = 0; i < x.Length; i++)
        {
            double reference = UnaryKernels.Scalar(op, x[i]);
            Assert.Equal(reference, d[i], 1e-14 * Math.Max(1, Math.Abs(reference)));
            Assert.Equal(reference, f[i], 2e-6 * Math.Max(1, Math.Abs(reference)));
            double t = Textbook(op, x[i]);
            if (!double.IsNaN(t)) Assert.Equal(t, reference, 1e-13 * Math.Max(1, Math.Abs(t)));
        }
    }

    public static TheoryData<string> BinaryOps()
    {
        var data = new TheoryData<string>();
        foreach (var n in Enum.GetNames<BinaryOp>()) data.Add(n);
        return data;
    }

    [Theory, MemberData(nameof(BinaryOps))]
    public void BinaryKernelFormsMatchTheReference(string name)
    {
        var op = Enum.Parse<BinaryOp>(name);
        var rng = new Rng(21);
        // Signed values with repeats (ties for Max/Min/Eq); for Pow, integer exponents so negative bases are defined.
        const int n = 41;
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (rng.NextInt(9) - 4) * 0.75;
            y[i] = op == BinaryOp.Pow ? rng.NextInt(7) - 3 : (rng.NextInt(9) - 4) * 0.75;
            if (op == BinaryOp.Div && y[i] == 0) y[i] = 1.5;
        }
        CheckForms(op, x, y, 1e-15);
        CheckForms(op, x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), 1e-6f);
    }

    private static void CheckForms<T>(BinaryOp op, T[] x, T[] y, T relTol) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = x.Length;
        var d = new T[n];
        BinaryKernels.Apply<T>(op, x, y, d);
        for (int i = 0; i < n; i++) AssertClose(BinaryKernels.Scalar(op, x[i], y[i]), d[i], relTol, $"{op}({x[i]}, {y[i]})");
        BinaryKernels.Apply<T>(op, x, y[3], d);
        for (int i = 0; i < n; i++) AssertClose(BinaryKernels.Scalar(op, x[i], y[3]), d[i], relTol, $"{op}({x[i]}, scalar {y[3]})");
        var yy = op == BinaryOp.Div ? y : x;   // scalar-first: the span must avoid 0 for Div
        BinaryKernels.Apply<T>(op, x[5], yy, d);
        for (int i = 0; i < n; i++) AssertClose(BinaryKernels.Scalar(op, x[5], yy[i]), d[i], relTol, $"{op}(scalar {x[5]}, {yy[i]})");
    }

    private static void AssertClose<T>(T expected, T actual, T relTol, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (T.IsNaN(expected)) { Assert.True(T.IsNaN(actual), $"{what}: expected NaN, got {actual}"); return; }
        if (T.IsInfinity(expected)) { Assert.True(expected == actual, $"{what}: expected {expected}, got {actual}"); return; }
        Assert.True(T.Abs(expected - actual) <= relTol * T.Max(T.One, T.Abs(expected)), $"{what}: expected {expected}, got {actual}");
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.9, 0.9999589021219005)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(5.0, 0.9999999999984626)]
    [InlineData(-1.0, -0.8427007929497149)]
    public void ErfMatchesPublishedValues(double x, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.Erf(x), 1e-15);
        Assert.Equal(1 - expected, SpecialFunctions.Erfc(x), 1e-15);
    }

    [Theory]   // on both sides of the approximation's interval ends (0.46875, 4); erfc from mpmath at 30 digits
    [InlineData(0.3, 0.32862675945912741619, 0.67137324054087258381)]
    [InlineData(0.46875, 0.49261347321793799159, 0.50738652678206200841)]
    [InlineData(0.47, 0.49374505088608211241, 0.50625494911391788759)]
    [InlineData(1.7, 0.98379045859077456084, 0.016209541409225439159)]
    [InlineData(3.99, 0.99999998326078863548, 1.6739211364520814057e-8)]
    [InlineData(4.0, 0.99999998458274209972, 1.5417257900280018852e-8)]
    [InlineData(4.01, 0.99999998580306057863, 1.4196939421371051173e-8)]
    [InlineData(6.5, 1.0, 3.8421483271206474699e-20)]
    public void ErfAndErfcAreAccurateAcrossTheIntervals(double x, double erf, double erfc)
    {
        Assert.Equal(erf, SpecialFunctions.Erf(x), 2e-16);
        Assert.Equal(-erf, SpecialFunctions.Erf(-x), 2e-16);
        Assert.Equal(erfc, SpecialFunctions.Erfc(x), 4e-16 * erfc);   // relative, also in the tail
        Assert.Equal(2 - erfc, SpecialFunctions.Erfc(-x), 4e-16);
    }

    [Fact]
    public void ErfcHasNoCancellationInTheTail()
    {
        Assert.Equal(1.5374597944280349e-12, SpecialFunctions.Erfc(5), 1e-24);
        Assert.Equal(2.0884875837625447e-45, SpecialFunctions.Erfc(10), 1e-57);
        Assert.Equal(0, SpecialFunctions.Erfc(30));
        Assert.Equal(2, SpecialFunctions.Erfc(-30));
    }

    [Fact]
    public void GeluMatchesKnownValues()
    {
        // GELU(x) = x Φ(x): Φ(1) = 0.8413447460685429, Φ(−1) = 0.15865525393145707.
        var g = Tensor.From([1.0, -1, 0, 3]).Gelu().ToDoubleArray();
        Assert.Equal(0.8413447460685429, g[0], 14);
        Assert.Equal(-0.15865525393145707, g[1], 14);
        Assert.Equal(0, g[2]);
        Assert.Equal(3 * 0.9986501019683699, g[3], 14);
    }

    [Fact]
    public void SoftplusDoesNotOverflow()
    {
        var s = Tensor.From([1000.0, -1000, 30, -30]).Softplus().ToDoubleArray();
        Assert.Equal(1000, s[0]);
        Assert.Equal(0, s[1], 1e-300);
        Assert.Equal(30 + Math.Exp(-30), s[2], 1e-13);
        Assert.Equal(Math.Exp(-30), s[3], 1e-25);
        Assert.True(Tensor.From([100f, -100f]).Softplus().AllFinite());
    }

    [Fact]
    public void ParameterizedActivationsMatchTheirDefinitions()
    {
        var x = Tensor.From([-2.0, -0.5, 0, 0.5, 2]);
        Assert.Equal(new double[] { -0.2, -0.05, 0, 0.5, 2 }, x.LeakyRelu(0.1).ToDoubleArray());
        var elu = x.Elu(0.7).ToDoubleArray();
        Assert.Equal(0.7 * (Math.Exp(-2) - 1), elu[0], 15);
        Assert.Equal(0, elu[2]);
        Assert.Equal(2, elu[4]);
        Assert.Equal(new double[] { -1, -0.5, 0, 0.5, 1 }, x.Clamp(-1, 1).ToDoubleArray());
        Assert.Equal(new double[] { 0, 0, 0, 0.5, 2 }, x.Relu().ToDoubleArray());
        Assert.Equal(new double[] { -1, -1, 0, 1, 1 }, x.Sign().ToDoubleArray());
        Assert.Throws<ArgumentException>(() => x.Clamp(1, -1));
    }

    [Fact]
    public void ReluAndClampPropagateNaN()
    {
        var x = Tensor.From([double.NaN, 1.0]);
        Assert.True(double.IsNaN(x.Relu().ToDoubleArray()[0]));
        Assert.True(double.IsNaN(x.Clamp(0, 0.5).ToDoubleArray()[0]));
    }

    [Fact]
    public void StepMulVectorAndTailAgree()
    {
        // Long enough for the vector path plus a tail, with slope 0 (ReLU) and a leaky slope.
        int n = 53;
        var g = new float[n];
        var x = new float[n];
        for (int i = 0; i < n; i++) { g[i] = i + 1; x[i] = (i % 3) - 1; }
        foreach (var slope in new[] { 0f, 0.25f })
        {
            var d = new float[n];
            UnaryKernels.StepMul<float>(g, x, slope, d);
            for (int i = 0; i < n; i++) Assert.Equal(x[i] > 0 ? g[i] : slope * g[i], d[i]);
        }
    }

    [Fact]
    public void DropoutMaskKeepsTheExpectedValue()
    {
        var m = Tensor.DropoutMask(new Shape(20_000), 0.25, new Rng(3), DType.Float64).ToDoubleArray();
        Assert.All(m, v => Assert.True(v == 0 || Math.Abs(v - 4.0 / 3) < 1e-15));
        double zeros = m.Count(v => v == 0) / (double)m.Length;
        Assert.InRange(zeros, 0.24, 0.26);
        Assert.InRange(m.Average(), 0.98, 1.02);
        Assert.Throws<ConfigurationException>(() => Tensor.DropoutMask(new Shape(2), 1, new Rng(1)));
    }

    [Fact]
    public void SquaringIsAMultiplyAndOtherPowersAreStillPowers()
    {
        float[] xs = [-3.5f, -0f, 0f, 1e-20f, 7.25f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 3e19f];
        var sq = Tensor.From(xs).Square().Floats.ToArray();
        var cube = Tensor.From(xs).Pow(3).Floats.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.Equal(xs[i] * xs[i], sq[i]);
            Assert.Equal(MathF.Pow(xs[i], 3), cube[i], 5);
        }
        var d = Tensor.From([-1.5, 2e200, double.NaN]).Pow(2).Doubles.ToArray();
        Assert.Equal([2.25, double.PositiveInfinity, double.NaN], d);
    }

    /// <summary>
    /// The exponents with a vector path (0, 1, 2, 3, ½, −½, −1) agree with pow: exactly on zeros of both signs,
    /// infinities and NaN, within two units in the last place elsewhere (cubes and 1/√x round twice); written in
    /// place too. 600 values, so every chunk boundary of the path and the tail are crossed.
    /// </summary>
    [Fact]
    public void PowersWithAVectorPathAgreeWithPow()
    {
        double[] specials = [0, -0.0, 1, -1, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e-300, 3e-160, 1e160];
        var rng = new Rng(8);
        var x = Enumerable.Range(0, 600).Select(i => i % 7 == 0 ? specials[i / 7 % specials.Length] : (rng.NextDouble() - 0.3) * 40).ToArray();
        foreach (double y in new[] { 0, 1, 2, 3, 0.5, -0.5, -1 })
        {
            var d = new double[x.Length];
            BinaryKernels.Apply<double>(BinaryOp.Pow, x, y, d);
            var inPlace = (double[])x.Clone();
            BinaryKernels.Apply<double>(BinaryOp.Pow, inPlace, y, inPlace);
            var xf = x.Select(v => (float)v).ToArray();
            var f = new float[x.Length];
            BinaryKernels.Apply<float>(BinaryOp.Pow, xf, (float)y, f);
            for (int i = 0; i < x.Length; i++)
            {
                AssertPow(Math.Pow(x[i], y), d[i], 4.5e-16, $"{x[i]}^{y}");
                Assert.Equal(d[i], inPlace[i]);
                AssertPow(MathF.Pow(xf[i], (float)y), f[i], 2.4e-7, $"{xf[i]}f^{y}");
            }
        }
    }

    private static void AssertPow<T>(T expected, T actual, double relTol, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (T.IsNaN(expected))
        {
            Assert.True(T.IsNaN(actual), $"{what}: expected NaN, got {actual}");
            return;
        }
        if (T.IsInfinity(expected) || T.IsZero(expected))
        {
            // with the sign, so +0 and −0 differ
            Assert.True(expected.Equals(actual) && T.IsNegative(expected) == T.IsNegative(actual), $"{what}: expected {expected}, got {actual}");
            return;
        }
        double e = double.CreateTruncating(expected), a = double.CreateTruncating(actual);
        Assert.True(Math.Abs(e - a) <= relTol * Math.Abs(e), $"{what}: expected {expected}, got {actual}");
    }

    [Fact]
    public void VectorPathsKeepTheSpecialValuesOfTheScalarDefinitions()
    {
        // 40 values: the specials sit inside full vectors of every width as well as in the tail
        double[] specials = [0, -0.0, 1, -1, 1e-300, 800, -800, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        var x = Enumerable.Range(0, 4).SelectMany(_ => specials).ToArray();
        foreach (var op in new[] { UnaryOp.Exp, UnaryOp.Log, UnaryOp.Sign, UnaryOp.Softplus, UnaryOp.Erf, UnaryOp.Gelu })
        {
            var d = new double[x.Length];
            UnaryKernels.Apply<double>(op, x, d);
            var f = new float[x.Length];
            UnaryKernels.Apply<float>(op, x.Select(v => (float)v).ToArray(), f);
            for (int i = 0; i < x.Length; i++)
            {
                AssertClose(UnaryKernels.Scalar(op, x[i]), d[i], 1e-14, $"{op}({x[i]})");
                AssertClose(UnaryKernels.Scalar(op, (float)x[i]), f[i], 2e-6f, $"{op}((float){x[i]})");
            }
        }
        foreach (var op in new[] { BinaryOp.Gt, BinaryOp.Ge, BinaryOp.Lt, BinaryOp.Le, BinaryOp.Eq })
        {
            var y = x.Reverse().ToArray();
            var d = new double[x.Length];
            BinaryKernels.Apply<double>(op, x, y, d);
            for (int i = 0; i < x.Length; i++) Assert.Equal(BinaryKernels.Scalar(op, x[i], y[i]), d[i]);
            BinaryKernels.Apply<double>(op, x, double.NaN, d);
            Assert.All(d, v => Assert.Equal(0.0, v));   // every comparison with NaN is false
        }
    }

    [Fact]
    public void SoftplusKeepsItsTinyValuesForVeryNegativeInputs()
    {
        // ln(1 + eˣ) ≈ eˣ there: a plain ln(1 + u) would round to 0
        var x = Enumerable.Range(0, 40).Select(i => -20.0 - i).ToArray();
        var d = new double[x.Length];
        UnaryKernels.Apply<double>(UnaryOp.Softplus, x, d);
        var f = new float[x.Length];
        UnaryKernels.Apply<float>(UnaryOp.Softplus, x.Select(v => (float)v).ToArray(), f);
        for (int i = 0; i < x.Length; i++)
        {
            double want = Math.Exp(x[i]) - Math.Exp(2 * x[i]) / 2;
            Assert.Equal(want, d[i], want * 1e-14);
            Assert.Equal(want, f[i], want * 2e-6);
        }
    }
}

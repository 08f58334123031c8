using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

/// <summary>Each scheme's sample mean, variance and bounds match its formula on a large tensor; the
/// tolerances are 5 standard errors of the estimates for that sample size.</summary>
public class SchemeStatisticsTests
{
    private static readonly Shape Matrix = new(300, 400); // fan_in 400, fan_out 300, 120 000 samples
    private static readonly Shape Kernel = new(128, 64, 3, 3); // fan_in 576, fan_out 1152, 73 728 samples

    /// <summary>Variance of N(0, 1) truncated at ±c: 1 − 2cφ(c)/(2Φ(c) − 1), with Φ by Simpson's rule.</summary>
    private static double TruncatedVariance(double c)
    {
        static double Phi(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
        int n = 2000; double h = 2 * c / n, s = Phi(-c) + Phi(c);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * Phi(-c + i * h);
        double mass = s * h / 3;
        return 1 - 2 * c * Phi(c) / mass;
    }

    public static TheoryData<string, int[], double, double, double> Cases()
    {
        double glorotM = 2.0 / (400 + 300), glorotK = 2.0 / (576 + 1152);
        return new()
        {
            // scheme, shape, mean, variance, bound (0 = unbounded)
            { "normal:0.5", [300, 400], 0, 0.25, 0 },
            { "normal:1,0.5", [300, 400], 1, 0.25, 0 },
            { "uniform:0.3", [300, 400], 0, 0.09 / 3, 0.3 },
            { "uniform:-1,3", [300, 400], 1, 16.0 / 12, 0 },
            { "truncated_normal:0.5", [300, 400], 0, 0.25 * TruncatedVariance(2), 1.0 },
            { "lecun_normal", [300, 400], 0, 1.0 / 400, 0 },
            { "lecun_uniform", [300, 400], 0, 1.0 / 400, Math.Sqrt(3.0 / 400) },
            { "glorot_normal", [300, 400], 0, glorotM, 0 },
            { "glorot_uniform", [300, 400], 0, glorotM, Math.Sqrt(6.0 / 700) },
            { "xavier_uniform:2", [300, 400], 0, 4 * glorotM, 2 * Math.Sqrt(6.0 / 700) },
            { "glorot_uniform:tanh", [300, 400], 0, 25.0 / 9 * glorotM, 5.0 / 3 * Math.Sqrt(6.0 / 700) },
            { "he_normal", [300, 400], 0, 2.0 / 400, 0 },
            { "he_normal:fan_out", [300, 400], 0, 2.0 / 300, 0 },
            { "kaiming_uniform", [300, 400], 0, 2.0 / 400, Math.Sqrt(6.0 / 400) },
            { "he_uniform:leaky_relu,0.2,fan_in", [300, 400], 0, 2 / 1.04 / 400, Math.Sqrt(3 * 2 / 1.04 / 400) },
            { "he_normal:tanh", [300, 400], 0, 25.0 / 9 / 400, 0 },
            // convolution kernels [out, in, kH, kW]: fan_in = in·kH·kW, fan_out = out·kH·kW
            { "he_normal", [128, 64, 3, 3], 0, 2.0 / 576, 0 },
            { "he_normal:fan_out", [128, 64, 3, 3], 0, 2.0 / 1152, 0 },
            { "glorot_uniform", [128, 64, 3, 3], 0, glorotK, Math.Sqrt(6.0 / 1728) },
            { "lecun_normal", [128, 64, 3, 3], 0, 1.0 / 576, 0 },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SampleMomentsMatchTheFormula(string scheme, int[] shape, double mean, double variance, double bound)
    {
        var t = Tensor.Zeros(new Shape(shape));
        InitScheme.Parse(scheme).Apply(t, new Rng(17));
        var v = t.ToDoubleArray();
        int n = v.Length;
        double sd = Math.Sqrt(variance);
        Assert.InRange(Stats.Mean(v), mean - 5 * sd / Math.Sqrt(n), mean + 5 * sd / Math.Sqrt(n));
        double seVar = variance * Math.Sqrt(2.0 / n);
        Assert.InRange(Stats.Variance(v), variance - 5 * seVar, variance + 5 * seVar);
        if (bound > 0)
        {
            Assert.All(v, x => Assert.InRange(Math.Abs(x - mean), 0, bound * (1 + 1e-6)));
            Assert.True(v.Max(x => Math.Abs(x - mean)) > 0.99 * bound, "samples should reach close to the bound");
        }
    }

    [Fact]
    public void ConstantsAndDoubleTensors()
    {
        var t = Tensor.Zeros(new Shape(3, 4), DType.Float64);
        InitScheme.Parse("constant:0.1").Apply(t, new Rng(1));
        Assert.All(t.ToDoubleArray(), x => Assert.Equal(0.1, x));
        InitScheme.Parse("ones").Apply(t, new Rng(1));
        Assert.All(t.ToDoubleArray(), x => Assert.Equal(1, x));
        InitScheme.Zeros.Apply(t, new Rng(1));
        Assert.All(t.ToDoubleArray(), x => Assert.Equal(0, x));
        InitScheme.Parse("glorot_normal").Apply(t, new Rng(1));
        Assert.Equal(12, t.ToDoubleArray().Distinct().Count());
    }

    [Theory]
    [InlineData(new[] { 10, 20 }, 20, 10)]
    [InlineData(new[] { 16, 8, 3, 3 }, 72, 144)]
    [InlineData(new[] { 4, 3, 5 }, 15, 20)]
    [InlineData(new[] { 2, 3, 2, 2, 2 }, 24, 16)]
    public void FansFollowPyTorch(int[] shape, int fanIn, int fanOut)
    {
        Assert.Equal(new Fans(fanIn, fanOut), Fans.Of(new Shape(shape)));
    }

    [Fact]
    public void FansOfAVectorAreAnError()
    {
        var e = Assert.Throws<ShapeException>(() => Fans.Of(new Shape(5)));
        Assert.Contains("[5]", e.Message);
        Assert.Throws<ShapeException>(() => Initializers.GlorotUniform(Tensor.Zeros(new Shape(7)), new Rng(1)));
    }

    [Fact]
    public void GainsAreThoseOfPyTorchCalculateGain()
    {
        foreach (var linear in new[] { "linear", "conv1d", "conv2d", "conv3d", "conv_transpose2d", "sigmoid" })
            Assert.Equal(1, Initializers.Gain(linear));
        Assert.Equal(5.0 / 3, Initializers.Gain("tanh"), 15);
        Assert.Equal(Math.Sqrt(2), Initializers.Gain("relu"), 15);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), Initializers.Gain("leaky_relu"), 15);
        Assert.Equal(Math.Sqrt(2 / 1.04), Initializers.Gain("Leaky-ReLU", 0.2), 15);
        Assert.Equal(Math.Sqrt(2), Initializers.Gain("leaky_relu", 0), 15);
        Assert.Equal(0.75, Initializers.Gain("selu"));
        var e = Assert.Throws<ConfigurationException>(() => Initializers.Gain("swish"));
        Assert.Contains("swish", e.Message);
        Assert.Contains("leaky_relu", e.Message);
        Assert.Contains("tanh", e.Message);
    }
}

using Descent.Nn.Init;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

/// <summary>
/// <see cref="SignalProbe"/> on small MLPs (W×W layers, a random output gradient): the course's claims about
/// initialization (MISSION §3) measured through the probe's report.
/// </summary>
public class SignalProbeTests
{
    private static SignalReport Probe(string scheme, string activation = "tanh", int depth = 6, int width = 64, int batch = 256,
        double inputStd = 1, string bias = "zeros", ulong seed = 0) =>
        SignalProbe.Run(new SignalProbeOptions
        {
            Scheme = scheme, Activation = activation, Depth = depth, Width = width, Batch = batch, InputStd = inputStd, BiasScheme = bias, Seed = seed,
        });

    private static double Spread(IEnumerable<double> values)
    {
        var v = values.ToArray();
        return v.Max() / v.Min();
    }

    private static string List(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("G3")));

    [Fact]
    public void GlorotOnTanhInTheLinearRegime_KeepsActivationsAndGradientsWithinAFactorTwo()
    {
        // Inputs of std 0.1 keep tanh in its linear regime (tanh'(0) = 1), where Glorot & Bengio's derivation holds.
        var r = Probe("glorot_uniform", depth: 8, width: 128, inputStd: 0.1);
        var grads = r.Layers.Select(l => l.ActivationGradient.Variance).ToArray();
        var acts = r.Layers.Select(l => l.Activation.Variance).ToArray();
        Assert.True(Spread(grads) < 2, $"Var(∂L/∂h) per layer: {List(grads)}");
        Assert.True(Spread(acts) < 2, $"Var(h) per layer: {List(acts)}");
        // Var(z₁) = fan_in · Var(W) · Var(x) = 128 · (2/256) · 0.01 = 0.01.
        Assert.InRange(r.Layers[0].PreActivation.Variance, 0.008, 0.012);
        Assert.Equal(0, r.MaxSaturated);
        Assert.StartsWith("healthy", r.Verdict);
        Assert.Empty(r.Findings);
    }

    [Fact]
    public void StandardNormalWeights_SaturateTanh_AndTheGradientsExplode()
    {
        // Var(z) ≈ 128·Var(h) ≈ 120: |z| > atanh(0.99) ≈ 2.65 for about 80% of the elements.
        var r = Probe("normal:1", width: 128);
        Assert.All(r.Layers, l => Assert.True(l.Saturated > 0.7, $"layer {l.Index}: only {l.Saturated:P1} saturated"));
        Assert.True(r.Layers[0].PreActivation.Variance > 100, $"Var(z1) = {r.Layers[0].PreActivation.Variance}");
        // Each layer multiplies the back-propagated variance by about 128·E[tanh'(z)²] ≈ 6.
        Assert.True(r.GradientRatio > 1e3, $"gradient ratio {r.GradientRatio}");
        Assert.Contains("gradients explode by", r.Verdict);
        Assert.Contains("saturated", r.Verdict);
    }

    [Fact]
    public void ZeroInit_GivesExactlyZeroWeightGradients()
    {
        var r = Probe("zeros", depth: 4, width: 16);
        Assert.True(r.WeightGradientsAllZero);
        Assert.All(r.Layers, l => Assert.True(l.WeightGradient.IsZero && l.Activation.IsZero, $"layer {l.Index}"));
        // ∂L/∂h_L = R reaches the top layer and stops there: Wᵀ = 0 passes nothing down.
        Assert.True(r.Layers[^1].ActivationGradient.Variance > 0.5);
        Assert.All(r.Layers.Take(3), l => Assert.True(l.ActivationGradient.IsZero));
        Assert.Contains("every weight gradient is exactly 0", r.Verdict);
    }

    [Theory]
    [InlineData("constant:0.1", "tanh")]
    [InlineData("zeros", "relu")]
    [InlineData("constant:-0.05", "sigmoid")]
    public void ConstantInit_LeavesOneDistinctUnitPerLayer(string scheme, string activation)
    {
        var r = Probe(scheme, activation, depth: 3, width: 32, batch: 64);
        Assert.All(r.Layers, l => Assert.Equal(1, l.DistinctUnits));
        Assert.Contains("every layer has 1 distinct unit of 32", r.Verdict);

        var random = Probe("glorot_uniform", activation, depth: 3, width: 32, batch: 64);
        Assert.All(random.Layers, l => Assert.Equal(32, l.DistinctUnits));
        Assert.DoesNotContain("distinct", random.Verdict);
    }

    [Fact]
    public void UnitsWithEqualWeightsButRandomBiasesAreDistinct()
    {
        // A unit is its row of [W | b]: random biases alone already make the units compute different functions.
        var r = Probe("constant:0.1", "tanh", depth: 2, width: 16, batch: 32, bias: "normal:1");
        Assert.All(r.Layers, l => Assert.Equal(16, l.DistinctUnits));
        Assert.DoesNotContain("distinct", r.Verdict);
    }

    [Fact]
    public void Lsuv_GivesUnitPreActivationVarianceOnAFreshBatch()
    {
        // Inputs of std 3: plain orthogonal weights pass Var(z₁) = 9 on; LSUV rescales every layer to 1.
        var plain = Probe("orthogonal", depth: 5, width: 64, batch: 512, inputStd: 3);
        Assert.InRange(plain.Layers[0].PreActivation.Variance, 7, 11);

        var r = Probe("lsuv", depth: 5, width: 64, batch: 512, inputStd: 3);
        Assert.NotNull(r.Lsuv);
        Assert.Equal(5, r.Lsuv!.Count);
        Assert.All(r.Lsuv, l => Assert.True(l.Converged, $"LSUV layer {l.Name}: variance {l.Variance}"));
        // Measured on the probe batch, which LSUV did not see.
        Assert.All(r.Layers, l => Assert.InRange(l.PreActivation.Variance, 0.8, 1.25));
        Assert.Equal("lsuv:orthogonal", r.Scheme);
    }

    [Fact]
    public void LsuvAcceptsAnotherPreInitialization()
    {
        var r = Probe("lsuv:normal:0.5", depth: 3, width: 32, batch: 256);
        Assert.Equal("lsuv:normal:0.5", r.Scheme);
        Assert.All(r.Layers, l => Assert.InRange(l.PreActivation.Variance, 0.8, 1.25));
    }

    [Fact]
    public void HeKeepsReluVarianceWhileANegativeBiasKillsEveryUnit()
    {
        // He: Var(z_l) = 2·E[h²_{l−1}] = Var(z_{l−1}) for ReLU; Var(z₁) = 2·Var(x) = 2.
        var he = Probe("he_normal", "relu", width: 128);
        var pre = he.Layers.Select(l => l.PreActivation.Variance).ToArray();
        Assert.True(Spread(pre) < 2, $"Var(z) per layer: {List(pre)}");
        Assert.InRange(pre[0], 1.6, 2.4);
        Assert.True(he.MaxDead < 0.1, $"{he.MaxDead:P0} dead");

        // z₁ ~ N(−5, 1): no unit fires on the batch, and every later layer only sees zeros.
        var dead = Probe("glorot_uniform", "relu", depth: 3, width: 16, bias: "constant:-5");
        Assert.All(dead.Layers, l => Assert.Equal(1.0, l.Dead));
        Assert.Contains("100% of units dead (never active on the batch) in every layer", dead.Verdict);
    }

    [Fact]
    public void SmallWeightsMakeTheSignalShrinkInBothDirections()
    {
        var r = Probe("normal:0.01", "tanh", depth: 4, width: 64);
        // Var(z_l) ≈ 64·1e-4·Var(h_{l−1}): about 156× less per layer.
        Assert.True(r.ActivationRatio < 1e-4, $"activation ratio {r.ActivationRatio}");
        Assert.True(r.GradientRatio < 1e-4, $"gradient ratio {r.GradientRatio}");
        Assert.Contains("activations shrink by", r.Verdict);
        Assert.Contains("gradients vanish by", r.Verdict);
    }

    [Fact]
    public void SameSeedSameReport_OtherSeedOtherReport()
    {
        var a = Probe("glorot_uniform", depth: 3, width: 32, batch: 64, seed: 5);
        var b = Probe("glorot_uniform", depth: 3, width: 32, batch: 64, seed: 5);
        var c = Probe("glorot_uniform", depth: 3, width: 32, batch: 64, seed: 6);
        Assert.Equal(a.Layers, b.Layers);
        Assert.NotEqual(a.Layers[0].Activation, c.Layers[0].Activation);
    }

    [Fact]
    public void Float32GivesTheSameStatisticsToSinglePrecision()
    {
        var options = new SignalProbeOptions { Scheme = "he_normal", Activation = "relu", Depth = 3, Width = 32, Batch = 64 };
        var f64 = SignalProbe.Run(options);
        var f32 = SignalProbe.Run(options with { DType = DType.Float32 });
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(f64.Layers[i].Activation.Variance, f32.Layers[i].Activation.Variance, 1e-4);
            Assert.Equal(1, f64.Layers[i].WeightGradient.Variance / f32.Layers[i].WeightGradient.Variance, 1e-3);
        }
    }

    [Theory]
    [InlineData("glorot", "tanh", 2, 4, "Unknown initialization scheme 'glorot'")]
    [InlineData("glorot_uniform", "tanhh", 2, 4, "Unknown activation 'tanhh'")]
    [InlineData("glorot_uniform", "tanh", 0, 4, "depth must be at least 1")]
    [InlineData("glorot_uniform", "tanh", 2, 0, "width must be at least 1")]
    [InlineData("lsuv:bogus", "tanh", 2, 4, "Unknown initialization scheme 'bogus'")]
    public void BadOptionsFailWithOneClearMessage(string scheme, string activation, int depth, int width, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Probe(scheme, activation, depth, width));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MatrixSchemesAreRejectedForBiases()
    {
        var e = Assert.Throws<ConfigurationException>(() => Probe("glorot_uniform", bias: "he_normal", depth: 2, width: 4));
        Assert.Contains("Bias scheme 'he_normal'", e.Message);
    }

    [Theory]
    [InlineData(8.13, "8.1×")]
    [InlineData(81.3, "81×")]
    [InlineData(3.08e8, "3.1×10⁸×")]
    [InlineData(3e8, "3×10⁸×")]
    [InlineData(9.96e4, "1×10⁵×")]
    public void FactorsAreWrittenWithTwoSignificantDigits(double x, string expected) =>
        Assert.Equal(expected, SignalVerdict.Factor(x));
}

using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>The xoshiro256** stream: determinism, state save/restore, named streams, ranges and
/// rough distribution checks.</summary>
public class RngTests
{
    private static ulong[] Draw(Rng r, int n) => Enumerable.Range(0, n).Select(_ => r.NextUInt64()).ToArray();

    [Fact]
    public void SameSeedSameSequence()
    {
        Assert.Equal(Draw(new Rng(42), 100), Draw(new Rng(42), 100));
        Assert.NotEqual(Draw(new Rng(42), 10), Draw(new Rng(43), 10));
    }

    [Fact]
    public void MatchesTheXoshiroReferenceOutputs()
    {
        // xoshiro256** from state {1, 2, 3, 4}: outputs of the published algorithm (Blackman & Vigna 2018), computed independently.
        var r = new Rng(0);
        r.SetState([1, 2, 3, 4, 0, 0]);
        Assert.Equal(new ulong[] { 11520, 0, 1509978240, 1215971899390074240 }, Draw(r, 4));
    }

    [Fact]
    public void StateSaveAndRestoreReplaysTheSequence()
    {
        var r = new Rng(5);
        for (int i = 0; i < 17; i++) r.NextNormal();   // leaves a spare normal cached
        var state = r.GetState();
        var a = Enumerable.Range(0, 20).Select(_ => r.NextNormal()).ToArray();
        var other = new Rng(999);
        other.SetState(state);
        var b = Enumerable.Range(0, 20).Select(_ => other.NextNormal()).ToArray();
        Assert.Equal(a, b);
        Assert.Throws<DataFormatException>(() => other.SetState(new ulong[4]));
    }

    [Fact]
    public void NamedStreamsAreIndependentAndReproducible()
    {
        Assert.Equal(Draw(Rng.Stream(1, "init"), 10), Draw(Rng.Stream(1, "init"), 10));
        Assert.NotEqual(Draw(Rng.Stream(1, "init"), 10), Draw(Rng.Stream(1, "data"), 10));
        Assert.NotEqual(Draw(Rng.Stream(1, "init"), 10), Draw(Rng.Stream(2, "init"), 10));
        // Drawing from one stream does not move another.
        var a = Rng.Stream(3, "dropout");
        var b = Rng.Stream(3, "augment");
        var bFirst = b.NextUInt64();
        for (int i = 0; i < 100; i++) a.NextUInt64();
        Assert.Equal(Rng.Stream(3, "augment").NextUInt64(), bFirst);
        // Two streams are uncorrelated: the correlation of their uniforms is near 0.
        var u = Enumerable.Range(0, 20_000).Select(_ => a.NextDouble() - 0.5).ToArray();
        var v = Enumerable.Range(0, 20_000).Select(_ => b.NextDouble() - 0.5).ToArray();
        double corr = u.Zip(v, (p, q) => p * q).Sum() / Math.Sqrt(u.Sum(p => p * p) * v.Sum(q => q * q));
        Assert.InRange(corr, -0.03, 0.03);
    }

    [Fact]
    public void NextIntStaysInRangeAndIsRoughlyUniform()
    {
        var r = new Rng(11);
        const int n = 7, draws = 70_000;
        var counts = new int[n];
        for (int i = 0; i < draws; i++)
        {
            int k = r.NextInt(n);
            Assert.InRange(k, 0, n - 1);
            counts[k]++;
        }
        // χ² with 6 degrees of freedom: P(χ² > 22.5) ≈ 0.001.
        double expected = draws / (double)n;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 22.5, $"chi2 = {chi2}");
        Assert.Equal(0, r.NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.NextInt(0));
        for (int i = 0; i < 1000; i++) Assert.InRange(r.NextInt(int.MaxValue), 0, int.MaxValue - 1);
    }

    [Fact]
    public void UniformAndNormalMoments()
    {
        var r = new Rng(12);
        var u = Enumerable.Range(0, 50_000).Select(_ => r.NextDouble()).ToArray();
        Assert.All(u, x => Assert.InRange(x, 0, 1 - 1e-17));
        Assert.InRange(u.Average(), 0.49, 0.51);
        var f = Enumerable.Range(0, 1000).Select(_ => r.NextFloat()).ToArray();
        Assert.All(f, x => Assert.True(x >= 0 && x < 1));
        var z = Enumerable.Range(0, 50_000).Select(_ => r.NextNormal()).ToArray();
        double mean = z.Average(), var = z.Select(x => (x - mean) * (x - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(var, 0.97, 1.03);
        Assert.InRange(z.Count(x => Math.Abs(x) < 1) / (double)z.Length, 0.675, 0.69);   // 68.27 %
    }

    [Fact]
    public void PermutationIsAPermutation()
    {
        var p = new Rng(4).Permutation(50);
        Assert.Equal(Enumerable.Range(0, 50), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), p);
        Assert.Equal(p, new Rng(4).Permutation(50));
    }

    [Fact]
    public void RandnAndRandTensorsFollowTheirParameters()
    {
        var x = Tensor.Randn(new Shape(200, 100), new Rng(1), mean: 3, std: 2, dtype: DType.Float64);
        Assert.InRange(x.Mean().Item(), 2.95, 3.05);
        Assert.InRange(x.Var().Item(), 3.85, 4.15);
        var u = Tensor.Rand(new Shape(10_000), new Rng(1), -2, 5);
        Assert.True(u.Min().Item() >= -2 && u.Max().Item() < 5);
        Assert.Equal(Tensor.Randn(new Shape(5), new Rng(9)).ToArray(), Tensor.Randn(new Shape(5), new Rng(9)).ToArray());
    }
}

using System.Text.Json;
using Descent.Data;

namespace Descent.Tests.Data;

public sealed class SamplerTests
{
    private static void AssertEachIndexOnce(IEnumerable<int[]> batches, int n) =>
        Assert.Equal(Enumerable.Range(0, n), batches.SelectMany(b => b).Order());

    [Fact]
    public void ShuffledEpochsCoverEveryIndexOnceWithAPartialLastBatch()
    {
        var sampler = new ShuffledSampler(103, 10, seed: 1);
        Assert.Equal(11, sampler.BatchesPerEpoch(0));
        var epoch0 = sampler.Epoch(0).ToList();
        var epoch1 = sampler.Epoch(1).ToList();
        Assert.Equal(11, epoch0.Count);
        Assert.All(epoch0.Take(10), b => Assert.Equal(10, b.Length));
        Assert.Equal(3, epoch0[^1].Length);
        AssertEachIndexOnce(epoch0, 103);
        AssertEachIndexOnce(epoch1, 103);
        Assert.NotEqual(epoch0.SelectMany(b => b), epoch1.SelectMany(b => b)); // reshuffled each epoch
        Assert.NotEqual(Enumerable.Range(0, 103), epoch0.SelectMany(b => b));
        var same = new ShuffledSampler(103, 10, seed: 1).Epoch(1).SelectMany(b => b);
        Assert.Equal(epoch1.SelectMany(b => b), same);
    }

    [Fact]
    public void DropLastKeepsOnlyFullBatches()
    {
        var sampler = new ShuffledSampler(103, 10, seed: 1, dropLast: true);
        var batches = sampler.Epoch(0).ToList();
        Assert.Equal(10, sampler.BatchesPerEpoch(0));
        Assert.Equal(10, batches.Count);
        Assert.All(batches, b => Assert.Equal(10, b.Length));
        Assert.Equal(100, batches.SelectMany(b => b).Distinct().Count());
        Assert.Throws<ConfigurationException>(() => new ShuffledSampler(5, 10, 0, dropLast: true));
        Assert.Throws<ConfigurationException>(() => new ShuffledSampler(5, 0, 0));
    }

    [Fact]
    public void UniformDrawsWithReplacementAreUniform()
    {
        const int n = 20, b = 50;
        var sampler = new UniformSampler(n, b, seed: 7);
        Assert.Equal(1, sampler.BatchesPerEpoch(0)); // ⌈N/B⌉
        var counts = new int[n];
        bool repeatsInABatch = false;
        for (int epoch = 0; epoch < 200; epoch++)
            foreach (var batch in sampler.Epoch(epoch))
            {
                Assert.Equal(b, batch.Length);
                repeatsInABatch |= batch.Distinct().Count() < batch.Length;
                foreach (int i in batch) counts[i]++;
            }
        Assert.True(repeatsInABatch);
        double expected = 200.0 * b / n;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 45, $"chi-square {chi2:F1} with 19 degrees of freedom (p ≈ 0.001 at 43.8)"); // fixed seed
        Assert.Equal(30, new UniformSampler(100, 7, 0, batchesPerEpoch: 30).Epoch(0).Count());
        Assert.Equal(15, new UniformSampler(100, 7, 0).BatchesPerEpoch(3));
    }

    [Fact]
    public void FullBatchYieldsEveryIndexInOrderOncePerEpoch()
    {
        var sampler = new FullBatchSampler(17);
        var epoch = sampler.Epoch(4).ToList();
        Assert.Single(epoch);
        Assert.Equal(Enumerable.Range(0, 17), epoch[0]);
        Assert.Equal(17, sampler.BatchSize(0));
    }

    [Fact]
    public void OnlineYieldsSingleIndicesCoveringTheEpoch()
    {
        var sampler = new OnlineSampler(30, seed: 2);
        var batches = sampler.Epoch(0).ToList();
        Assert.Equal(30, sampler.BatchesPerEpoch(0));
        Assert.All(batches, b => Assert.Single(b));
        AssertEachIndexOnce(batches, 30);
        Assert.Equal("online", sampler.State.Kind);
    }

    [Fact]
    public void GrowingBatchSizesFollowTheSchedule()
    {
        var schedule = GrowingBatchSampler.Doubling(initial: 4, everyEpochs: 2, max: 32);
        Assert.Equal([4, 4, 8, 8, 16, 16, 32, 32, 32], Enumerable.Range(0, 9).Select(schedule));
        var sampler = new GrowingBatchSampler(64, schedule, seed: 3);
        for (int epoch = 0; epoch < 9; epoch++)
        {
            int b = schedule(epoch);
            var batches = sampler.Epoch(epoch).ToList();
            Assert.Equal(64 / b, batches.Count);
            Assert.Equal(64 / b, sampler.BatchesPerEpoch(epoch));
            Assert.All(batches, x => Assert.Equal(b, x.Length));
            AssertEachIndexOnce(batches, 64);
        }
        var custom = new GrowingBatchSampler(10, e => 3 + e, seed: 0);
        Assert.Equal([3, 3, 3, 1], custom.Epoch(0).Select(x => x.Length));
        Assert.Equal(10, custom.BatchSize(50)); // clamped to N
        Assert.Throws<ConfigurationException>(() => new GrowingBatchSampler(10, _ => 0, 0));
    }

    [Fact]
    public void CurriculumStartsEasyGrowsThePoolAndEventuallyCoversAll()
    {
        const int n = 200;
        var rng = new Descent.Tensors.Rng(11);
        var difficulty = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var easiest = Enumerable.Range(0, n).OrderBy(i => difficulty[i]).ToArray();
        var sampler = new CurriculumSampler(difficulty, 16, seed: 4,
            new CurriculumOptions(StartFraction: 0.25, RampEpochs: 3, RandomFraction: 0));
        var first = sampler.Epoch(0).SelectMany(b => b).ToList();
        Assert.Equal(50, first.Count);
        Assert.Equal(easiest.Take(50).Order(), first.Order()); // only the easiest quarter, each once
        Assert.Equal([50, 100, 150, 200, 200], Enumerable.Range(0, 5).Select(sampler.PoolSize));
        AssertEachIndexOnce(sampler.Epoch(3), n);
        AssertEachIndexOnce(sampler.Epoch(7), n);
        Assert.Equal(13, sampler.BatchesPerEpoch(3));
    }

    [Fact]
    public void CurriculumMixingAddsRandomHarderExamplesAndCanOrderEasyFirst()
    {
        const int n = 100;
        var difficulty = Enumerable.Range(0, n).Select(i => (double)((i * 37) % n)).ToArray(); // rank = (37 i) mod 100
        var mixed = new CurriculumSampler(difficulty, 8, seed: 5,
            new CurriculumOptions(StartFraction: 0.3, RampEpochs: 4, RandomFraction: 0.2));
        var epoch0 = mixed.Epoch(0).SelectMany(b => b).ToList();
        Assert.Equal(36, epoch0.Count); // 30 easiest + 6 others
        Assert.Equal(36, epoch0.Distinct().Count());
        Assert.Equal(30, epoch0.Count(i => difficulty[i] < 30));
        Assert.Equal(6, epoch0.Count(i => difficulty[i] >= 30));

        var ordered = new CurriculumSampler(difficulty, 8, seed: 5,
            new CurriculumOptions(StartFraction: 1, RampEpochs: 0, RandomFraction: 0, Window: 0));
        var order = ordered.Epoch(0).SelectMany(b => b).Select(i => difficulty[i]).ToList();
        Assert.Equal(order.Order(), order); // strictly easy to hard
        var jittered = new CurriculumSampler(difficulty, 8, seed: 5,
            new CurriculumOptions(StartFraction: 1, RampEpochs: 0, RandomFraction: 0, Window: 5));
        var ranks = jittered.Epoch(0).SelectMany(b => b).Select(i => difficulty[i]).ToList();
        Assert.NotEqual(ranks.Order(), ranks);
        Assert.All(Enumerable.Range(0, n), p => Assert.InRange(ranks[p], p - 5, p + 5));
    }

    public static TheoryData<string> Kinds => new() { "shuffle", "uniform", "full-batch", "online", "growing", "curriculum" };

    private static ISampler Make(string kind, ulong seed) => kind switch
    {
        "shuffle" => new ShuffledSampler(45, 7, seed),
        "uniform" => new UniformSampler(45, 7, seed),
        "full-batch" => new FullBatchSampler(45),
        "online" => new OnlineSampler(45, seed),
        "growing" => new GrowingBatchSampler(45, GrowingBatchSampler.Doubling(3, 1, 20), seed),
        _ => new CurriculumSampler(Enumerable.Range(0, 45).Select(i => (double)(i * 17 % 45)).ToArray(), 4, seed,
            new CurriculumOptions(0.3, 3, 0.2)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SavedStateContinuesExactlyLikeAnUninterruptedRun(string kind)
    {
        var reference = Make(kind, 99);
        var uninterrupted = Enumerable.Range(0, 4).SelectMany(e => reference.Epoch(e).ToList()).ToList();

        var first = Make(kind, 99);
        var seen = new List<int[]>();
        seen.AddRange(first.Epoch(0));
        seen.AddRange(first.Epoch(1));
        int half = first.BatchesPerEpoch(2) / 2;
        seen.AddRange(first.Epoch(2).Take(half));
        string json = JsonSerializer.Serialize(first.State);
        var state = JsonSerializer.Deserialize<SamplerState>(json)!;
        Assert.Equal(new SamplerState(kind, 45, first.State.Seed, 2, half), state);

        var resumed = Make(kind, 12345); // a different seed: the state's seed wins
        resumed.Restore(state);
        for (int e = state.Epoch; e < 4; e++) seen.AddRange(resumed.Epoch(e));
        Assert.Equal(uninterrupted.Count, seen.Count);
        for (int i = 0; i < seen.Count; i++) Assert.Equal(uninterrupted[i], seen[i]);
        Assert.Equal(new SamplerState(kind, 45, state.Seed, 4, 0), resumed.State);
    }

    [Fact]
    public void RestoreRejectsAnotherKindOrSize()
    {
        var s = new ShuffledSampler(45, 7, 1);
        Assert.Throws<DataFormatException>(() => s.Restore(new UniformSampler(45, 7, 1).State));
        Assert.Throws<DataFormatException>(() => s.Restore(new ShuffledSampler(46, 7, 1).State));
        Assert.Throws<DataFormatException>(() => s.Restore(new SamplerState("shuffle", 45, 1, -1, 0)));
    }

    [Fact]
    public void EpochsAreIndependentOfTheOrderTheyAreRequested()
    {
        var a = new ShuffledSampler(30, 4, 8);
        var b = new ShuffledSampler(30, 4, 8);
        var late = a.Epoch(5).SelectMany(x => x).ToList();
        for (int e = 0; e < 5; e++) b.Epoch(e).ToList();
        Assert.Equal(late, b.Epoch(5).SelectMany(x => x));
    }
}

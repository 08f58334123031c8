using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Problems;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997): each input is a sequence of T pairs (a value
/// from U(0, 1), a marker); exactly two markers are 1, one in each half, and the target is the sum of the two
/// marked values. Predicting the mean (1.0) gives a mean squared error of about 1/6; learning requires
/// carrying information across up to T steps, a classic test of vanishing gradients. Model: an LSTM with
/// <see cref="Hidden"/> units, then a linear read-out of its last state.
/// </summary>
public sealed class LstmAdding(int length = 50, int hidden = 32) : Problem
{
    /// <summary>Sequence length T.</summary>
    public int Length { get; } = length >= 2 ? length : throw new ConfigurationException($"The adding problem needs sequences of length ≥ 2, got {length}.");

    /// <summary>Number of LSTM units.</summary>
    public int Hidden { get; } = hidden;

    /// <inheritdoc />
    public override string Name => "lstm_adding";

    /// <inheritdoc />
    public override string Description => $"LSTM({Hidden}) on the adding problem, sequences of length {Length}";

    /// <inheritdoc />
    public override bool IsClassification => false;

    /// <inheritdoc />
    public override int DefaultBatchSize => 64;

    /// <inheritdoc />
    public override ILoss Loss { get; } = new MeanSquaredError();

    /// <inheritdoc />
    public override Module BuildModel(ulong seed)
    {
        var rng = Rng.Stream(seed, "init");
        return new Sequential(new Lstm(2, Hidden, returnSequences: false, rng: rng), new Linear(Hidden, 1, rng: rng));
    }

    /// <inheritdoc />
    public override DataSplits LoadData(ProblemContext context) => new(
        Generate(10000, Rng.Stream(context.Seed, "adding.train"), "train"),
        Generate(1000, Rng.Stream(context.Seed, "adding.validation"), "validation"),
        Generate(1000, Rng.Stream(context.Seed, "adding.test"), "test"),
        $"synthetic adding problem, T = {Length} (seeded)");

    /// <summary>Generates <paramref name="count"/> sequences [N, T, 2] and their targets [N, 1].</summary>
    public Dataset Generate(int count, Rng rng, string split)
    {
        int t = Length, half = t / 2;
        var x = new float[count * t * 2];
        var y = new float[count];
        for (int n = 0; n < count; n++)
        {
            int a = rng.NextInt(half), b = half + rng.NextInt(t - half);
            for (int s = 0; s < t; s++)
            {
                float v = rng.NextFloat();
                x[(n * t + s) * 2] = v;
                if (s == a || s == b) { x[(n * t + s) * 2 + 1] = 1; y[n] += v; }
            }
        }
        return new Dataset(Tensor.Wrap(x, count, t, 2), targets: Tensor.Wrap(y, count, 1), name: "adding " + split);
    }
}

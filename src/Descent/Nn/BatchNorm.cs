using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Nn;

/// <summary>
/// Batch normalization (Ioffe &amp; Szegedy 2015) over the channel axis 1: in training mode each channel is
/// normalized with the mini-batch mean and (biased) variance, <c>x̂ = (x − μ_B)/√(σ²_B + ε)</c>, then scaled
/// and shifted, <c>y = γ·x̂ + β</c>; the running averages <c>r ← (1 − m)·r + m·batch</c> (the variance's
/// batch value unbiased, n/(n − 1)·σ²_B, like PyTorch) are used instead in evaluation mode. Buffers
/// and parameter names follow PyTorch (<c>weight</c> = γ, <c>bias</c> = β, <c>running_mean</c>,
/// <c>running_var</c>, <c>num_batches_tracked</c>).
/// <para>With <c>meanOnly</c>, this is mean-only batch normalization (Salimans &amp; Kingma 2016, §3.2,
/// meant to be combined with <see cref="WeightNorm"/>): <c>y = x − μ_B + β</c>, no division by the standard
/// deviation and no scale γ; only the running mean is kept.</para>
/// </summary>
public abstract class BatchNormBase : Module
{
    private readonly Tensor? runningMean, runningVar, batchesTracked;

    /// <summary>Registers γ, β and the running statistics.</summary>
    protected BatchNormBase(int features, double eps, double? momentum, bool affine, bool meanOnly, DType dtype)
    {
        if (features <= 0) throw new ConfigurationException($"{GetType().Name} needs a positive number of features, got {features}.");
        if (momentum is { } m && (m < 0 || m > 1 || double.IsNaN(m)))
            throw new ConfigurationException($"{GetType().Name} momentum must be in [0, 1] (or null for a cumulative average), got {m}.");
        if (!(eps >= 0)) throw new ConfigurationException($"{GetType().Name} eps must be non-negative, got {eps}.");
        Features = features;
        Eps = eps;
        Momentum = momentum;
        MeanOnly = meanOnly;
        if (affine && !meanOnly) Scale = AddParameter("weight", Tensor.Ones(new Shape(features), dtype), ParameterKind.NormScale);
        if (affine) Shift = AddParameter("bias", Tensor.Zeros(new Shape(features), dtype), ParameterKind.NormShift);
        runningMean = AddBuffer("running_mean", Tensor.Zeros(new Shape(features), dtype));
        if (!meanOnly) runningVar = AddBuffer("running_var", Tensor.Ones(new Shape(features), dtype));
        batchesTracked = AddBuffer("num_batches_tracked", Tensor.Zeros(Shape.Scalar, dtype));
    }

    /// <summary>Number of channels C.</summary>
    public int Features { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Weight of the newest batch in the running averages (PyTorch's default 0.1); null for a
    /// cumulative average over all batches seen.</summary>
    public double? Momentum { get; }

    /// <summary>True for mean-only batch normalization.</summary>
    public bool MeanOnly { get; }

    /// <summary>The learned scale γ (initialized to 1), or null (mean-only, or no affine transform).</summary>
    public Parameter? Scale { get; }

    /// <summary>The learned shift β (initialized to 0), or null without affine transform.</summary>
    public Parameter? Shift { get; }

    /// <summary>The running mean per channel (a buffer).</summary>
    public Tensor RunningMean => runningMean!;

    /// <summary>The running (unbiased) variance per channel, or null for mean-only normalization.</summary>
    public Tensor? RunningVar => runningVar;

    /// <summary>How many training batches updated the running statistics.</summary>
    public long BatchesTracked => (long)batchesTracked!.Item();

    /// <summary>
    /// Synchronised batch normalization: a function that sums a tensor over the processes of a data-parallel job
    /// (differentiably: its gradient is the same sum of the gradients). When set, the training-mode mean and
    /// variance are those of the global batch, every process's shard together, instead of this process's shard
    /// alone. Null (the default): each process normalizes with its own shard.
    /// </summary>
    public Func<Tensor, Tensor>? CrossProcessSum { get; set; }

    /// <summary>Checks the input's rank and channel count; returns the shape that broadcasts a
    /// per-channel vector against it, e.g. [1, C, 1, 1].</summary>
    protected abstract int[] ChannelShape(Tensor input);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var bshape = ChannelShape(input);
        if (input.Shape[1] != Features)
            throw new ShapeException($"{GetType().Name}({Features}) got input of shape {input.Shape}: axis 1 must have {Features} channels.");
        var axes = Enumerable.Range(0, input.Rank).Where(a => a != 1).ToArray();
        Tensor centered, y;
        if (Training)
        {
            int n = input.Size / Features;
            var sum = CrossProcessSum;
            if (sum is not null) n = (int)sum(Tensor.Scalar(n, input.DType)).Item();
            if (n < 2 && !MeanOnly)
                throw new ShapeException($"{GetType().Name} in training mode needs more than one value per channel, got input of shape {input.Shape}.");
            if (!MeanOnly && sum is null)
            {
                // one fused op (same values and gradients as the formula below, to every order)
                var fused = Tensor.BatchNormTraining(input, Scale is null ? null : Functional.Value(Scale), Shift is null ? null : Functional.Value(Shift),
                    Eps, out var batchMean, out var batchVariance);
                UpdateRunning(batchMean, batchVariance, n);
                return fused;
            }
            // μ = Σx·(1/n) and σ² = Σ(x − μ)²·(1/n), the sums over every process's shard when synchronised
            Tensor Average(Tensor t) => sum is null ? t.Mean(axes, keepDim: true) : sum(t.Sum(axes, keepDim: true)) * (1.0 / n);
            var mean = Average(input);
            centered = input - mean;
            Tensor? variance = MeanOnly ? null : Average(centered * centered);
            UpdateRunning(mean, variance, n);
            y = variance is null ? centered : centered / (variance + Eps).Sqrt();
        }
        else
        {
            centered = input - runningMean!.Reshape(bshape);
            y = MeanOnly ? centered : centered / (runningVar!.Reshape(bshape) + Eps).Sqrt();
        }
        if (Scale is not null) y = y * Functional.Value(Scale).Reshape(bshape);
        if (Shift is not null) y = y + Functional.Value(Shift).Reshape(bshape);
        return y;
    }

    private void UpdateRunning(Tensor mean, Tensor? variance, int n)
    {
        using var _ = Autodiff.NoGrad();
        batchesTracked!.AddInPlace(Tensor.Scalar(1, batchesTracked.DType));
        double m = Momentum ?? 1.0 / batchesTracked.Item();
        runningMean!.MulInPlace(1 - m).AddInPlace(mean.Detach().Reshape(Features), m);
        if (variance is not null)
            runningVar!.MulInPlace(1 - m).AddInPlace(variance.Detach().Reshape(Features), m * n / (n - 1.0));
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({Features}{(MeanOnly ? ", mean only" : "")})";
}

/// <summary>Batch normalization for [N, C] (features) or [N, C, L] (sequences) inputs; see <see cref="BatchNormBase"/>.</summary>
/// <param name="features">Number of channels C.</param>
/// <param name="eps">ε added to the variance (PyTorch's 1e-5).</param>
/// <param name="momentum">Running-average momentum (0.1), or null for a cumulative average.</param>
/// <param name="affine">Learn γ and β.</param>
/// <param name="meanOnly">Mean-only batch normalization (Salimans &amp; Kingma 2016).</param>
/// <param name="dtype">Element type of parameters and buffers.</param>
public sealed class BatchNorm1d(int features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool meanOnly = false, DType dtype = DType.Float32)
    : BatchNormBase(features, eps, momentum, affine, meanOnly, dtype)
{
    /// <inheritdoc />
    protected override int[] ChannelShape(Tensor input) => input.Rank switch
    {
        2 => [1, Features],
        3 => [1, Features, 1],
        _ => throw new ShapeException($"BatchNorm1d expects [N, C] or [N, C, L] input, got {input.Shape}."),
    };
}

/// <summary>Batch normalization for images [N, C, H, W] (statistics over N, H and W per channel);
/// see <see cref="BatchNormBase"/>.</summary>
/// <param name="channels">Number of channels C.</param>
/// <param name="eps">ε added to the variance (PyTorch's 1e-5).</param>
/// <param name="momentum">Running-average momentum (0.1), or null for a cumulative average.</param>
/// <param name="affine">Learn γ and β.</param>
/// <param name="meanOnly">Mean-only batch normalization (Salimans &amp; Kingma 2016).</param>
/// <param name="dtype">Element type of parameters and buffers.</param>
public sealed class BatchNorm2d(int channels, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool meanOnly = false, DType dtype = DType.Float32)
    : BatchNormBase(channels, eps, momentum, affine, meanOnly, dtype)
{
    /// <inheritdoc />
    protected override int[] ChannelShape(Tensor input) => input.Rank == 4
        ? [1, Features, 1, 1]
        : throw new ShapeException($"BatchNorm2d expects [N, C, H, W] input, got {input.Shape}.");
}

using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Problems;

/// <summary>Shared data loading and loss for the Fashion-MNIST classifiers.</summary>
public abstract class FashionMnistProblem : Problem
{
    /// <summary>True if the model takes [N, 1, 28, 28] images rather than [N, 784] vectors.</summary>
    protected virtual bool Images => false;

    /// <inheritdoc />
    public override ILoss Loss { get; } = new CrossEntropy();

    /// <inheritdoc />
    public override DataSplits LoadData(ProblemContext context) =>
        DataSplits.FashionMnist(FashionMnist.Load(context.DataDir), SplitOptions.Default with { Images = Images, ValidationFraction = context.ValidationFraction });
}

/// <summary>Multinomial logistic regression on Fashion-MNIST: one linear layer 784 → 10 and softmax
/// cross-entropy (a convex problem, DeepOBS <c>fmnist_logreg</c>).</summary>
public sealed class FashionMnistLogReg : FashionMnistProblem
{
    /// <inheritdoc />
    public override string Name => "fmnist_logreg";

    /// <inheritdoc />
    public override string Description => "logistic regression 784→10 on Fashion-MNIST (convex)";

    /// <inheritdoc />
    public override Module BuildModel(ulong seed) => new Sequential(new Linear(784, 10, rng: Rng.Stream(seed, "init")));
}

/// <summary>The DeepOBS <c>fmnist_mlp</c>: 784-1000-500-100-10 with ReLU and softmax cross-entropy.</summary>
public sealed class FashionMnistMlp : FashionMnistProblem
{
    /// <inheritdoc />
    public override string Name => "fmnist_mlp";

    /// <inheritdoc />
    public override string Description => "MLP 784-1000-500-100-10, ReLU, on Fashion-MNIST (DeepOBS)";

    /// <inheritdoc />
    public override Module BuildModel(ulong seed)
    {
        var rng = Rng.Stream(seed, "init");
        return new Sequential(
            new Linear(784, 1000, rng: rng), new ReLU(),
            new Linear(1000, 500, rng: rng), new ReLU(),
            new Linear(500, 100, rng: rng), new ReLU(),
            new Linear(100, 10, rng: rng));
    }
}

/// <summary>The DeepOBS <c>fmnist_2c2d</c>: conv 32@5×5 same, ReLU, max-pool 2; conv 64@5×5 same, ReLU,
/// max-pool 2; dense 1024, ReLU; dense 10.</summary>
public sealed class FashionMnist2c2d : FashionMnistProblem
{
    /// <inheritdoc />
    protected override bool Images => true;

    /// <inheritdoc />
    public override string Name => "fmnist_2c2d";

    /// <inheritdoc />
    public override string Description => "two conv layers and two dense layers on Fashion-MNIST (DeepOBS)";

    /// <inheritdoc />
    public override Module BuildModel(ulong seed)
    {
        var rng = Rng.Stream(seed, "init");
        return new Sequential(
            new Conv2d(1, 32, 5, padding: 2, rng: rng), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 5, padding: 2, rng: rng), new ReLU(), new MaxPool2d(2),
            new Flatten(),
            new Linear(64 * 7 * 7, 1024, rng: rng), new ReLU(),
            new Linear(1024, 10, rng: rng));
    }
}

/// <summary>
/// A deep ReLU network on Fashion-MNIST made of <see cref="Depth"/> hidden blocks of width
/// <see cref="Width"/>, with or without skip connections (<see cref="Residual"/>): the pair used to show
/// how skip connections smooth the loss surface (Li et al. 2018) and improve conditioning. With
/// <see cref="BatchNorm"/> each block is Linear → BatchNorm1d → ReLU (Ioffe &amp; Szegedy 2015), the usual
/// residual block of a deep network.
/// </summary>
public sealed class FashionMnistDeep(bool skip, int depth = 16, int width = 64, bool batchNorm = false) : FashionMnistProblem
{
    /// <summary>Number of hidden blocks.</summary>
    public int Depth { get; } = depth;

    /// <summary>Width of every hidden layer.</summary>
    public int Width { get; } = width;

    /// <summary>True if every block is wrapped in a skip connection.</summary>
    public bool Skip { get; } = skip;

    /// <summary>True if every block normalizes its linear layer's output with batch normalization.</summary>
    public bool BatchNorm { get; } = batchNorm;

    /// <inheritdoc />
    public override string Name => (Skip ? "deep_skip" : "deep_plain") + (BatchNorm ? "_bn" : "");

    /// <inheritdoc />
    public override string Description =>
        $"{Depth} ReLU blocks of width {Width}{(BatchNorm ? " with batch normalization" : "")} on Fashion-MNIST, {(Skip ? "with" : "without")} skip connections";

    /// <inheritdoc />
    public override Module BuildModel(ulong seed)
    {
        var rng = Rng.Stream(seed, "init");
        var net = new Sequential(new Linear(784, Width, rng: rng), new ReLU());
        for (int i = 0; i < Depth; i++)
        {
            var body = new Sequential(new Linear(Width, Width, rng: rng));
            if (BatchNorm) body.Add(new BatchNorm1d(Width));
            body.Add(new ReLU());
            net.Add(new Residual(body, Skip));
        }
        net.Add(new Linear(Width, 10, rng: rng));
        return net;
    }
}

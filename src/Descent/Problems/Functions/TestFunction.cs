using Descent.Tensors;

namespace Descent.Problems.Functions;

/// <summary>
/// A classic optimization test function with its value, exact gradient and exact Hessian, plus a
/// differentiable tensor form (<see cref="Evaluate"/>) so optimizers can run on it through autograd.
/// The exact derivatives let tests check autograd, and let analyses (critical points, conditioning)
/// use the true curvature.
/// </summary>
public abstract class TestFunction
{
    /// <summary>Creates the function in <paramref name="dimension"/> variables.</summary>
    protected TestFunction(int dimension)
    {
        if (dimension < 1) throw new ConfigurationException($"Dimension must be at least 1, got {dimension}.");
        Dimension = dimension;
    }

    /// <summary>The name used on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>The formula, for help text and reports.</summary>
    public abstract string Formula { get; }

    /// <summary>Number of variables.</summary>
    public int Dimension { get; }

    /// <summary>f(x) as a recorded tensor operation on a 1-D tensor of length <see cref="Dimension"/>.</summary>
    public abstract Tensor Evaluate(Tensor x);

    /// <summary>f(x).</summary>
    public abstract double Value(ReadOnlySpan<double> x);

    /// <summary>∇f(x) into <paramref name="gradient"/>.</summary>
    public abstract void Gradient(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>The Hessian ∇²f(x) (Dimension × Dimension).</summary>
    public abstract double[,] Hessian(ReadOnlySpan<double> x);

    /// <summary>Known global minimizers (one or more).</summary>
    public abstract IReadOnlyList<double[]> Minimizers { get; }

    /// <summary>The usual starting point in the literature.</summary>
    public abstract double[] DefaultStart { get; }

    /// <summary>A box that shows the interesting part of the surface: (min, max) per plotted axis.</summary>
    public virtual (double Min, double Max) PlotRange => (-2, 2);

    /// <summary>Component <paramref name="i"/> of a 1-D tensor as a one-element tensor (recorded).</summary>
    protected static Tensor At(Tensor x, int i) => x.Narrow(0, i, 1);

    internal void CheckDimension(int length)
    {
        if (length != Dimension)
            throw new ShapeException($"{Name} has {Dimension} variables, got a point with {length}.");
    }
}

using Descent.Nn;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>The Hessian of an <see cref="IObjective"/> through its own Hessian-vector products.</summary>
internal sealed class ObjectiveHessian(IObjective objective, ProductCounter counter) : ICurvature
{
    public CurvatureKind Kind => CurvatureKind.Hessian;

    public int Dimension => objective.Parameters.Count;

    public long Products { get; private set; }

    public ProductCounter Counter => counter;

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        if (v.Length != Dimension || result.Length != Dimension)
            throw new ShapeException($"Hessian product: vectors of length {v.Length} and {result.Length} for {Dimension} parameters.");
        Products++;
        counter.Add(Kind);
        using var _ = TensorScope.Begin();
        var t = Tensor.From(v.ToArray()).To(objective.Parameters.DType);
        var hv = objective.HessianVectorProduct(t);
        if (hv.DType == DType.Float64) hv.Doubles.CopyTo(result);
        else
        {
            var f = hv.Floats;
            for (int i = 0; i < f.Length; i++) result[i] = f[i];
        }
    }
}

/// <summary>A curvature given as a dense symmetric matrix.</summary>
internal sealed class MatrixCurvature : ICurvature
{
    private readonly double[] a;

    public MatrixCurvature(double[] matrix, int n, CurvatureKind kind, ProductCounter counter)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (n < 1 || matrix.Length != (long)n * n) throw new ShapeException($"A curvature matrix of order {n} needs {(long)n * n} values, got {matrix.Length}.");
        a = matrix;
        Dimension = n;
        Kind = kind;
        Counter = counter;
    }

    public CurvatureKind Kind { get; }

    public int Dimension { get; }

    public long Products { get; private set; }

    public ProductCounter Counter { get; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        if (v.Length != Dimension || result.Length != Dimension)
            throw new ShapeException($"Curvature product: vectors of length {v.Length} and {result.Length} for order {Dimension}.");
        Products++;
        Counter.Add(Kind);
        int n = Dimension;
        for (int i = 0; i < n; i++)
            result[i] = System.Numerics.Tensors.TensorPrimitives.Dot(a.AsSpan(i * n, n), v);
    }
}

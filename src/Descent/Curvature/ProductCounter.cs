namespace Descent.Curvature;

/// <summary>
/// Counts curvature-vector products, in total and per <see cref="CurvatureKind"/>, and the chunk passes
/// they took (one chunk pass = the products' work on one chunk of examples). Operators built together share
/// one counter, so an analysis reports its whole cost in products, like SciPy's <c>nhev</c> and PyHessian.
/// </summary>
public sealed class ProductCounter
{
    private readonly long[] byKind = new long[Enum.GetValues<CurvatureKind>().Length];

    /// <summary>Products of every kind so far.</summary>
    public long Total { get; private set; }

    /// <summary>Passes over chunks of examples spent on products so far (a product over data in k chunks
    /// costs k; a product of a matrix known in closed form costs none).</summary>
    public long ChunkPasses { get; private set; }

    /// <summary>Products of <paramref name="kind"/> so far.</summary>
    public long Count(CurvatureKind kind) => byKind[(int)kind];

    /// <summary>Records <paramref name="products"/> products of <paramref name="kind"/>.</summary>
    public void Add(CurvatureKind kind, long products = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(products);
        byKind[(int)kind] += products;
        Total += products;
    }

    /// <summary>Records <paramref name="passes"/> chunk passes.</summary>
    public void AddChunkPasses(long passes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(passes);
        ChunkPasses += passes;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Total} products ({string.Join(", ", Enum.GetValues<CurvatureKind>().Where(k => Count(k) > 0).Select(k => $"{k.Name()} {Count(k)}"))})";
}

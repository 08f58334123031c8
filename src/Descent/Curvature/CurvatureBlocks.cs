using Descent.Nn;

namespace Descent.Curvature;

/// <summary>A contiguous range of the flat parameters: one layer's (or one parameter's) block of a curvature.</summary>
/// <param name="Name">The layer's dotted path (or the parameter's name).</param>
/// <param name="Offset">First element in the flat vector.</param>
/// <param name="Length">Number of elements.</param>
/// <param name="Parameters">The parameters in the block.</param>
public sealed record ParameterBlock(string Name, int Offset, int Length, IReadOnlyList<string> Parameters);

/// <summary>
/// Block-diagonal (per-layer) views of a curvature: the diagonal block C_bb of a range of parameters as an
/// operator of its own, so Lanczos, Hutchinson or a dense decomposition can run on one layer (the per-layer
/// approximation behind K-FAC and the "block-diagonal Hessian" of the course). A block product costs one
/// product of the full operator (counted there).
/// </summary>
public static class CurvatureBlocks
{
    /// <summary>One block per module that owns parameters (a layer's weight and bias together), in layout order.</summary>
    public static IReadOnlyList<ParameterBlock> ByLayer(FlatParameters flat)
    {
        ArgumentNullException.ThrowIfNull(flat);
        var blocks = new List<ParameterBlock>();
        int i = 0;
        while (i < flat.Slots.Count)
        {
            var owner = flat.Slots[i].Owner;
            int j = i;
            while (j < flat.Slots.Count && ReferenceEquals(flat.Slots[j].Owner, owner)) j++;
            var slots = flat.Slots.Skip(i).Take(j - i).ToArray();
            string name = LayerName(slots[0].Name);
            blocks.Add(new ParameterBlock(name, slots[0].Offset, slots.Sum(s => s.Length), slots.Select(s => s.Name).ToArray()));
            i = j;
        }
        return blocks;
    }

    /// <summary>One block per parameter tensor.</summary>
    public static IReadOnlyList<ParameterBlock> ByParameter(FlatParameters flat)
    {
        ArgumentNullException.ThrowIfNull(flat);
        return flat.Slots.Select(s => new ParameterBlock(s.Name, s.Offset, s.Length, [s.Name])).ToArray();
    }

    /// <summary>The diagonal block of <paramref name="c"/> on <paramref name="block"/>: vectors of the block's length.</summary>
    /// <exception cref="ShapeException">The block lies outside the operator's dimension.</exception>
    public static ICurvature Block(this ICurvature c, ParameterBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Offset < 0 || block.Length < 1 || block.Offset + block.Length > c.Dimension)
            throw new ShapeException($"Block '{block.Name}' [{block.Offset}, {block.Offset + block.Length}) lies outside a curvature of dimension {c.Dimension}.");
        return new BlockCurvature(c, block);
    }

    private static string LayerName(string parameter)
    {
        int dot = parameter.LastIndexOf('.');
        return dot < 0 ? "(root)" : parameter[..dot];
    }

    private sealed class BlockCurvature(ICurvature inner, ParameterBlock block) : ICurvature
    {
        private readonly double[] full = new double[inner.Dimension];
        private readonly double[] product = new double[inner.Dimension];

        public CurvatureKind Kind => inner.Kind;

        public int Dimension => block.Length;

        public long Products { get; private set; }

        public ProductCounter Counter => inner.Counter;

        public void Apply(ReadOnlySpan<double> v, Span<double> result)
        {
            if (v.Length != Dimension || result.Length != Dimension)
                throw new ShapeException($"Block '{block.Name}': vectors of length {v.Length} and {result.Length} for a block of {Dimension}.");
            Products++;
            Array.Clear(full);
            v.CopyTo(full.AsSpan(block.Offset, block.Length));
            inner.Apply(full, product);
            product.AsSpan(block.Offset, block.Length).CopyTo(result);
        }
    }
}

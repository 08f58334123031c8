using Descent.Autograd;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>The rows (first-axis slices) at <paramref name="indices"/>, in that order: a mini-batch
    /// gathered from a data set. Indices may repeat (sampling with replacement).</summary>
    public Tensor IndexRows(int[] indices)
    {
        if (Rank == 0) throw new ShapeException("IndexRows needs a tensor of rank ≥ 1.");
        int n = Shape.Dims[0], inner = n == 0 ? 0 : Size / n;
        foreach (var i in indices)
            if ((uint)i >= (uint)n) throw new ShapeException($"IndexRows: index {i} out of range for {n} rows (shape {Shape}).");
        var dims = Shape.ToArray();
        dims[0] = indices.Length;
        var o = Empty(new Shape(dims), DType);
        if (DType == DType.Float32) Kernels.GatherRows.Run<float>(Floats, inner, indices, o.Floats);
        else Kernels.GatherRows.Run<double>(Doubles, inner, indices, o.Doubles);
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "IndexRows", [this], (g, _) => [g.IndexAddRows(indices, n)]);
        return o;
    }

    /// <summary>Zeros with <paramref name="rowCount"/> rows, with row r of this tensor added into row
    /// <c>indices[r]</c> (the adjoint of <see cref="IndexRows"/>).</summary>
    public Tensor IndexAddRows(int[] indices, int rowCount)
    {
        if (Rank == 0 || Shape.Dims[0] != indices.Length)
            throw new ShapeException($"IndexAddRows: {indices.Length} indices for shape {Shape}.");
        int inner = indices.Length == 0 ? 0 : Size / indices.Length;
        var dims = Shape.ToArray();
        dims[0] = rowCount;
        var o = Zeros(new Shape(dims), DType);
        for (int r = 0; r < indices.Length; r++)
        {
            if ((uint)indices[r] >= (uint)rowCount) throw new ShapeException($"IndexAddRows: index {indices[r]} out of range for {rowCount} rows.");
            if (DType == DType.Float32)
                System.Numerics.Tensors.TensorPrimitives.Add(o.Floats.Slice(indices[r] * inner, inner), Floats.Slice(r * inner, inner), o.Floats.Slice(indices[r] * inner, inner));
            else
                System.Numerics.Tensors.TensorPrimitives.Add(o.Doubles.Slice(indices[r] * inner, inner), Doubles.Slice(r * inner, inner), o.Doubles.Slice(indices[r] * inner, inner));
        }
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "IndexAddRows", [this], (g, _) => [g.IndexRows(indices)]);
        return o;
    }

    /// <summary>For a matrix [N, C]: the N elements <c>x[i, columns[i]]</c> (e.g. the log-probability of
    /// each example's target class).</summary>
    public Tensor GatherColumns(int[] columns)
    {
        if (Rank != 2 || Shape.Dims[0] != columns.Length)
            throw new ShapeException($"GatherColumns: {columns.Length} column indices for shape {Shape} (needs [N, C] with N = {columns.Length}).");
        int c = Shape.Dims[1];
        var o = Empty(new Shape(columns.Length), DType);
        for (int i = 0; i < columns.Length; i++)
        {
            if ((uint)columns[i] >= (uint)c) throw new ShapeException($"GatherColumns: class index {columns[i]} at row {i} is outside [0, {c}).");
            o.SetRaw(i, GetRaw(i * c + columns[i]));
        }
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "GatherColumns", [this], (g, _) => [g.ScatterColumns(columns, c)]);
        return o;
    }

    /// <summary>For a vector of N values: an [N, <paramref name="columnCount"/>] matrix of zeros with value i
    /// at <c>[i, columns[i]]</c> (the adjoint of <see cref="GatherColumns"/>).</summary>
    public Tensor ScatterColumns(int[] columns, int columnCount)
    {
        if (Rank != 1 || Shape.Dims[0] != columns.Length)
            throw new ShapeException($"ScatterColumns: {columns.Length} column indices for shape {Shape}.");
        var o = Zeros(new Shape(columns.Length, columnCount), DType);
        for (int i = 0; i < columns.Length; i++)
        {
            if ((uint)columns[i] >= (uint)columnCount) throw new ShapeException($"ScatterColumns: index {columns[i]} is outside [0, {columnCount}).");
            o.SetRaw(i * columnCount + columns[i], GetRaw(i));
        }
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "ScatterColumns", [this], (g, _) => [g.GatherColumns(columns)]);
        return o;
    }

    /// <summary>A one-hot matrix [N, <paramref name="classes"/>] for integer labels.</summary>
    public static Tensor OneHot(int[] labels, int classes, DType dtype = DType.Float32)
    {
        var o = Zeros(new Shape(labels.Length, classes), dtype);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ShapeException($"OneHot: label {labels[i]} at row {i} is outside [0, {classes}).");
            o.SetRaw(i * classes + labels[i], 1);
        }
        return o;
    }
}

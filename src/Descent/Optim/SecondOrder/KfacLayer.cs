using Descent.Nn;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// One K-FAC block: a <see cref="Linear"/> or <see cref="Conv2d"/> layer's Fisher approximated by the Kronecker
/// product A ⊗ G of its input second moment A = E[āāᵀ] (ā the input with a trailing 1 for the bias) and its
/// output-gradient second moment G = E[DsDsᵀ] (Martens &amp; Grosse 2015). For a convolution ā runs over the
/// input patches at every output position and Ds over the output positions (KFC, Grosse &amp; Martens 2016,
/// under their spatial homogeneity and independence assumptions). Kept as exponential moving averages; the
/// preconditioned gradient is (G + πγ^½I)⁻¹·[∇W ∇b]·(A + γ^½/π I)⁻¹ with the factored Tikhonov damping of
/// Martens &amp; Grosse §6.3, π² = (tr A/dim A)/(tr G/dim G).
/// </summary>
internal sealed class KfacLayer
{
    public KfacLayer(Module layer, ParameterSlot weight, ParameterSlot? bias)
    {
        Layer = layer;
        Weight = weight;
        Bias = bias;
        Out = weight.Parameter.Shape[0];
        In = weight.Length / Out;
        DimA = In + (bias is null ? 0 : 1);
        A = new double[DimA * DimA];
        G = new double[Out * Out];
    }

    public Module Layer { get; }
    public ParameterSlot Weight { get; }
    public ParameterSlot? Bias { get; }
    public int Out { get; }
    public int In { get; }
    public int DimA { get; }
    public double[] A { get; private set; }
    public double[] G { get; private set; }
    public Tensor? AInverse { get; private set; }
    public Tensor? GInverse { get; private set; }
    public int Updates { get; set; }

    /// <summary>Adds this batch's factors (input <paramref name="input"/>, output gradient of the batch-mean
    /// loss <paramref name="outputGrad"/>) to the moving averages with weight 1 − ε, ε = min(1 − 1/k, decay).</summary>
    public void Accumulate(Tensor input, Tensor outputGrad, int batch, double decay)
    {
        var (rowsA, rowsG) = Layer is Conv2d c ? ConvolutionRows.Build(c, input, outputGrad, Bias is not null) : (LinearRows(input), outputGrad.Reshape(-1, Out));
        int positions = rowsA.Shape[0];
        var aNew = Tensor.MatMul(rowsA, rowsA, transA: true).ToDoubleArray();
        var gNew = Tensor.MatMul(rowsG, rowsG, transA: true).ToDoubleArray();
        double eps = Math.Min(1 - 1.0 / (Updates + 1), decay);
        Blend(A, aNew, eps, 1.0 / positions);
        Blend(G, gNew, eps, batch);
        Updates++;
    }

    private static void Blend(double[] avg, double[] fresh, double eps, double scale)
    {
        for (int i = 0; i < avg.Length; i++) avg[i] = eps * avg[i] + (1 - eps) * scale * fresh[i];
    }

    private Tensor LinearRows(Tensor input)
    {
        var x = input.Reshape(-1, In);
        if (Bias is null) return x;
        int n = x.Shape[0];
        var rows = Tensor.Empty(new Shape(n, DimA), x.DType);
        var src = x.ToDoubleArray();
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < In; j++) rows.SetRaw(r * DimA + j, src[r * In + j]);
            rows.SetRaw(r * DimA + In, 1);
        }
        return rows;
    }

    /// <summary>Recomputes the damped inverses from the current factors.</summary>
    public void Invert(double damping, DType dtype)
    {
        double trA = 0, trG = 0;
        for (int i = 0; i < DimA; i++) trA += A[i * DimA + i];
        for (int i = 0; i < Out; i++) trG += G[i * Out + i];
        double pi = Math.Sqrt(trA / DimA / (trG / Out));
        if (!double.IsFinite(pi) || pi <= 0) pi = 1;
        double root = Math.Sqrt(damping);
        AInverse = Tensor.Wrap(Dense.InverseSpd(A, DimA, pi * root), DimA, DimA).To(dtype).CloneUnscoped();
        GInverse = Tensor.Wrap(Dense.InverseSpd(G, Out, root / pi), Out, Out).To(dtype).CloneUnscoped();
    }

    /// <summary>Writes G⁻¹·[∇W ∇b]·A⁻¹ of the gradient <paramref name="grads"/> into <paramref name="update"/>
    /// (the layer's ranges of two flat vectors).</summary>
    public void Precondition(Tensor grads, Tensor update)
    {
        var v = Tensor.Empty(new Shape(Out, DimA), grads.DType);
        var gw = grads.Narrow(0, Weight.Offset, Weight.Length).Reshape(Out, In);
        CopyColumns(gw, v, 0);
        if (Bias is { } b) CopyColumns(grads.Narrow(0, b.Offset, b.Length).Reshape(Out, 1), v, In);
        var u = Tensor.MatMul(Tensor.MatMul(GInverse!, v), AInverse!);
        CopyColumnsBack(u, 0, update.Narrow(0, Weight.Offset, Weight.Length).Reshape(Out, In));
        if (Bias is { } bb) CopyColumnsBack(u, In, update.Narrow(0, bb.Offset, bb.Length).Reshape(Out, 1));
    }

    private void CopyColumns(Tensor src, Tensor dst, int col)
    {
        int w = src.Shape[1];
        if (dst.DType == DType.Float32)
            for (int r = 0; r < Out; r++) src.Floats.Slice(r * w, w).CopyTo(dst.Floats.Slice(r * DimA + col, w));
        else
            for (int r = 0; r < Out; r++) src.Doubles.Slice(r * w, w).CopyTo(dst.Doubles.Slice(r * DimA + col, w));
    }

    private void CopyColumnsBack(Tensor src, int col, Tensor dst)
    {
        int w = dst.Shape[1];
        if (dst.DType == DType.Float32)
            for (int r = 0; r < Out; r++) src.Floats.Slice(r * DimA + col, w).CopyTo(dst.Floats.Slice(r * w, w));
        else
            for (int r = 0; r < Out; r++) src.Doubles.Slice(r * DimA + col, w).CopyTo(dst.Doubles.Slice(r * w, w));
    }

    /// <summary>Restores saved factors (and the inverses in use, when saved).</summary>
    public void Load(double[] a, double[] g, Tensor? aInverse, Tensor? gInverse)
    {
        A = a;
        G = g;
        AInverse = aInverse?.Reshape(DimA, DimA).CloneUnscoped();
        GInverse = gInverse?.Reshape(Out, Out).CloneUnscoped();
    }
}

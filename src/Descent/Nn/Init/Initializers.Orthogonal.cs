using Descent.Tensors;

namespace Descent.Nn.Init;

public static partial class Initializers
{
    /// <summary>
    /// A (semi-)orthogonal matrix times <paramref name="gain"/> (Saxe, McClelland &amp; Ganguli 2014, "Exact
    /// solutions to the nonlinear dynamics of learning in deep linear neural networks"). The tensor is
    /// viewed as a matrix <c>[out, in·∏k]</c> (a convolution kernel is flattened per output channel); a
    /// Gaussian matrix of that shape is factored as <c>QR</c> (Householder, in double) and the sign of each
    /// column of Q is fixed by the sign of R's diagonal, which makes Q uniformly (Haar) distributed
    /// (Mezzadri 2007). The rows are orthonormal if <c>out ≤ in·∏k</c> (<c>WWᵀ = gain²·I</c>), otherwise the
    /// columns are (<c>WᵀW = gain²·I</c>), as in PyTorch's <c>orthogonal_</c>.
    /// </summary>
    public static Tensor Orthogonal(Tensor tensor, Rng rng, double gain = 1)
    {
        CheckScale(gain, "gain", "orthogonal");
        if (tensor.Rank < 2)
            throw new ShapeException($"orthogonal needs a weight of at least 2 dimensions ([out, in, k...]); got shape {tensor.Shape}.");
        if (tensor.Size == 0) return tensor;
        int rows = tensor.Shape[0], cols = tensor.Size / rows;
        var g = new double[rows * cols];
        for (int i = 0; i < g.Length; i++) g[i] = rng.NextNormal();
        bool wide = rows < cols;
        int m = wide ? cols : rows, n = wide ? rows : cols;
        double[] tall = wide ? Transpose(g, rows, cols) : g;
        var (q, r) = HouseholderQr.Decompose(tall, m, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (r[j] < 0) q[i * n + j] = -q[i * n + j];
        double[] w = wide ? Transpose(q, m, n) : q;
        int idx = 0;
        return Fill(tensor, () => gain * w[idx++]);
    }

    /// <summary>
    /// The identity, times <paramref name="gain"/>: for a matrix <c>[out, in]</c>, ones on the diagonal
    /// (PyTorch's <c>eye_</c>); for a kernel <c>[outC, inC, k…]</c>, the Dirac delta that passes input channel
    /// i to output channel i at the kernel's centre (PyTorch's <c>dirac_</c>). Channels beyond
    /// <c>min(out, in)</c> are zero. Preserves the input exactly in a linear network (with
    /// <c>out = in</c>); it is not random, so units of the same layer are distinct only through the diagonal.
    /// </summary>
    public static Tensor Identity(Tensor tensor, double gain = 1)
    {
        if (tensor.Rank < 2)
            throw new ShapeException($"identity needs a weight of at least 2 dimensions ([out, in, k...]); got shape {tensor.Shape}.");
        tensor.FillRaw(0);
        int outs = tensor.Shape[0], ins = tensor.Shape[1];
        int receptive = tensor.Size / Math.Max(1, outs * ins);
        // The centre of the kernel in row-major order: index Σ (kᵢ/2)·strideᵢ within one [k…] block.
        int centre = 0, stride = 1;
        for (int d = tensor.Rank - 1; d >= 2; d--) { centre += tensor.Shape[d] / 2 * stride; stride *= tensor.Shape[d]; }
        for (int i = 0; i < Math.Min(outs, ins); i++)
            tensor.SetRaw((i * ins + i) * receptive + centre, gain);
        return tensor;
    }

    private static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = a[i * cols + j];
        return t;
    }
}

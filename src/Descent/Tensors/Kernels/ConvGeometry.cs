namespace Descent.Tensors.Kernels;

/// <summary>
/// The sizes of a 2-D convolution in NCHW layout: input [N, C, H, W], weight [OC, C, KH, KW],
/// output [N, OC, OH, OW] with <c>OH = ⌊(H + 2·PH − DH·(KH − 1) − 1) / SH⌋ + 1</c> (and likewise OW),
/// the formula of PyTorch's <c>torch.nn.Conv2d</c>. Also describes pooling windows (OC = C, no weight).
/// </summary>
internal readonly record struct ConvGeometry(
    int N, int C, int H, int W, int OC, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW)
{
    /// <summary>Output height (≤ 0 when the dilated kernel does not fit the padded input).</summary>
    public int OH => OutSize(H, KH, SH, PH, DH);

    /// <summary>Output width.</summary>
    public int OW => OutSize(W, KW, SW, PW, DW);

    /// <summary>Rows of the im2col matrix: C·KH·KW.</summary>
    public int K => C * KH * KW;

    /// <summary>Output pixels per image and channel: OH·OW.</summary>
    public int P => OH * OW;

    /// <summary>Input pixels per image and channel: H·W.</summary>
    public int HW => H * W;

    /// <summary>True for a 1×1 kernel with stride 1 and no padding: the input is its own im2col matrix.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    /// <summary>Input shape [N, C, H, W].</summary>
    public Shape InputShape => new(N, C, H, W);

    /// <summary>Output shape [N, OC, OH, OW].</summary>
    public Shape OutputShape => new(N, OC, OH, OW);

    /// <summary>Weight shape [OC, C, KH, KW].</summary>
    public Shape WeightShape => new(OC, C, KH, KW);

    private static int OutSize(int size, int k, int s, int p, int d)
    {
        int span = size + 2 * p - d * (k - 1) - 1;
        return span < 0 ? 0 : span / s + 1;
    }

    /// <summary>The output positions <c>o</c> in [0, outSize) whose input coordinate <c>o·stride + offset</c>
    /// lies in [0, size): the range [lo, hi) (empty when lo ≥ hi).</summary>
    public static (int Lo, int Hi) ValidRange(int offset, int stride, int size, int outSize)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int room = size - offset;
        int hi = room <= 0 ? 0 : Math.Min(outSize, (room + stride - 1) / stride);
        return (Math.Min(lo, hi), hi);
    }
}

using System.Numerics;

namespace Descent.Tensors.Kernels;

/// <summary>Stores flat output planes as [N, OC, OH, OW] with an optional bias per channel.</summary>
internal readonly unsafe struct StoreSink<T>(T[] y, int yOff, T[]? bias, int bOff, ConvGeometry g) : IFlatSink<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Plane(int n, int oc, T* flat, int rowStride)
    {
        T b = bias is null ? T.Zero : bias[bOff + oc];
        int ow0 = g.OW;
        fixed (T* py = y)
        {
            T* dst = py + yOff + ((nint)n * g.OC + oc) * g.P;
            for (int oh = 0; oh < g.OH; oh++)
            {
                T* src = flat + (nint)oh * rowStride;
                T* d = dst + (nint)oh * ow0;
                if (bias is null) new ReadOnlySpan<T>(src, ow0).CopyTo(new Span<T>(d, ow0));
                else System.Numerics.Tensors.TensorPrimitives.Add(new ReadOnlySpan<T>(src, ow0), b, new Span<T>(d, ow0));
            }
        }
    }
}

/// <summary>Supplies flat planes of an output gradient gy [N, OC, OH, OW] (zeros at the ignored positions).</summary>
internal readonly unsafe struct GradientSource<T>(T[] gy, int gyOff, ConvGeometry g) : IFlatSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Plane(int n, int oc, T* flat, int rowStride, int length)
    {
        new Span<T>(flat, length).Clear();
        int ow0 = g.OW;
        fixed (T* pg = gy)
        {
            T* src = pg + gyOff + ((nint)n * g.OC + oc) * g.P;
            for (int oh = 0; oh < g.OH; oh++)
                new ReadOnlySpan<T>(src + (nint)oh * ow0, ow0).CopyTo(new Span<T>(flat + (nint)oh * rowStride, ow0));
        }
    }
}

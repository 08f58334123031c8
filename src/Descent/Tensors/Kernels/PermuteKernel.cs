namespace Descent.Tensors.Kernels;

/// <summary>Copies a row-major tensor into the layout of a permutation of its axes.</summary>
public static class PermuteKernel
{
    /// <summary>dst (shape = dims permuted by <paramref name="perm"/>) = src with axes reordered:
    /// dst[i₀..] = src[j..] where j[perm[k]] = i[k].</summary>
    public static void Run<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, Span<T> dst) where T : unmanaged
    {
        int r = dims.Length;
        if (r == 2 && perm[0] == 1)
        {
            Transpose2D(src, dims[0], dims[1], dst);
            return;
        }
        Span<int> srcStride = stackalloc int[r];
        int acc = 1;
        for (int i = r - 1; i >= 0; i--) { srcStride[i] = acc; acc *= dims[i]; }
        Span<int> outDims = stackalloc int[r];
        Span<int> stride = stackalloc int[r];
        for (int k = 0; k < r; k++) { outDims[k] = dims[perm[k]]; stride[k] = srcStride[perm[k]]; }
        if (dst.Length == 0) return;
        int inner = outDims[r - 1], innerStride = stride[r - 1];
        Span<int> idx = stackalloc int[r];
        int so = 0, outer = dst.Length / inner;
        for (int row = 0; row < outer; row++)
        {
            var d = dst.Slice(row * inner, inner);
            if (innerStride == 1) src.Slice(so, inner).CopyTo(d);
            else for (int i = 0, s = so; i < inner; i++, s += innerStride) d[i] = src[s];
            for (int k = r - 2; k >= 0; k--)
            {
                idx[k]++;
                so += stride[k];
                if (idx[k] < outDims[k]) break;
                so -= stride[k] * outDims[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>dst[n×m] = srcᵀ for src[m×n], in cache-sized blocks.</summary>
    public static void Transpose2D<T>(ReadOnlySpan<T> src, int m, int n, Span<T> dst) where T : unmanaged
    {
        const int B = 32;
        for (int i0 = 0; i0 < m; i0 += B)
        {
            int i1 = Math.Min(i0 + B, m);
            for (int j0 = 0; j0 < n; j0 += B)
            {
                int j1 = Math.Min(j0 + B, n);
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        dst[j * m + i] = src[i * n + j];
            }
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Descent.Tensors.Kernels;

/// <summary>
/// ReLU followed by 2×2 max pooling with stride 2 over convolution outputs, fused: z = relu(max of the
/// window) (max and ReLU commute), and per output the position of the window's first maximum in row-major
/// order (a NaN wins) as a code 0–3. The backward pass routes gz to that position when z &gt; 0 — the same
/// gradient as <c>MaxPool2d(Relu(y))</c>, because a window whose maximum is positive has the same first
/// maximum before and after the ReLU, and one whose maximum is not positive passes no gradient either way.
/// Odd trailing rows and columns are dropped, as pooling with floor does.
/// </summary>
internal static unsafe class ReluPoolKernels
{
    /// <summary>Elements a caller must make readable after a plane's last row for <see cref="Plane{T}"/>
    /// (its vector path reads whole tiles of 32 columns).</summary>
    public const int Slack = 32;

    /// <summary>Pools one plane: <paramref name="y"/> (rows of <paramref name="rowStride"/>, OH × OW valid, and
    /// <see cref="Slack"/> readable elements after the last row) plus <paramref name="bias"/> → z [OH/2, OW/2]
    /// and codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Plane<T>(T* y, int rowStride, int oh, int ow, T bias, T* z, int* code) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ph = oh / 2, pw = ow / 2;
        for (int r = 0; r < ph; r++)
        {
            T* r0 = y + (nint)2 * r * rowStride, r1 = r0 + rowStride;
            T* zr = z + (nint)r * pw;
            int* cr = code + (nint)r * pw;
            int c0 = 0;
            if (typeof(T) == typeof(float) && Avx512F.IsSupported)
                c0 = RowFloat512((float*)r0, (float*)r1, pw, float.CreateTruncating(bias), (float*)zr, cr, room: (ph - r) * pw);
            for (int c = c0; c < pw; c++)
            {
                T a = r0[2 * c] + bias, b = r0[2 * c + 1] + bias, d = r1[2 * c] + bias, e = r1[2 * c + 1] + bias;
                T m = T.Max(T.Max(a, b), T.Max(d, e));
                int k;
                if (T.IsNaN(m)) k = T.IsNaN(a) ? 0 : T.IsNaN(b) ? 1 : T.IsNaN(d) ? 2 : 3;
                else k = a == m ? 0 : b == m ? 1 : d == m ? 2 : 3;
                zr[c] = T.IsNaN(m) ? m : T.Max(m, T.Zero);
                cr[c] = k;
            }
        }
    }

    private static readonly Vector512<int> Evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    /// <summary>One row of pooled outputs, 16 at a time (the two input rows de-interleaved into the four
    /// window positions). A partial last tile is stored whole when the plane has <paramref name="room"/> for it
    /// (its extra lanes land on later rows of the same plane, written afterwards), else through a small buffer.
    /// Returns where the scalar loop must continue: the end of the row, or the first tile holding a NaN (the
    /// scalar rule orders NaNs).</summary>
    private static int RowFloat512(float* r0, float* r1, int pw, float bias, float* z, int* code, int room)
    {
        var b = Vector512.Create(bias);
        float* zt = stackalloc float[16];
        int* ct = stackalloc int[16];
        for (int c = 0; c < pw; c += 16)
        {
            int cols = Math.Min(16, pw - c);
            float* p0 = r0 + 2 * c, p1 = r1 + 2 * c;
            Vector512<float> x00 = Vector512.Load(p0), x01 = Vector512.Load(p0 + 16), x10 = Vector512.Load(p1), x11 = Vector512.Load(p1 + 16);
            var a = Avx512F.PermuteVar16x32x2(x00, Evens, x01) + b;
            var bb = Avx512F.PermuteVar16x32x2(x00, Odds, x01) + b;
            var d = Avx512F.PermuteVar16x32x2(x10, Evens, x11) + b;
            var e = Avx512F.PermuteVar16x32x2(x10, Odds, x11) + b;
            var ordered = Vector512.Equals(a, a) & Vector512.Equals(bb, bb) & Vector512.Equals(d, d) & Vector512.Equals(e, e);
            uint valid = cols == 16 ? 0xFFFFu : (1u << cols) - 1;
            if ((~(uint)ordered.ExtractMostSignificantBits() & valid) != 0) return c;   // a NaN: the scalar rule decides
            var m = Vector512.MaxNative(Vector512.MaxNative(a, bb), Vector512.MaxNative(d, e));
            var k = Vector512.ConditionalSelect(Vector512.Equals(a, m).AsInt32(), Vector512<int>.Zero,
                Vector512.ConditionalSelect(Vector512.Equals(bb, m).AsInt32(), Vector512<int>.One,
                Vector512.ConditionalSelect(Vector512.Equals(d, m).AsInt32(), Vector512.Create(2), Vector512.Create(3))));
            var zv = Vector512.MaxNative(m, Vector512<float>.Zero);
            if (cols == 16 || room - c >= 16)
            {
                zv.Store(z + c);
                k.Store(code + c);
            }
            else
            {
                zv.Store(zt);
                k.Store(ct);
                for (int i = 0; i < cols; i++) { z[c + i] = zt[i]; code[c + i] = ct[i]; }
            }
        }
        return pw;
    }

    /// <summary>The gradient of one pooled plane as a dense plane (rows of <paramref name="rowStride"/>): gz at the
    /// code's position when z &gt; 0, zero elsewhere in rows [0, 2·⌊OH/2⌋); when the rows are exactly whole tiles of
    /// 32 columns (the direct kernel's padded rows) every column of those rows is written, else only [0, OW).
    /// Other rows are left alone.</summary>
    public static void Unpool<T>(T* gz, T* z, int* code, int oh, int ow, T* dy, int rowStride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ph = oh / 2, pw = ow / 2;
        if (WritesWholeRows<T>(ow, rowStride))
        {
            for (int r = 0; r < ph; r++)
                UnpoolRowFloat512((float*)gz + r * pw, (float*)z + r * pw, code + r * pw, pw, (float*)dy + 2 * r * rowStride, rowStride);
            return;
        }
        for (int r = 0; r < 2 * ph; r++) new Span<T>(dy + (nint)r * rowStride, ow).Clear();
        for (int r = 0; r < ph; r++)
            for (int c = 0; c < pw; c++)
            {
                nint o = (nint)r * pw + c;
                if (!(z[o] > T.Zero)) continue;
                int k = code[o];
                dy[(nint)(2 * r + (k >> 1)) * rowStride + 2 * c + (k & 1)] = gz[o];
            }
    }

    /// <summary>Whether <see cref="Unpool{T}"/> writes every column of the pooled rows (its vector path, for rows
    /// that are exact tiles of 32 columns).</summary>
    public static bool WritesWholeRows<T>(int ow, int rowStride) =>
        typeof(T) == typeof(float) && Avx512F.IsSupported && rowStride == (ow / 2 + 15) / 16 * 32;

    private static readonly Vector512<int> InterleaveLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly Vector512<int> InterleaveHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary>Two dense rows (32 columns per 16 pooled values) from one pooled row: each window's gradient at its
    /// code, zeros elsewhere and past the last pooled column.</summary>
    private static void UnpoolRowFloat512(float* gz, float* z, int* code, int pw, float* row0, int rowStride)
    {
        float* gt = stackalloc float[16];
        float* zt = stackalloc float[16];
        int* ct = stackalloc int[16];
        for (int c = 0; c < pw; c += 16)
        {
            int cols = Math.Min(16, pw - c);
            Vector512<float> g, zz;
            Vector512<int> k;
            if (cols == 16)
            {
                g = Vector512.Load(gz + c);
                zz = Vector512.Load(z + c);
                k = Vector512.Load(code + c);
            }
            else
            {
                for (int i = 0; i < 16; i++)
                {
                    bool valid = i < cols;
                    gt[i] = valid ? gz[c + i] : 0;
                    zt[i] = valid ? z[c + i] : 0;
                    ct[i] = valid ? code[c + i] : 0;
                }
                g = Vector512.Load(gt);
                zz = Vector512.Load(zt);
                k = Vector512.Load(ct);
            }
            g = Vector512.ConditionalSelect(Vector512.GreaterThan(zz, Vector512<float>.Zero), g, Vector512<float>.Zero);
            var p0 = Vector512.ConditionalSelect(Vector512.Equals(k, Vector512<int>.Zero).AsSingle(), g, Vector512<float>.Zero);
            var p1 = Vector512.ConditionalSelect(Vector512.Equals(k, Vector512<int>.One).AsSingle(), g, Vector512<float>.Zero);
            var p2 = Vector512.ConditionalSelect(Vector512.Equals(k, Vector512.Create(2)).AsSingle(), g, Vector512<float>.Zero);
            var p3 = Vector512.ConditionalSelect(Vector512.Equals(k, Vector512.Create(3)).AsSingle(), g, Vector512<float>.Zero);
            float* d0 = row0 + 2 * c, d1 = d0 + rowStride;
            Avx512F.PermuteVar16x32x2(p0, InterleaveLow, p1).Store(d0);
            Avx512F.PermuteVar16x32x2(p0, InterleaveHigh, p1).Store(d0 + 16);
            Avx512F.PermuteVar16x32x2(p2, InterleaveLow, p3).Store(d1);
            Avx512F.PermuteVar16x32x2(p2, InterleaveHigh, p3).Store(d1 + 16);
        }
    }

    /// <summary>db[oc] = Σ over images and pooled positions with z &gt; 0 of gz (overwrites db; per channel, images in
    /// order, each plane summed by vectors).</summary>
    public static void BiasGrad<T>(T[] gz, int gzOff, T[] z, int zOff, T[] db, int dbOff, int n, int channels, int plane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ConvKernels.For(channels, (long)n * plane, oc =>
        {
            T sum = T.Zero;
            for (int i = 0; i < n; i++)
            {
                int o = (i * channels + oc) * plane;
                var gs = new ReadOnlySpan<T>(gz, gzOff + o, plane);
                var zs = new ReadOnlySpan<T>(z, zOff + o, plane);
                int p = 0;
                if (Vector.IsHardwareAccelerated && plane >= Vector<T>.Count)
                {
                    var acc = Vector<T>.Zero;
                    for (; p + Vector<T>.Count <= plane; p += Vector<T>.Count)
                    {
                        var zv = new Vector<T>(zs.Slice(p));
                        acc += Vector.ConditionalSelect(Vector.GreaterThan(zv, Vector<T>.Zero), new Vector<T>(gs.Slice(p)), Vector<T>.Zero);
                    }
                    sum += Vector.Sum(acc);
                }
                for (; p < plane; p++)
                    if (zs[p] > T.Zero) sum += gs[p];
            }
            db[dbOff + oc] = sum;
        });
    }
}

/// <summary>Pools the direct convolution's flat output planes (bias added) into z and the codes.</summary>
internal readonly unsafe struct ReluPoolSink<T>(T[]? bias, int bOff, T[] z, int zOff, float[] code, int codeOff, ConvGeometry g) : IFlatSink<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Plane(int n, int oc, T* flat, int rowStride)
    {
        int plane = g.OH / 2 * (g.OW / 2);
        nint o = ((nint)n * g.OC + oc) * plane;
        fixed (T* pz = z)
        fixed (float* pc = code)
            ReluPoolKernels.Plane(flat, rowStride, g.OH, g.OW, bias is null ? T.Zero : bias[bOff + oc], pz + zOff + o, (int*)(pc + codeOff) + o);
    }
}

/// <summary>Supplies the direct convolution's flat output-gradient planes from the pooled gradient.</summary>
internal readonly unsafe struct UnpoolSource<T>(T[] gz, int gzOff, T[] z, int zOff, float[] code, int codeOff, ConvGeometry g) : IFlatSource<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Plane(int n, int oc, T* flat, int rowStride, int length)
    {
        // Unpool writes the pooled rows, whole when they are exact 32-column tiles; clear the rest
        int pooledRows = g.OH / 2 * 2;
        if (ReluPoolKernels.WritesWholeRows<T>(g.OW, rowStride))
            new Span<T>(flat + (nint)pooledRows * rowStride, length - pooledRows * rowStride).Clear();
        else
            new Span<T>(flat, length).Clear();
        int plane = g.OH / 2 * (g.OW / 2);
        nint o = ((nint)n * g.OC + oc) * plane;
        fixed (T* pg = gz, pz = z)
        fixed (float* pc = code)
            ReluPoolKernels.Unpool(pg + gzOff + o, pz + zOff + o, (int*)(pc + codeOff) + o, g.OH, g.OW, flat, rowStride);
    }
}

using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>
/// A whole LSTM sequence in two kernels (gates i, f, g, o as in <c>Tensor.LstmSequence</c>):
/// <list type="bullet">
/// <item>forward: the input projection of every step in one GEMM (<c>x·W_ihᵀ + b</c> over all N·T rows), then
/// per step one GEMM <c>h_{t−1}·W_hhᵀ</c> onto that step's gates and the element-wise cell update;</item>
/// <item>backward (BPTT): per step, from the step's output gradients the gate gradients and one GEMM
/// <c>dG_t·W_hh</c> for <c>dh_{t−1}</c>; then the weight gradients as single GEMMs over all N·T rows
/// (<c>dW_ih = dGᵀ·x</c>, <c>dW_hh = dGᵀ·h_prev</c>) and the bias gradient as column sums.</item>
/// </list>
/// Sequences are independent, so the batch rows are split across threads for the recurrence; every result is
/// the same for any split (a GEMM's rows do not depend on each other, and the sums over rows are single GEMMs).
/// Layouts: x [N][T][I]; y [2][N][T][H] (hidden states, then cell states); gates [N][T][4H] (activated).
/// </summary>
internal static unsafe class LstmKernels
{
    /// <summary>Runs the sequence: y (h and c of every step) and the activated gates (for the backward pass).</summary>
    public static void Forward<T>(T* x, int n, int steps, int inputs, int h, T* wih, T* whh, T* bias, T* y, T* gates)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int g4 = 4 * h, rows = n * steps;
        for (int r = 0; r < rows; r++) new ReadOnlySpan<T>(bias, g4).CopyTo(new Span<T>(gates + (long)r * g4, g4));
        Mul(false, true, rows, g4, inputs, x, inputs, wih, inputs, T.One, gates, g4, threads: 0);
        T* hs = y, cs = y + (long)rows * h;
        ForRowBlocks(n, (r0, r1) =>
        {
            for (int t = 0; t < steps; t++)
            {
                if (t > 0)
                    Mul(false, true, r1 - r0, g4, h, hs + ((long)r0 * steps + t - 1) * h, steps * h, whh, h, T.One,
                        gates + ((long)r0 * steps + t) * g4, steps * g4, threads: 1);
                for (int r = r0; r < r1; r++)
                {
                    long at = (long)r * steps + t;
                    var gate = new Span<T>(gates + at * g4, g4);
                    TP.Sigmoid(gate[..(2 * h)], gate[..(2 * h)]);
                    TP.Tanh(gate.Slice(2 * h, h), gate.Slice(2 * h, h));
                    TP.Sigmoid(gate.Slice(3 * h, h), gate.Slice(3 * h, h));
                    var c = new Span<T>(cs + at * h, h);
                    TP.Multiply(gate[..h], gate.Slice(2 * h, h), c);                                   // i·g
                    if (t > 0) TP.FusedMultiplyAdd(gate.Slice(h, h), new ReadOnlySpan<T>(cs + (at - 1) * h, h), c, c);   // + f·c_{t−1}
                    var hh = new Span<T>(hs + at * h, h);
                    TP.Tanh(c, hh);
                    TP.Multiply(hh, gate.Slice(3 * h, h), hh);
                }
            }
        });
    }

    /// <summary>
    /// The gradients of a sequence from the output gradient gy [2][N][T][H] (of h and c at every step), with the
    /// forward's y and gates: dgates [N][T][4H] (scratch, pre-activation gradients), then dx, dwih, dwhh, dbias
    /// (any may be null; all overwritten).
    /// </summary>
    public static void Backward<T>(T* x, int n, int steps, int inputs, int h, T* wih, T* whh, T* y, T* gates, T* gy, T* dgates,
        T* dx, T* dwih, T* dwhh, T* dbias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int g4 = 4 * h, rows = n * steps;
        T* hs = y, cs = y + (long)rows * h, ghs = gy, gcs = gy + (long)rows * h;
        var state = ConvKernels.Pool.Rent<T>(2 * n * h);
        try
        {
            fixed (T* ps = state)
            {
                T* dhNext = ps, dcNext = ps + (long)n * h;
                ForRowBlocks(n, (r0, r1) =>
                {
                    Span<T> tc = stackalloc T[h];
                    for (int t = steps - 1; t >= 0; t--)
                    {
                        for (int r = r0; r < r1; r++)
                        {
                            long at = (long)r * steps + t;
                            T* gate = gates + at * g4, dg = dgates + at * g4, c = cs + at * h;
                            T* cPrev = t > 0 ? c - h : null;
                            T* dh = dhNext + (long)r * h, dc = dcNext + (long)r * h;
                            TP.Tanh(new ReadOnlySpan<T>(c, h), tc);
                            for (int j = 0; j < h; j++)
                            {
                                T hGrad = ghs[at * h + j] + (t < steps - 1 ? dh[j] : T.Zero);
                                T cGrad = gcs[at * h + j] + (t < steps - 1 ? dc[j] : T.Zero);
                                T i = gate[j], f = gate[h + j], g = gate[2 * h + j], o = gate[3 * h + j], th = tc[j];
                                cGrad += hGrad * o * (T.One - th * th);
                                dg[j] = cGrad * g * i * (T.One - i);
                                dg[h + j] = t > 0 ? cGrad * cPrev![j] * f * (T.One - f) : T.Zero;
                                dg[2 * h + j] = cGrad * i * (T.One - g * g);
                                dg[3 * h + j] = hGrad * th * o * (T.One - o);
                                dc[j] = cGrad * f;
                            }
                        }
                        if (t > 0)
                            Mul(false, false, r1 - r0, h, g4, dgates + ((long)r0 * steps + t) * g4, steps * g4, whh, h, T.Zero,
                                dhNext + (long)r0 * h, h, threads: 1);
                    }
                });
            }
        }
        finally
        {
            ConvKernels.Pool.Return(state);
        }
        if (dwih is not null) Mul(true, false, g4, inputs, rows, dgates, g4, x, inputs, T.Zero, dwih, inputs, threads: 0);
        if (dwhh is not null)
        {
            // h_{t−1} beside each row (zero at t = 0), so dW_hh is one GEMM over all rows
            var prev = ConvKernels.Pool.Rent<T>(rows * h);
            try
            {
                fixed (T* pp = prev)
                {
                    for (int r = 0; r < n; r++)
                    {
                        new Span<T>(pp + (long)r * steps * h, h).Clear();
                        new ReadOnlySpan<T>(hs + (long)r * steps * h, (steps - 1) * h).CopyTo(new Span<T>(pp + ((long)r * steps + 1) * h, (steps - 1) * h));
                    }
                    Mul(true, false, g4, h, rows, dgates, g4, pp, h, T.Zero, dwhh, h, threads: 0);
                }
            }
            finally
            {
                ConvKernels.Pool.Return(prev);
            }
        }
        if (dbias is not null)
        {
            new Span<T>(dbias, g4).Clear();
            for (int r = 0; r < rows; r++) TP.Add(new ReadOnlySpan<T>(dbias, g4), new ReadOnlySpan<T>(dgates + (long)r * g4, g4), new Span<T>(dbias, g4));
        }
        if (dx is not null) Mul(false, false, rows, inputs, g4, dgates, g4, wih, inputs, T.Zero, dx, inputs, threads: 0);
    }

    /// <summary>Runs <paramref name="body"/>(r0, r1) on blocks of batch rows, one block per thread.</summary>
    private static void ForRowBlocks(int n, Action<int, int> body)
    {
        int blocks = Math.Max(1, Math.Min(KernelThreads.MaxThreads, n / 8));
        if (blocks == 1)
        {
            body(0, n);
            return;
        }
        KernelThreads.Run(blocks, b => body((int)((long)n * b / blocks), (int)((long)n * (b + 1) / blocks)));
    }

    private static void Mul<T>(bool transA, bool transB, int m, int n, int k, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        bool single = typeof(T) == typeof(float);
        Gemm.Compute(transA, transB, m, n, k, T.One, a, lda, b, ldb, beta, c, ldc, threads, GemmKernelKind.Auto,
            single ? Gemm.KcFloat : Gemm.KcDouble, single ? Gemm.NcFloat : Gemm.NcDouble);
    }
}

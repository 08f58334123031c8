using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Optim.Fused;

/// <summary>
/// One fused optimizer update: reads the gradient, the parameters and up to three state buffers and writes
/// the parameters and the state in a single pass. <see cref="Loop{TV}"/> handles <c>n</c> elements, a
/// multiple of the vector width; <see cref="FusedLoop"/> takes care of the tail and of threads.
/// </summary>
internal interface IFusedKernel<T> where T : unmanaged
{
    void Loop<TV>(ref T p, ref T g, ref T s0, ref T s1, ref T s2, nint n) where TV : struct, ISimd<TV, T>;
}

/// <summary>The flat arrays of one fused step (parameters, gradients, the rule's state buffers in its
/// <see cref="FusedRule.StateNames"/> order), with the offsets of the tensors inside their arrays.</summary>
internal sealed class FusedBuffers<T> where T : unmanaged
{
    public FusedBuffers(Tensor parameters, Tensor gradients, IReadOnlyList<Tensor> state)
    {
        if (state.Count > 3) throw new ArgumentException("A fused kernel takes at most three state buffers.");
        P = Array(parameters); PBase = parameters.Offset;
        G = Array(gradients); GBase = gradients.Offset;
        StateCount = state.Count;
        S = new T[3][];
        SBase = new int[3];
        for (int i = 0; i < 3; i++)
        {
            S[i] = i < state.Count ? Array(state[i]) : [];
            SBase[i] = i < state.Count ? state[i].Offset : 0;
        }
    }

    public readonly T[] P, G;
    public readonly int PBase, GBase, StateCount;
    public readonly T[][] S;
    public readonly int[] SBase;

    /// <summary>The cached parallel job (one per kernel type), so steady-state steps do not allocate.</summary>
    public object? Job;

    private static T[] Array(Tensor t) => (T[])t.storage.Array;
}

/// <summary>Runs fused kernels over ranges of the flat buffers: AVX-512 where available (else AVX2), the
/// ragged tail through the same vector code on zero-padded copies (so every element sees exactly the same
/// arithmetic), and large ranges split over <see cref="KernelThreads"/>.</summary>
internal static class FusedLoop
{
    /// <summary>Ranges at least this long are split across threads.</summary>
    public const int ParallelThreshold = 1 << 20;

    /// <summary>For tests: 0 picks the widest accelerated vector, 256 forces AVX2-width code.</summary>
    internal static int ForcedWidth { get; set; }

    private static bool Use512 => ForcedWidth != 256 && Vector512.IsHardwareAccelerated;

    /// <summary>Applies <paramref name="kernel"/> to elements [offset, offset + length) of the buffers.</summary>
    public static void Run<TK, T>(ref TK kernel, FusedBuffers<T> b, int offset, int length)
        where TK : struct, IFusedKernel<T> where T : unmanaged
    {
        int threads = Math.Min(KernelThreads.MaxThreads, length / (ParallelThreshold / 2));
        if (threads < 2 || length < ParallelThreshold)
        {
            RunRange(ref kernel, b, offset, length);
            return;
        }
        var job = b.Job as Job<TK, T>;
        if (job is null) b.Job = job = new Job<TK, T>();
        job.Kernel = kernel;
        job.Buffers = b;
        job.Offset = offset;
        job.Length = length;
        job.Threads = threads;
        KernelThreads.Run(threads, job.Body);
        job.Buffers = null;
    }

    private static void RunRange<TK, T>(ref TK kernel, FusedBuffers<T> b, int offset, int length)
        where TK : struct, IFusedKernel<T> where T : unmanaged
    {
        if (length <= 0) return;
        if (Use512) RunRange<TK, T, V512<T>>(ref kernel, b, offset, length);
        else RunRange<TK, T, V256<T>>(ref kernel, b, offset, length);
    }

    private static void RunRange<TK, T, TV>(ref TK kernel, FusedBuffers<T> b, int offset, int length)
        where TK : struct, IFusedKernel<T> where T : unmanaged where TV : struct, ISimd<TV, T>
    {
        int w = TV.Count;
        int main = length - length % w;
        ref T p = ref At(b.P, b.PBase + offset);
        ref T g = ref At(b.G, b.GBase + offset);
        ref T s0 = ref b.StateCount > 0 ? ref At(b.S[0], b.SBase[0] + offset) : ref Unsafe.NullRef<T>();
        ref T s1 = ref b.StateCount > 1 ? ref At(b.S[1], b.SBase[1] + offset) : ref Unsafe.NullRef<T>();
        ref T s2 = ref b.StateCount > 2 ? ref At(b.S[2], b.SBase[2] + offset) : ref Unsafe.NullRef<T>();
        if (main > 0) kernel.Loop<TV>(ref p, ref g, ref s0, ref s1, ref s2, main);
        int rest = length - main;
        if (rest == 0) return;

        // The tail: copy into zero-padded vectors, run one vector iteration, copy back.
        Span<T> pad = stackalloc T[5 * 16];
        pad.Clear();
        var tp = pad.Slice(0, w); var tg = pad.Slice(16, w);
        var t0 = pad.Slice(32, w); var t1 = pad.Slice(48, w); var t2 = pad.Slice(64, w);
        int st = b.StateCount;
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref p, main), rest).CopyTo(tp);
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref g, main), rest).CopyTo(tg);
        if (st > 0) MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref s0, main), rest).CopyTo(t0);
        if (st > 1) MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref s1, main), rest).CopyTo(t1);
        if (st > 2) MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref s2, main), rest).CopyTo(t2);
        kernel.Loop<TV>(ref MemoryMarshal.GetReference(tp), ref MemoryMarshal.GetReference(tg),
            ref MemoryMarshal.GetReference(t0), ref MemoryMarshal.GetReference(t1), ref MemoryMarshal.GetReference(t2), w);
        tp.Slice(0, rest).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref p, main), rest));
        if (st > 0) t0.Slice(0, rest).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref s0, main), rest));
        if (st > 1) t1.Slice(0, rest).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref s1, main), rest));
        if (st > 2) t2.Slice(0, rest).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref s2, main), rest));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T At<T>(T[] array, int index) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index);

    /// <summary>A parallel run, cached per buffers object so the delegate is created once.</summary>
    private sealed class Job<TK, T> where TK : struct, IFusedKernel<T> where T : unmanaged
    {
        public TK Kernel;
        public FusedBuffers<T>? Buffers;
        public int Offset, Length, Threads;
        public readonly Action<int> Body;

        public Job() => Body = RunChunk;

        private void RunChunk(int t)
        {
            // Chunks are multiples of 1024 elements (whole cache lines and vectors); the last takes the tail.
            int chunk = (Length / Threads + 1023) & ~1023;
            int start = t * chunk;
            int end = t == Threads - 1 ? Length : Math.Min(Length, start + chunk);
            if (end > start) RunRange(ref Kernel, Buffers!, Offset + start, end - start);
        }
    }
}

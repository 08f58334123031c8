using System.Numerics;
using System.Runtime.InteropServices;
using Descent.Optim.Rules;
using Descent.Tensors;
using Descent.Tensors.Kernels;

namespace Descent.Optim.Fused;

/// <summary>
/// One parameter group's update: a rule (a named optimizer's chain) with its settings, run as one fused pass
/// over the group's ranges of the flat buffers. Non-generic so the optimizer can hold any chain.
/// </summary>
internal interface IFusedUpdate
{
    /// <summary>The state buffers the rule keeps, in slot order.</summary>
    IReadOnlyList<StateSlot> State { get; }

    /// <summary>Where the gradient must be taken for Nesterov's original form, or null.</summary>
    LookAhead? LookAhead { get; }

    /// <summary>The rule as formulas.</summary>
    IReadOnlyList<RuleText> Describe();

    /// <summary>One step over <paramref name="ranges"/> of the buffers.</summary>
    void Step(FusedBuffers buffers, RuleStep step, GradientClip clip, (int Offset, int Length)[] ranges, SimdWidth width);
}

/// <summary>The flat arrays of a step: parameters, gradients and the state buffers in slot order.</summary>
/// <param name="Values">θ (1-D).</param>
/// <param name="Grads">g (1-D, same length).</param>
/// <param name="State">One 1-D buffer per state slot.</param>
internal sealed record FusedBuffers(Tensor Values, Tensor Grads, Tensor[] State);

/// <summary>The fused update of the rule <typeparamref name="TRule"/>.</summary>
internal sealed unsafe class FusedUpdate<TRule> : IFusedUpdate where TRule : struct, IRule<TRule>
{
    private TRule rule;
    private readonly StateSlot[] state;
    private readonly Action<int> chunk;
    private readonly GCHandle[] pins;
    private ParallelJob job;

    /// <summary>Creates the rule from <paramref name="settings"/> and lists its state.</summary>
    public FusedUpdate(OptimizerSettings settings)
    {
        rule = TRule.Create(settings);
        var slots = new List<StateSlot>();
        rule.Bind(slots);
        var duplicate = slots.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ConfigurationException($"{settings.Optimizer}: two rules of the chain keep a state buffer named '{duplicate.Key}'; rename one.");
        state = [.. slots];
        pins = new GCHandle[2 + state.Length];
        chunk = RunChunk;
    }

    /// <inheritdoc />
    public IReadOnlyList<StateSlot> State => state;

    /// <inheritdoc />
    public LookAhead? LookAhead => rule.LookAhead;

    /// <inheritdoc />
    public IReadOnlyList<RuleText> Describe()
    {
        var lines = new List<RuleText>();
        rule.Describe(lines);
        return lines;
    }

    /// <inheritdoc />
    public void Step(FusedBuffers buffers, RuleStep step, GradientClip clip, (int Offset, int Length)[] ranges, SimdWidth width)
    {
        rule.Prepare(step);
        width = FusedRunner.Resolve(width);
        if (buffers.Values.DType == DType.Float32) Step<float>(buffers, clip, ranges, width);
        else Step<double>(buffers, clip, ranges, width);
    }

    private void Step<T>(FusedBuffers b, GradientClip clip, (int Offset, int Length)[] ranges, SimdWidth width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int sc = state.Length;
        try
        {
            T* p = (T*)Pin(0, b.Values.storage.Array) + b.Values.Offset;
            T* g = (T*)Pin(1, b.Grads.storage.Array) + b.Grads.Offset;
            T** s = stackalloc T*[Math.Max(1, sc)];
            T** at = stackalloc T*[Math.Max(1, sc)];
            for (int k = 0; k < sc; k++) s[k] = (T*)Pin(2 + k, b.State[k].storage.Array) + b.State[k].Offset;
            foreach (var (offset, length) in ranges)
            {
                int threads = Math.Min(KernelThreads.MaxThreads, length / (FusedRunner.ParallelThreshold / 2));
                if (length >= FusedRunner.ParallelThreshold && threads >= 2)
                {
                    RunParallel(p + offset, g + offset, s, offset, sc, length, threads, clip, width);
                    continue;
                }
                for (int k = 0; k < sc; k++) at[k] = s[k] + offset;
                FusedRunner.Run(ref rule, p + offset, g + offset, at, sc, length, clip, width);
            }
        }
        finally
        {
            for (int i = 0; i < pins.Length; i++)
                if (pins[i].IsAllocated) pins[i].Free();
        }
    }

    /// <summary>Pins <paramref name="array"/> until the end of the step.</summary>
    private nint Pin(int i, Array array)
    {
        pins[i] = GCHandle.Alloc(array, GCHandleType.Pinned);
        return pins[i].AddrOfPinnedObject();
    }

    private void RunParallel<T>(T* p, T* g, T** s, int offset, int sc, int length, int threads, GradientClip clip, SimdWidth width)
        where T : unmanaged
    {
        job.P = (nint)p;
        job.G = (nint)g;
        if (job.State is null || job.State.Length < sc) job.State = new nint[sc];
        for (int k = 0; k < sc; k++) job.State[k] = (nint)(s[k] + offset);
        job.Count = sc;
        job.Length = length;
        job.Threads = threads;
        job.Clip = clip;
        job.Width = width;
        job.Double = typeof(T) == typeof(double);
        KernelThreads.Run(threads, chunk);
    }

    private void RunChunk(int t)
    {
        // Chunks are multiples of 1024 elements (whole cache lines and vectors); the last takes the tail.
        int size = (job.Length / job.Threads + 1023) & ~1023;
        int start = t * size;
        int end = t == job.Threads - 1 ? job.Length : Math.Min(job.Length, start + size);
        if (end <= start) return;
        if (job.Double) RunChunk<double>(start, end - start);
        else RunChunk<float>(start, end - start);
    }

    private void RunChunk<T>(int start, int length) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int sc = job.Count;
        T** at = stackalloc T*[Math.Max(1, sc)];
        for (int k = 0; k < sc; k++) at[k] = (T*)job.State![k] + start;
        var local = rule;
        FusedRunner.Run(ref local, (T*)job.P + start, (T*)job.G + start, at, sc, length, job.Clip, job.Width);
    }

    /// <summary>What a parallel step's threads need (kept between steps, so a step does not allocate).</summary>
    private struct ParallelJob
    {
        public nint P, G;
        public nint[]? State;
        public int Count, Length, Threads;
        public GradientClip Clip;
        public SimdWidth Width;
        public bool Double;
    }
}

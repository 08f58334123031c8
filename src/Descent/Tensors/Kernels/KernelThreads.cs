using System.Runtime.ExceptionServices;

namespace Descent.Tensors.Kernels;

/// <summary>
/// A small, low-overhead parallel helper shared by the numeric kernels. It keeps a few
/// persistent worker threads that spin briefly between jobs (so back-to-back kernel calls
/// in a training loop do not pay a thread wake-up each time) and then block.
/// </summary>
/// <remarks>
/// The calling thread always takes part in the work (it runs index 0). A call made while
/// another call is already running on the pool (from another thread, or nested inside a
/// body) does not wait for the pool: nested calls run inline on the calling thread, and
/// concurrent calls from other threads fall back to <see cref="Parallel.For(int,int,Action{int})"/>.
/// </remarks>
public static class KernelThreads
{
    // The limit of the current logical flow of execution (0: none). An AsyncLocal, so a limit set in one
    // test, command or task never leaks into another that runs beside it on another thread.
    private static readonly AsyncLocal<int> Scoped = new();

    /// <summary>
    /// Upper bound on the number of threads a kernel uses when it is asked for "all" threads
    /// (a thread count of 0): the innermost <see cref="Limit"/> in effect on this flow of execution, else
    /// <see cref="Environment.ProcessorCount"/>. Read-only: change it for a region with <see cref="Limit"/>.
    /// </summary>
    public static int MaxThreads => Scoped.Value is int limit and > 0 ? limit : DefaultThreads;

    private static readonly int DefaultThreads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Limits the kernels to <paramref name="maxThreads"/> threads until the returned scope is disposed
    /// (which restores the previous limit). The limit belongs to the current thread and the tasks it
    /// starts (an <see cref="AsyncLocal{T}"/>), never to other threads:
    /// <code>using (KernelThreads.Limit(1)) { /* single-threaded kernels */ }</code>
    /// </summary>
    /// <param name="maxThreads">The thread count "all threads" means inside the scope; at least 1.</param>
    /// <returns>The scope; dispose it to restore the previous limit.</returns>
    public static ThreadLimit Limit(int maxThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        int previous = Scoped.Value;
        Scoped.Value = maxThreads;
        return new ThreadLimit(previous);
    }

    /// <summary>A region with a thread limit (see <see cref="Limit"/>); disposing it restores the previous one.</summary>
    public readonly struct ThreadLimit : IDisposable
    {
        private readonly int previous;
        private readonly bool active;

        internal ThreadLimit(int previous)
        {
            this.previous = previous;
            active = true;
        }

        /// <summary>Restores the limit that was in effect when the scope began (no-op for a default value).</summary>
        public void Dispose()
        {
            if (active) Scoped.Value = previous;
        }
    }

    /// <summary>Resolves a requested thread count: 0 or less means <see cref="MaxThreads"/>.</summary>
    /// <param name="threads">The requested number of threads.</param>
    /// <returns>The number of threads to use, at least 1.</returns>
    public static int Resolve(int threads) => threads <= 0 ? MaxThreads : threads;

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [<paramref name="fromInclusive"/>,
    /// <paramref name="toExclusive"/>) using up to <see cref="MaxThreads"/> threads. Indices are
    /// handed out dynamically, one at a time, so uneven iterations balance.
    /// </summary>
    /// <param name="fromInclusive">First index.</param>
    /// <param name="toExclusive">One past the last index.</param>
    /// <param name="body">The work for one index.</param>
    public static void For(int fromInclusive, int toExclusive, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int count = toExclusive - fromInclusive;
        if (count <= 0) return;
        int threads = Math.Min(MaxThreads, count);
        if (threads == 1)
        {
            for (int i = fromInclusive; i < toExclusive; i++) body(i);
            return;
        }
        var next = new StrongBox<int>(fromInclusive);
        Run(threads, _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next.Value) - 1) < toExclusive) body(i);
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/>(t) once for each thread index t in [0, <paramref name="threads"/>),
    /// each on its own thread when the pool is free, and returns when all have finished. The
    /// calling thread runs index 0. The first exception thrown by a body is rethrown here.
    /// </summary>
    /// <param name="threads">Number of thread indices; values below 1 are treated as 1.</param>
    /// <param name="body">The work for one thread index.</param>
    public static void Run(int threads, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (threads <= 1)
        {
            body(0);
            return;
        }
        if (insideBody)
        {
            // Nested call from a body: the pool is busy with our own caller; run inline.
            for (int t = 0; t < threads; t++) body(t);
            return;
        }
        if (!Monitor.TryEnter(RunLock))
        {
            // Another thread is using the pool: do not queue behind it. (Rethrow the first failure itself,
            // as the pool does, rather than Parallel.For's AggregateException.)
            try
            {
                Parallel.For(0, threads, body);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            return;
        }
        try
        {
            Pool.Execute(threads, body);
        }
        finally
        {
            Monitor.Exit(RunLock);
        }
    }

    private static readonly object RunLock = new();

    [ThreadStatic]
    private static bool insideBody;

    private static WorkerPool Pool => field ??= new WorkerPool();

    private sealed class StrongBox<T>(T value)
    {
        public T Value = value;
    }

    /// <summary>Persistent workers; only used under <see cref="RunLock"/>.</summary>
    private sealed class WorkerPool
    {
        // How long an idle worker spins for the next job before blocking.
        private const long SpinMicroseconds = 200;

        private readonly object sync = new();
        private readonly List<Thread> workers = [];
        private Action<int>? job;
        private int jobThreads;
        private long generation;
        private int pending;
        private ExceptionDispatchInfo? error;

        // The job is published seqlock-style: generation is odd while the fields below are
        // being written and even once they are consistent, so a worker that wakes late never
        // pairs one job's generation with another job's fields.
        public void Execute(int threads, Action<int> body)
        {
            EnsureWorkers(threads - 1);
            Interlocked.Increment(ref generation);
            error = null;
            job = body;
            jobThreads = threads;
            pending = threads - 1;
            lock (sync)
            {
                Interlocked.Increment(ref generation);
                Monitor.PulseAll(sync);
            }
            RunIndex(body, 0);
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            job = null;
            error?.Throw();
        }

        private void RunIndex(Action<int> body, int index)
        {
            insideBody = true;
            try
            {
                body(index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                insideBody = false;
            }
        }

        private void EnsureWorkers(int count)
        {
            while (workers.Count < count)
            {
                int index = workers.Count + 1;
                long seen = Volatile.Read(ref generation);
                var thread = new Thread(() => WorkerLoop(index, seen))
                {
                    IsBackground = true,
                    Name = $"Descent kernel worker {index}",
                };
                workers.Add(thread);
                // No execution context: a worker must not keep the AsyncLocal state (e.g. a thread
                // limit) of whichever caller happened to start it.
                thread.UnsafeStart();
            }
        }

        private void WorkerLoop(int index, long seen)
        {
            long spinTicks = SpinMicroseconds * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
            while (true)
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                var spin = new SpinWait();
                while (Volatile.Read(ref generation) == seen)
                {
                    if (System.Diagnostics.Stopwatch.GetTimestamp() - start > spinTicks)
                    {
                        lock (sync)
                        {
                            while (Volatile.Read(ref generation) == seen) Monitor.Wait(sync);
                        }
                        break;
                    }
                    spin.SpinOnce(sleep1Threshold: -1);
                }
                long published = Interlocked.Read(ref generation);
                if ((published & 1) != 0 || published == seen) continue;
                var body = job;
                int count = jobThreads;
                if (Interlocked.Read(ref generation) != published) continue;
                seen = published;
                if (body is not null && index < count)
                {
                    RunIndex(body, index);
                    Interlocked.Decrement(ref pending);
                }
            }
        }
    }
}

using Descent.Distributed;

namespace Descent.Tests.Distributed;

/// <summary>
/// Several "processes" as threads of the test process, with real collectives between them: an all-reduce
/// deposits every member's buffer, then each member sums them in rank order (so all get the same bits, as MPI
/// guarantees). It lets the data-parallel code be tested on any machine, MPI or not; the MPI binding itself is
/// tested under mpirun (<see cref="MpiJobTests"/>).
/// </summary>
internal sealed class ThreadGroup
{
    private readonly Barrier barrier;
    private readonly object?[] slots;

    private ThreadGroup(int size)
    {
        barrier = new Barrier(size);
        slots = new object?[size];
        Members = Enumerable.Range(0, size).Select(r => (Communicator)new Member(this, r)).ToArray();
    }

    /// <summary>The members, by rank.</summary>
    public IReadOnlyList<Communicator> Members { get; }

    /// <summary>Runs <paramref name="body"/> on <paramref name="size"/> threads, one per rank, and returns their results by rank.</summary>
    public static T[] Run<T>(int size, Func<Communicator, T> body)
    {
        var group = new ThreadGroup(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = group.Members.Select((c, r) => new Thread(() =>
        {
            try { results[r] = body(c); }
            catch (Exception e) { errors[r] = e; }
        }, 64 << 20)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a rank did not finish in 2 minutes");
        var first = errors.FirstOrDefault(e => e is not null and not TimeoutException) ?? errors.FirstOrDefault(e => e is not null);
        if (first is not null) throw new AggregateException(first);
        return results;
    }

    private void Wait()
    {
        if (!barrier.SignalAndWait(TimeSpan.FromSeconds(60))) throw new TimeoutException("a collective waited 60 s for the other ranks");
    }

    private sealed class Member(ThreadGroup group, int rank) : Communicator
    {
        public override int Rank => rank;

        public override int Size => group.slots.Length;

        public override string Description => $"{Size} threads";

        public override void AllReduce(Span<float> buffer, ReduceOp op = ReduceOp.Sum)
        {
            var all = Exchange(buffer.ToArray());
            for (int i = 0; i < buffer.Length; i++)
            {
                float acc = ((float[])all[0])[i];
                for (int r = 1; r < all.Length; r++) acc = Combine(acc, ((float[])all[r])[i], op);
                buffer[i] = acc;
            }
            group.Wait();
        }

        public override void AllReduce(Span<double> buffer, ReduceOp op = ReduceOp.Sum)
        {
            var all = Exchange(buffer.ToArray());
            for (int i = 0; i < buffer.Length; i++)
            {
                double acc = ((double[])all[0])[i];
                for (int r = 1; r < all.Length; r++) acc = Combine(acc, ((double[])all[r])[i], op);
                buffer[i] = acc;
            }
            group.Wait();
        }

        public override void Broadcast(Span<byte> buffer, int root = 0)
        {
            var all = Exchange(buffer.ToArray());
            ((byte[])all[root]).CopyTo(buffer);
            group.Wait();
        }

        public override void Barrier() => group.Wait();

        public override void Abort(int exitCode) => throw new InvalidOperationException($"rank {rank} aborted the group with code {exitCode}");

        private object[] Exchange(object mine)
        {
            group.slots[rank] = mine;
            group.Wait();
            return group.slots.Select(s => s!).ToArray();
        }

        private static float Combine(float a, float b, ReduceOp op) => op switch { ReduceOp.Sum => a + b, ReduceOp.Max => Math.Max(a, b), _ => Math.Min(a, b) };

        private static double Combine(double a, double b, ReduceOp op) => op switch { ReduceOp.Sum => a + b, ReduceOp.Max => Math.Max(a, b), _ => Math.Min(a, b) };
    }
}

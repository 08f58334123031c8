using Descent.Tensors.Kernels;

namespace Descent.Tests.Tensors.Kernels;

/// <summary>The kernels' thread limit is a scope: it restores on dispose and never leaks to other threads.</summary>
public class KernelThreadsTests
{
    [Fact]
    public void LimitAppliesInsideTheScopeAndRestoresAfter()
    {
        int before = KernelThreads.MaxThreads;
        using (KernelThreads.Limit(3))
        {
            Assert.Equal(3, KernelThreads.MaxThreads);
            Assert.Equal(3, KernelThreads.Resolve(0));
            Assert.Equal(5, KernelThreads.Resolve(5));
            using (KernelThreads.Limit(1)) Assert.Equal(1, KernelThreads.MaxThreads);
            Assert.Equal(3, KernelThreads.MaxThreads);
        }
        Assert.Equal(before, KernelThreads.MaxThreads);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), before);
    }

    [Fact]
    public void ADefaultScopeChangesNothing()
    {
        using (KernelThreads.Limit(2))
        {
            using (default(KernelThreads.ThreadLimit)) { }
            Assert.Equal(2, KernelThreads.MaxThreads);
        }
    }

    [Fact]
    public void LimitIsNotSeenByOtherThreads()
    {
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int seenInside = 0;
        var other = new Thread(() =>
        {
            using (KernelThreads.Limit(1))
            {
                seenInside = KernelThreads.MaxThreads;
                started.Set();
                release.Wait();
            }
        });
        other.UnsafeStart();   // no inherited context: an unrelated thread
        started.Wait();
        // The other thread holds a limit of 1 right now; this one still sees the machine's cores.
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), KernelThreads.MaxThreads);
        release.Set();
        other.Join();
        Assert.Equal(1, seenInside);
    }

    [Fact]
    public async Task LimitFlowsIntoTasksStartedInsideTheScope()
    {
        using (KernelThreads.Limit(1))
            Assert.Equal(1, await Task.Run(() => KernelThreads.MaxThreads));
    }

    [Fact]
    public void LimitBelowOneIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreads.Limit(0));
}

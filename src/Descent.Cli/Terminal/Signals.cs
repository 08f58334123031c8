using System.Runtime.InteropServices;

namespace Descent.Cli.Terminal;

/// <summary>Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation while long work runs: the work finishes its
/// step, saves what it must and returns. A second signal terminates at once.</summary>
public static class Signals
{
    /// <summary>Runs <paramref name="work"/> with a token that the signals (or <paramref name="outer"/>) cancel;
    /// <paramref name="onSignal"/>, if given, hears of the first signal before the cancellation.</summary>
    public static T Run<T>(Func<CancellationToken, T> work, CancellationToken outer, Action<PosixSignal>? onSignal = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        void Handler(PosixSignalContext c)
        {
            if (cts.IsCancellationRequested) return; // second signal: default action (terminate)
            c.Cancel = true;
            onSignal?.Invoke(c.Signal);
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);
        return work(cts.Token);
    }
}

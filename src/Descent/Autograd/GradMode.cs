namespace Descent.Autograd;

/// <summary>
/// Whether operations are recorded for differentiation on the current thread. On by default;
/// <see cref="Autodiff.NoGrad"/> turns it off for a scope (evaluation, optimizer steps, and the
/// backward pass itself unless a graph of the gradient is requested).
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static bool disabled;

    /// <summary>True when new operations are recorded.</summary>
    public static bool IsEnabled => !disabled;

    internal static Restore Set(bool enabled)
    {
        var r = new Restore(!disabled);
        disabled = !enabled;
        return r;
    }

    /// <summary>Restores the previous mode when disposed.</summary>
    public readonly struct Restore : IDisposable
    {
        private readonly bool previous;

        internal Restore(bool previous) => this.previous = previous;

        /// <summary>Puts the previous mode back.</summary>
        public void Dispose() => disabled = !previous;
    }
}

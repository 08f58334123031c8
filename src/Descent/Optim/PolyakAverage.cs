using Descent.Nn;
using Descent.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Optim;

/// <summary>How iterates are averaged.</summary>
public enum AveragingMode
{
    /// <summary>The arithmetic mean of the iterates (Polyak &amp; Juditsky 1992).</summary>
    Arithmetic,

    /// <summary>The exponential moving average <c>θ̄ ← αθ̄ + (1−α)θ</c>.</summary>
    Exponential,
}

/// <summary>
/// Polyak averaging of the iterates (Polyak &amp; Juditsky 1992; Goodfellow et al. 2016, §8.7.3): a flat buffer
/// θ̄ updated after every step (from <c>start</c> on), arithmetic <c>θ̄ ← θ̄ + (θ − θ̄)/(n+1)</c> or exponential
/// <c>θ̄ ← αθ̄ + (1−α)θ</c> (θ̄ = θ at the first update). For evaluation, <see cref="SwapIn"/> exchanges θ̄
/// with the live parameters (no copy of the model needed) and disposing the returned scope swaps back.
/// </summary>
public sealed class PolyakAverage
{
    private readonly FlatParameters parameters;

    /// <summary>Creates the average for <paramref name="parameters"/>.</summary>
    public PolyakAverage(FlatParameters parameters, AveragingMode mode, double decay = 0.999, long start = 0)
    {
        this.parameters = parameters;
        Mode = mode;
        Decay = decay;
        Start = start;
        Average = Tensor.ZerosUnscoped(new Shape(parameters.Count), parameters.DType);
    }

    /// <summary>Arithmetic or exponential.</summary>
    public AveragingMode Mode { get; }

    /// <summary>α of the exponential average.</summary>
    public double Decay { get; }

    /// <summary>Steps before averaging starts.</summary>
    public long Start { get; }

    /// <summary>The averaged parameters θ̄ (flat; holds the live parameters while swapped in).</summary>
    public Tensor Average { get; }

    /// <summary>Number of iterates averaged so far.</summary>
    public long Count { get; internal set; }

    /// <summary>True while θ̄ is swapped into the model.</summary>
    public bool IsSwappedIn { get; private set; }

    /// <summary>Adds the current parameters after step <paramref name="step"/> (1-based).</summary>
    public void Update(long step)
    {
        if (step <= Start) return;
        if (IsSwappedIn) throw new InvalidOperationException("The averaged weights are swapped in; dispose the SwapIn scope before stepping.");
        double w = Count == 0 ? 1 : Mode == AveragingMode.Arithmetic ? 1.0 / (Count + 1) : 1 - Decay;
        if (Average.DType == DType.Float32) TP.Lerp(Average.Floats, parameters.Values.Floats, (float)w, Average.Floats);
        else TP.Lerp(Average.Doubles, parameters.Values.Doubles, w, Average.Doubles);
        Count++;
    }

    /// <summary>Puts θ̄ into the model (e.g. for validation); dispose the result to get θ back.</summary>
    /// <exception cref="InvalidOperationException">Nothing averaged yet, or already swapped in.</exception>
    public IDisposable SwapIn()
    {
        if (Count == 0) throw new InvalidOperationException($"No averaged weights yet (averaging starts after step {Start}).");
        if (IsSwappedIn) throw new InvalidOperationException("The averaged weights are already swapped in.");
        Swap();
        IsSwappedIn = true;
        return new Scope(this);
    }

    /// <summary>Puts the live parameters back (same as disposing the <see cref="SwapIn"/> scope).</summary>
    public void SwapOut()
    {
        if (!IsSwappedIn) return;
        Swap();
        IsSwappedIn = false;
    }

    private void Swap()
    {
        if (Average.DType == DType.Float32) Exchange(Average.Floats, parameters.Values.Floats);
        else Exchange(Average.Doubles, parameters.Values.Doubles);
    }

    private static void Exchange<T>(Span<T> a, Span<T> b)
    {
        for (int i = 0; i < a.Length; i++) (a[i], b[i]) = (b[i], a[i]);
    }

    private sealed class Scope(PolyakAverage owner) : IDisposable
    {
        public void Dispose() => owner.SwapOut();
    }
}

using Descent.Tensors;

namespace Descent.Nn;

/// <summary>One layer call recorded by an <see cref="ActivationCapture"/>.</summary>
/// <param name="Layer">The layer (a <see cref="Linear"/> or <see cref="Conv2d"/>).</param>
/// <param name="Input">Its input a (as recorded in the graph).</param>
/// <param name="Output">Its output s = W·a + b, a node of the recorded graph: the gradient of a loss with
/// respect to it (<c>Autodiff.Grad(loss, [Output])</c>) is the back-propagated ∂L/∂s.</param>
public sealed record CapturedLayer(Module Layer, Tensor Input, Tensor Output);

/// <summary>
/// An opt-in record of the inputs and outputs of <see cref="Linear"/> and <see cref="Conv2d"/> layers during
/// forward passes on this thread, for methods that need per-layer statistics (K-FAC's Kronecker factors
/// E[aaᵀ] and E[ggᵀ]). While a capture is open, every such layer call appends a <see cref="CapturedLayer"/>;
/// with no capture open the layers do nothing extra.
/// <code>
/// using var capture = ActivationCapture.Begin();
/// var loss = lossFn.Compute(model.Forward(x), y);              // recorded with gradients enabled
/// var outputGrads = Autodiff.Grad(loss, capture.Layers.Select(l => l.Output).ToArray());
/// </code>
/// </summary>
public sealed class ActivationCapture : IDisposable
{
    [ThreadStatic] private static ActivationCapture? current;
    private readonly ActivationCapture? outer;
    private readonly List<CapturedLayer> layers = [];

    private ActivationCapture(ActivationCapture? outer) => this.outer = outer;

    /// <summary>Opens a capture on this thread (nested captures: the innermost records).</summary>
    public static ActivationCapture Begin() => current = new ActivationCapture(current);

    /// <summary>The layer calls so far, in forward order.</summary>
    public IReadOnlyList<CapturedLayer> Layers => layers;

    /// <summary>Records a layer call if a capture is open (called by the layers).</summary>
    internal static void Record(Module layer, Tensor input, Tensor output) => current?.layers.Add(new CapturedLayer(layer, input, output));

    /// <summary>Closes the capture.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(current, this)) current = outer;
    }
}

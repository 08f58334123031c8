using Descent.Autograd;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>Back-propagates from this tensor (a scalar, or with an explicit output gradient) and
    /// adds the gradients into <see cref="Grad"/> of every leaf that requires them.</summary>
    public void Backward(Tensor? gradOutput = null) => Autodiff.Backward(this, gradOutput);

    /// <summary>Marks this leaf as requiring gradients and returns it (for fluent set-up).</summary>
    public Tensor RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }
}

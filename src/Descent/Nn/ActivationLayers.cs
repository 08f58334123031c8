using Descent.Tensors;

namespace Descent.Nn;

/// <summary>The identity f(x) = x (a "linear" activation).</summary>
public sealed class Identity : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>The logistic sigmoid σ(x) = 1/(1 + e^−x).</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

/// <summary>The hyperbolic tangent (a centered sigmoid: tanh(x) = 2σ(2x) − 1).</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Tanh();
}

/// <summary>The rectified linear unit max(x, 0) (Nair &amp; Hinton 2010).</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>The leaky ReLU: x for x &gt; 0, slope·x otherwise (Maas et al. 2013; PyTorch's default slope 0.01).</summary>
/// <param name="slope">The slope for negative inputs.</param>
public sealed class LeakyReLU(double slope = 0.01) : Module
{
    /// <summary>The slope for negative inputs.</summary>
    public double Slope { get; } = slope;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.LeakyRelu(Slope);

    /// <inheritdoc />
    public override string ToString() => $"LeakyReLU({Slope})";
}

/// <summary>The exponential linear unit: x for x &gt; 0, α(eˣ − 1) otherwise (Clevert et al. 2016).</summary>
/// <param name="alpha">The saturation value −α for large negative inputs.</param>
public sealed class ELU(double alpha = 1.0) : Module
{
    /// <summary>α.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Elu(Alpha);

    /// <inheritdoc />
    public override string ToString() => $"ELU({Alpha})";
}

/// <summary>Softplus log(1 + eˣ), a smooth ReLU (computed stably).</summary>
public sealed class Softplus : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Softplus();
}

/// <summary>GELU x·Φ(x) with the exact normal CDF (Hendrycks &amp; Gimpel 2016; PyTorch's default form).</summary>
public sealed class GELU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Gelu();
}

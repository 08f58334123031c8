using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    private Tensor UnaryRaw(UnaryOp op)
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) UnaryKernels.Apply<float>(op, Floats, o.Floats);
        else UnaryKernels.Apply<double>(op, Doubles, o.Doubles);
        return o;
    }

    private Tensor Unary(UnaryOp op, string name, Func<Tensor, Tensor, Tensor, Tensor> grad)
    {
        var o = UnaryRaw(op);
        var x = this;
        if (Autodiff.ShouldRecord(x)) Autodiff.Record(o, name, [x], (g, _) => [grad(g, x, o)]);
        return o;
    }

    /// <summary>eˣ element-wise.</summary>
    public Tensor Exp() => Unary(UnaryOp.Exp, "Exp", (g, _, y) => g * y);

    /// <summary>Natural logarithm element-wise.</summary>
    public Tensor Log() => Unary(UnaryOp.Log, "Log", (g, x, _) => g / x);

    /// <summary>Square root element-wise.</summary>
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt, "Sqrt", (g, _, y) => g / (2.0 * y));

    /// <summary>Absolute value element-wise (gradient sign(x), 0 at 0).</summary>
    public Tensor Abs() => Unary(UnaryOp.Abs, "Abs", (g, x, _) => g * x.Sign());

    /// <summary>−1, 0 or +1 element-wise (not differentiable: zero gradient).</summary>
    public Tensor Sign() => UnaryRaw(UnaryOp.Sign);

    /// <summary>Hyperbolic tangent element-wise.</summary>
    public Tensor Tanh() => Unary(UnaryOp.Tanh, "Tanh", (g, _, y) => g * (1.0 - y * y));

    /// <summary>The logistic sigmoid 1/(1+e⁻ˣ) element-wise.</summary>
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid, "Sigmoid", (g, _, y) => g * y * (1.0 - y));

    /// <summary>Softplus ln(1+eˣ) element-wise, computed without overflow.</summary>
    public Tensor Softplus() => Unary(UnaryOp.Softplus, "Softplus", (g, x, _) => g * x.Sigmoid());

    /// <summary>The error function element-wise.</summary>
    public Tensor Erf() => Unary(UnaryOp.Erf, "Erf", (g, x, _) => g * (2 / Math.Sqrt(Math.PI)) * (-(x * x)).Exp());

    /// <summary>GELU x·Φ(x) with the exact normal CDF (Hendrycks &amp; Gimpel 2016; PyTorch's default).</summary>
    public Tensor Gelu() => Unary(UnaryOp.Gelu, "Gelu", (g, x, _) =>
    {
        var cdf = 0.5 * (1.0 + (x * (1 / Math.Sqrt(2))).Erf());
        var pdf = (-0.5 * (x * x)).Exp() * (1 / Math.Sqrt(2 * Math.PI));
        return g * (cdf + x * pdf);
    });

    /// <summary>ReLU max(x, 0) element-wise (gradient 1 where x &gt; 0, else 0).</summary>
    public Tensor Relu() => Unary(UnaryOp.Relu, "Relu", (g, x, _) => g.StepMul(x, 0));

    /// <summary>Leaky ReLU: x where x &gt; 0, <paramref name="slope"/>·x elsewhere.</summary>
    public Tensor LeakyRelu(double slope = 0.01)
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) UnaryKernels.LeakyRelu<float>(Floats, (float)slope, o.Floats);
        else UnaryKernels.LeakyRelu<double>(Doubles, slope, o.Doubles);
        var x = this;
        if (Autodiff.ShouldRecord(x)) Autodiff.Record(o, "LeakyRelu", [x], (g, _) => [g.StepMul(x, slope)]);
        return o;
    }

    /// <summary>ELU (Clevert et al. 2015): x where x &gt; 0, α(eˣ − 1) elsewhere.</summary>
    public Tensor Elu(double alpha = 1.0)
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) UnaryKernels.Elu<float>(Floats, (float)alpha, o.Floats);
        else UnaryKernels.Elu<double>(Doubles, alpha, o.Doubles);
        var x = this;
        if (Autodiff.ShouldRecord(x))
            Autodiff.Record(o, "Elu", [x], (g, _) =>
            {
                Tensor pos;
                using (Autodiff.NoGrad()) pos = x.Gt(0);
                // d/dx = 1 for x > 0, α·eˣ = y + α otherwise (written with y so it differentiates again).
                return [g * (pos + (1.0 - pos) * (o + alpha))];
            });
        return o;
    }

    /// <summary>Clamps to [<paramref name="min"/>, <paramref name="max"/>]; the gradient passes where
    /// min ≤ x ≤ max.</summary>
    public Tensor Clamp(double min, double max)
    {
        if (min > max) throw new ArgumentException($"Clamp: min {min} > max {max}.");
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) UnaryKernels.Clamp<float>(Floats, (float)min, (float)max, o.Floats);
        else UnaryKernels.Clamp<double>(Doubles, min, max, o.Doubles);
        var x = this;
        if (Autodiff.ShouldRecord(x)) Autodiff.Record(o, "Clamp", [x], (g, _) => [g.ClampMask(x, min, max)]);
        return o;
    }

    /// <summary>g where x &gt; 0, slope·g elsewhere; x is a constant mask, so the op is linear in g and
    /// its own adjoint (which makes ReLU twice differentiable at full speed).</summary>
    internal Tensor StepMul(Tensor x, double slope)
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) UnaryKernels.StepMul<float>(Floats, x.Floats, (float)slope, o.Floats);
        else UnaryKernels.StepMul<double>(Doubles, x.Doubles, slope, o.Doubles);
        if (Autodiff.ShouldRecord(this)) Autodiff.Record(o, "StepMul", [this], (gg, _) => [gg.StepMul(x, slope)]);
        return o;
    }

    /// <summary>g where lo ≤ x ≤ hi, else 0 (x constant; self-adjoint in g).</summary>
    internal Tensor ClampMask(Tensor x, double lo, double hi)
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) UnaryKernels.ClampMask<float>(Floats, x.Floats, (float)lo, (float)hi, o.Floats);
        else UnaryKernels.ClampMask<double>(Doubles, x.Doubles, lo, hi, o.Doubles);
        if (Autodiff.ShouldRecord(this)) Autodiff.Record(o, "ClampMask", [this], (gg, _) => [gg.ClampMask(x, lo, hi)]);
        return o;
    }

    /// <summary>An inverted-dropout mask: each element 0 with probability <paramref name="p"/>, else
    /// 1/(1−p), so that <c>x * mask</c> keeps the expected value of x.</summary>
    public static Tensor DropoutMask(Shape shape, double p, Rng rng, DType dtype = DType.Float32)
    {
        if (p < 0 || p >= 1 || double.IsNaN(p)) throw new ConfigurationException($"Dropout probability must be in [0, 1), got {p}.");
        var m = Empty(shape, dtype);
        double keep = 1 / (1 - p);
        for (int i = 0; i < m.Size; i++) m.SetRaw(i, rng.NextDouble() < p ? 0 : keep);
        return m;
    }
}

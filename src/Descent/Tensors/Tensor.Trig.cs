using Descent.Autograd;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>Sine element-wise.</summary>
    public Tensor Sin()
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) TP.Sin<float>(Floats, o.Floats);
        else TP.Sin<double>(Doubles, o.Doubles);
        var x = this;
        if (Autodiff.ShouldRecord(x)) Autodiff.Record(o, "Sin", [x], (g, _) => [g * x.Cos()]);
        return o;
    }

    /// <summary>Cosine element-wise.</summary>
    public Tensor Cos()
    {
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) TP.Cos<float>(Floats, o.Floats);
        else TP.Cos<double>(Doubles, o.Doubles);
        var x = this;
        if (Autodiff.ShouldRecord(x)) Autodiff.Record(o, "Cos", [x], (g, _) => [-(g * x.Sin())]);
        return o;
    }
}

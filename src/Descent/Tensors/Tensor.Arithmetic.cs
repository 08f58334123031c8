using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    internal static Tensor BinaryRaw(BinaryOp op, Tensor a, Tensor b, string name)
    {
        SameDType(a, b, name);
        var shape = Shape.Broadcast(a.Shape, b.Shape, name);
        var o = Empty(shape, a.DType);
        if (a.DType == DType.Float32) Broadcast.Binary<float>(op, a.Floats, a.Shape, b.Floats, b.Shape, o.Floats, shape);
        else Broadcast.Binary<double>(op, a.Doubles, a.Shape, b.Doubles, b.Shape, o.Doubles, shape);
        return o;
    }

    internal static Tensor ScalarRaw(BinaryOp op, Tensor a, double s, bool scalarFirst = false)
    {
        var o = Empty(a.Shape, a.DType);
        if (a.DType == DType.Float32)
        {
            if (scalarFirst) BinaryKernels.Apply(op, (float)s, (ReadOnlySpan<float>)a.Floats, o.Floats);
            else BinaryKernels.Apply(op, (ReadOnlySpan<float>)a.Floats, (float)s, o.Floats);
        }
        else
        {
            if (scalarFirst) BinaryKernels.Apply(op, s, (ReadOnlySpan<double>)a.Doubles, o.Doubles);
            else BinaryKernels.Apply(op, (ReadOnlySpan<double>)a.Doubles, s, o.Doubles);
        }
        return o;
    }

    /// <summary>a + b (broadcasting).</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var o = BinaryRaw(BinaryOp.Add, a, b, "Add");
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "Add", [a, b], (g, n) => [n[0] ? g.SumTo(a.Shape) : null, n[1] ? g.SumTo(b.Shape) : null]);
        return o;
    }

    /// <summary>a − b (broadcasting).</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var o = BinaryRaw(BinaryOp.Sub, a, b, "Sub");
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "Sub", [a, b], (g, n) => [n[0] ? g.SumTo(a.Shape) : null, n[1] ? (-g).SumTo(b.Shape) : null]);
        return o;
    }

    /// <summary>a · b element-wise (broadcasting).</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var o = BinaryRaw(BinaryOp.Mul, a, b, "Mul");
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "Mul", [a, b], (g, n) => [n[0] ? (g * b).SumTo(a.Shape) : null, n[1] ? (g * a).SumTo(b.Shape) : null]);
        return o;
    }

    /// <summary>a / b element-wise (broadcasting).</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var o = BinaryRaw(BinaryOp.Div, a, b, "Div");
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "Div", [a, b], (g, n) => [
                n[0] ? (g / b).SumTo(a.Shape) : null,
                n[1] ? (-(g * a) / (b * b)).SumTo(b.Shape) : null]);
        return o;
    }

    /// <summary>a ^ b element-wise (broadcasting). The gradient in b uses log a (a &gt; 0).</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var o = BinaryRaw(BinaryOp.Pow, a, b, "Pow");
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, "Pow", [a, b], (g, n) => [
                n[0] ? (g * b * Pow(a, b - 1)).SumTo(a.Shape) : null,
                n[1] ? (g * o * a.Log()).SumTo(b.Shape) : null]);
        return o;
    }

    /// <summary>Element-wise maximum (broadcasting); at ties the gradient is split evenly, as in PyTorch.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MinMax(BinaryOp.Max, a, b, "Maximum");

    /// <summary>Element-wise minimum (broadcasting); at ties the gradient is split evenly.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MinMax(BinaryOp.Min, a, b, "Minimum");

    private static Tensor MinMax(BinaryOp op, Tensor a, Tensor b, string name)
    {
        var o = BinaryRaw(op, a, b, name);
        if (Autodiff.ShouldRecord(a, b))
            Autodiff.Record(o, name, [a, b], (g, n) =>
            {
                Tensor wa;
                using (Autodiff.NoGrad())
                    wa = BinaryRaw(op == BinaryOp.Max ? BinaryOp.Gt : BinaryOp.Lt, a, b, name) + 0.5 * BinaryRaw(BinaryOp.Eq, a, b, name);
                return [n[0] ? (g * wa).SumTo(a.Shape) : null, n[1] ? (g * (1 - wa)).SumTo(b.Shape) : null];
            });
        return o;
    }

    /// <summary>1 where a &gt; b, else 0 (not differentiable).</summary>
    public Tensor Gt(Tensor b) => BinaryRaw(BinaryOp.Gt, this, b, "Gt");

    /// <summary>1 where a ≥ b, else 0 (not differentiable).</summary>
    public Tensor Ge(Tensor b) => BinaryRaw(BinaryOp.Ge, this, b, "Ge");

    /// <summary>1 where a &lt; b, else 0 (not differentiable).</summary>
    public Tensor Lt(Tensor b) => BinaryRaw(BinaryOp.Lt, this, b, "Lt");

    /// <summary>1 where a ≤ b, else 0 (not differentiable).</summary>
    public Tensor Le(Tensor b) => BinaryRaw(BinaryOp.Le, this, b, "Le");

    /// <summary>1 where a = b, else 0 (not differentiable).</summary>
    public Tensor Eq(Tensor b) => BinaryRaw(BinaryOp.Eq, this, b, "Eq");

    /// <summary>1 where a &gt; s, else 0 (not differentiable).</summary>
    public Tensor Gt(double s) => ScalarRaw(BinaryOp.Gt, this, s);

    /// <summary>1 where a &lt; s, else 0 (not differentiable).</summary>
    public Tensor Lt(double s) => ScalarRaw(BinaryOp.Lt, this, s);

    /// <summary>1 where a = s, else 0 (not differentiable).</summary>
    public Tensor Eq(double s) => ScalarRaw(BinaryOp.Eq, this, s);

    /// <summary>a + s.</summary>
    public static Tensor Add(Tensor a, double s)
    {
        var o = ScalarRaw(BinaryOp.Add, a, s);
        if (Autodiff.ShouldRecord(a)) Autodiff.Record(o, "AddScalar", [a], (g, _) => [g]);
        return o;
    }

    /// <summary>a · s.</summary>
    public static Tensor Mul(Tensor a, double s)
    {
        var o = ScalarRaw(BinaryOp.Mul, a, s);
        if (Autodiff.ShouldRecord(a)) Autodiff.Record(o, "MulScalar", [a], (g, _) => [g * s]);
        return o;
    }

    /// <summary>s − a.</summary>
    public static Tensor RSub(double s, Tensor a)
    {
        var o = ScalarRaw(BinaryOp.Sub, a, s, scalarFirst: true);
        if (Autodiff.ShouldRecord(a)) Autodiff.Record(o, "RSubScalar", [a], (g, _) => [-g]);
        return o;
    }

    /// <summary>s / a.</summary>
    public static Tensor RDiv(double s, Tensor a)
    {
        var o = ScalarRaw(BinaryOp.Div, a, s, scalarFirst: true);
        if (Autodiff.ShouldRecord(a)) Autodiff.Record(o, "RDivScalar", [a], (g, _) => [-(g * o) / a]);
        return o;
    }

    /// <summary>a ^ p for a scalar exponent.</summary>
    public Tensor Pow(double p)
    {
        if (p == 1) return Mul(this, 1.0);
        var o = ScalarRaw(BinaryOp.Pow, this, p);
        var a = this;
        if (Autodiff.ShouldRecord(a))
            Autodiff.Record(o, "PowScalar", [a], (g, _) => [
                p == 0 ? ZerosLike(a) : p == 2 ? g * a * 2.0 : g * p * a.Pow(p - 1)]);
        return o;
    }

    /// <summary>a² (same as <c>Pow(2)</c>).</summary>
    public Tensor Square() => Pow(2);

    /// <summary>−a.</summary>
    public Tensor Neg()
    {
        var o = ScalarRaw(BinaryOp.Mul, this, -1.0);
        if (Autodiff.ShouldRecord(this)) Autodiff.Record(o, "Neg", [this], (g, _) => [-g]);
        return o;
    }

    /// <summary>Element-wise maximum with a scalar (gradient to a where a &gt; s, half at ties).</summary>
    public Tensor Maximum(double s) => Maximum(this, Full(Shape.Scalar, s, DType));

    /// <summary>Element-wise minimum with a scalar.</summary>
    public Tensor Minimum(double s) => Minimum(this, Full(Shape.Scalar, s, DType));

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    /// <summary>a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    /// <summary>a · b element-wise.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    /// <summary>a / b element-wise.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, double s) => Add(a, s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(double s, Tensor a) => Add(a, s);
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, double s) => Add(a, -s);
    /// <summary>s − a.</summary>
    public static Tensor operator -(double s, Tensor a) => RSub(s, a);
    /// <summary>a · s.</summary>
    public static Tensor operator *(Tensor a, double s) => Mul(a, s);
    /// <summary>s · a.</summary>
    public static Tensor operator *(double s, Tensor a) => Mul(a, s);
    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, double s) => Mul(a, 1.0 / s);
    /// <summary>s / a.</summary>
    public static Tensor operator /(double s, Tensor a) => RDiv(s, a);

    /// <summary>Sums over the broadcast dimensions so the result has <paramref name="shape"/>
    /// (the adjoint of <see cref="BroadcastTo"/>).</summary>
    public Tensor SumTo(Shape shape)
    {
        if (shape == Shape) return this;
        if (!shape.BroadcastsTo(Shape)) throw new ShapeException($"SumTo: {Shape} cannot be reduced to {shape}.");
        int lead = Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (shape.Dims[i - lead] == 1 && Shape.Dims[i] != 1)) axes.Add(i);
        var s = axes.Count == 0 ? this : Sum(axes.ToArray(), keepDim: true);
        return s.Reshape(shape.ToArray());
    }

    /// <summary>Repeats the tensor along broadcast dimensions to <paramref name="shape"/> (a copy).</summary>
    public Tensor BroadcastTo(Shape shape)
    {
        if (shape == Shape) return this;
        if (!Shape.BroadcastsTo(shape)) throw new ShapeException($"BroadcastTo: {Shape} cannot be broadcast to {shape}.");
        var o = Empty(shape, DType);
        if (DType == DType.Float32) Broadcast.To<float>(Floats, Shape, o.Floats, shape);
        else Broadcast.To<double>(Doubles, Shape, o.Doubles, shape);
        var from = Shape;
        if (Autodiff.ShouldRecord(this)) Autodiff.Record(o, "BroadcastTo", [this], (g, _) => [g.SumTo(from)]);
        return o;
    }
}

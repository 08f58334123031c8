using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>Softmax along <paramref name="axis"/>, computed stably (the maximum is subtracted first).</summary>
    public Tensor Softmax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(a, a);
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) SoftmaxKernels.Softmax<float>(Floats, o.Floats, outer, n, inner, log: false);
        else SoftmaxKernels.Softmax<double>(Doubles, o.Doubles, outer, n, inner, log: false);
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "Softmax", [this], (g, _) => [o * (g - (g * o).Sum(a, keepDim: true))]);
        return o;
    }

    /// <summary>log(softmax(x)) along <paramref name="axis"/>, computed stably as x − logsumexp(x).</summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(a, a);
        var o = Empty(Shape, DType);
        if (DType == DType.Float32) SoftmaxKernels.Softmax<float>(Floats, o.Floats, outer, n, inner, log: true);
        else SoftmaxKernels.Softmax<double>(Doubles, o.Doubles, outer, n, inner, log: true);
        if (Autodiff.ShouldRecord(this))
            Autodiff.Record(o, "LogSoftmax", [this], (g, _) => [g - o.Exp() * g.Sum(a, keepDim: true)]);
        return o;
    }

    /// <summary>log Σ exp(x) along <paramref name="axis"/>, without overflow. Its gradient is the softmax.</summary>
    public Tensor LogSumExp(int axis = -1, bool keepDim = false)
    {
        int a = Shape.NormalizeAxis(axis);
        Tensor m;
        using (Autodiff.NoGrad())
        {
            m = Max(a, keepDim: true);
            // Rows that are all −∞ (or contain +∞) would give NaN from x − m; shift them by 0 instead.
            if (!m.AllFinite()) m = Where(m, v => double.IsFinite(v) ? v : 0);
        }
        var s = (this - m).Exp().Sum(a, keepDim: true).Log() + m;
        return keepDim ? s : s.Squeeze(a);
    }

    private static Tensor Where(Tensor t, Func<double, double> f)
    {
        var o = t.Clone();
        for (int i = 0; i < o.Size; i++) o.SetRaw(i, f(o.GetRaw(i)));
        return o;
    }
}

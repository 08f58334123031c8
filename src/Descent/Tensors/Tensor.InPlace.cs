using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>this += alpha · other, in place (same shape, or a one-element <paramref name="other"/>).
    /// Not recorded: for optimizer steps, accumulators and buffers.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        CheckWritable();
        SameDType(this, other, "AddInPlace");
        if (other.Shape != Shape && other.Size != 1)
            throw new ShapeException($"AddInPlace: shapes {Shape} and {other.Shape} differ.");
        if (DType == DType.Float32)
        {
            var d = Floats;
            if (other.Size == 1 && Size != 1) TP.Add(d, (float)(alpha * other.Item()), d);
            else if (alpha == 1) TP.Add(d, other.Floats, d);
            else TP.MultiplyAdd(other.Floats, (float)alpha, d, d);
        }
        else
        {
            var d = Doubles;
            if (other.Size == 1 && Size != 1) TP.Add(d, alpha * other.Item(), d);
            else if (alpha == 1) TP.Add(d, other.Doubles, d);
            else TP.MultiplyAdd(other.Doubles, alpha, d, d);
        }
        return this;
    }

    /// <summary>this *= s, in place.</summary>
    public Tensor MulInPlace(double s)
    {
        CheckWritable();
        if (DType == DType.Float32) TP.Multiply(Floats, (float)s, Floats);
        else TP.Multiply(Doubles, s, Doubles);
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public Tensor Fill(double value)
    {
        CheckWritable();
        FillRaw(value);
        return this;
    }

    /// <summary>Sets every element to zero, in place.</summary>
    public Tensor Zero() => Fill(0);

    /// <summary>Copies the values of <paramref name="src"/> (same shape and size; dtype converted) into this tensor.</summary>
    public Tensor CopyFrom(Tensor src)
    {
        CheckWritable();
        if (src.Size != Size) throw new ShapeException($"CopyFrom: shape {src.Shape} into {Shape}.");
        if (src.DType == DType) CopyRaw(src, this);
        else if (DType == DType.Float32)
        {
            var s = src.Doubles; var d = Floats;
            for (int i = 0; i < d.Length; i++) d[i] = (float)s[i];
        }
        else
        {
            var s = src.Floats; var d = Doubles;
            for (int i = 0; i < d.Length; i++) d[i] = s[i];
        }
        return this;
    }

    /// <summary>True if every element is finite (no NaN or infinity).</summary>
    public bool AllFinite()
    {
        if (DType == DType.Float32)
        {
            foreach (var v in Floats) if (!float.IsFinite(v)) return false;
        }
        else
        {
            foreach (var v in Doubles) if (!double.IsFinite(v)) return false;
        }
        return true;
    }
}

using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn.Init;

/// <summary>Minimal layers for the initialization tests (independent of the library's layers).</summary>
internal sealed class Dense : Module
{
    public readonly Parameter Weight, Bias;

    public Dense(int inputs, int outputs, DType dtype = DType.Float32)
    {
        Weight = AddParameter("weight", Tensor.Zeros(new Shape(outputs, inputs), dtype), ParameterKind.Weight);
        Bias = AddParameter("bias", Tensor.Zeros(new Shape(outputs), dtype), ParameterKind.Bias);
    }

    public override Tensor Forward(Tensor x) => Tensor.MatMul(x, Weight, transB: true) + Bias;
}

internal sealed class Conv : Module
{
    public readonly Parameter Weight, Bias;

    public Conv(int inChannels, int outChannels, int kernel)
    {
        Weight = AddParameter("weight", Tensor.Zeros(new Shape(outChannels, inChannels, kernel, kernel)), ParameterKind.Weight);
        Bias = AddParameter("bias", Tensor.Zeros(new Shape(outChannels)), ParameterKind.Bias);
    }

    public override Tensor Forward(Tensor x) => Tensor.Conv2d(x, Weight, Bias, padding: Weight.Shape[2] / 2);
}

/// <summary>Has an LSTM-style separately named forget-gate bias.</summary>
internal sealed class GatedCell : Module
{
    public readonly Parameter Weight, Bias, ForgetBias;

    public GatedCell(int inputs, int hidden)
    {
        Weight = AddParameter("weight", Tensor.Zeros(new Shape(4 * hidden, inputs)), ParameterKind.Weight);
        Bias = AddParameter("bias", Tensor.Zeros(new Shape(3 * hidden)), ParameterKind.Bias);
        ForgetBias = AddParameter("forget_bias", Tensor.Zeros(new Shape(hidden)), ParameterKind.Bias);
    }

    public override Tensor Forward(Tensor x) => throw new NotSupportedException();
}

internal static class Stats
{
    public static double Mean(double[] v) => v.Average();

    public static double Variance(double[] v)
    {
        double m = Mean(v);
        return v.Sum(x => (x - m) * (x - m)) / v.Length;
    }

    public static double Variance(Tensor t) => Variance(t.ToDoubleArray());
}

using Descent.Autograd;
using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

public class LstmTests
{
    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>The LSTM equations written out with scalars, gates in the order i, f, g, o.</summary>
    private static double[,,] Reference(Lstm lstm, Tensor x)
    {
        int n = x.Shape[0], steps = x.Shape[1], inputs = x.Shape[2], h = lstm.HiddenSize;
        var outputs = new double[n, steps, h];
        double Bias(int gate, int j) => gate switch
        {
            0 => lstm.Bias[j],
            1 => lstm.ForgetBias[j],
            2 => lstm.Bias[h + j],
            _ => lstm.Bias[2 * h + j],
        };
        for (int b = 0; b < n; b++)
        {
            var hPrev = new double[h];
            var c = new double[h];
            for (int t = 0; t < steps; t++)
            {
                var pre = new double[4, h];
                for (int gate = 0; gate < 4; gate++)
                    for (int j = 0; j < h; j++)
                    {
                        double s = Bias(gate, j);
                        int row = gate * h + j;
                        for (int k = 0; k < inputs; k++) s += lstm.WeightIh[row, k] * x[b, t, k];
                        for (int k = 0; k < h; k++) s += lstm.WeightHh[row, k] * hPrev[k];
                        pre[gate, j] = s;
                    }
                var hNew = new double[h];
                for (int j = 0; j < h; j++)
                {
                    c[j] = Sig(pre[1, j]) * c[j] + Sig(pre[0, j]) * Math.Tanh(pre[2, j]);
                    hNew[j] = Sig(pre[3, j]) * Math.Tanh(c[j]);
                    outputs[b, t, j] = hNew[j];
                }
                hPrev = hNew;
            }
        }
        return outputs;
    }

    [Fact]
    public void MatchesTheEquationsStepByStep()
    {
        var lstm = new Lstm(3, 4, rng: new Rng(1), dtype: DType.Float64);
        var x = Tensor.Randn(new Shape(2, 5, 3), new Rng(2), dtype: DType.Float64);
        var r = lstm.Run(x);
        var expected = Reference(lstm, x);
        Assert.Equal(new Shape(2, 5, 4), r.Outputs.Shape);
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 5; t++)
                for (int j = 0; j < 4; j++) Assert.Equal(expected[b, t, j], r.Outputs[b, t, j], 12);
        for (int b = 0; b < 2; b++)
            for (int j = 0; j < 4; j++) Assert.Equal(expected[b, 4, j], r.Hidden[b, j], 12);
        Assert.Equal(r.Hidden.ToDoubleArray(), new Lstm(3, 4, returnSequences: false, rng: new Rng(1), dtype: DType.Float64).Forward(x).ToDoubleArray());
    }

    [Fact]
    public void ForgetBiasIsItsOwnParameterAndKeepsTheCellOpen()
    {
        var lstm = new Lstm(1, 2, rng: new Rng(3), dtype: DType.Float64);
        Assert.Equal(["weight_ih", "weight_hh", "bias", "forget_bias"], lstm.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(new Shape(2), lstm.ForgetBias.Shape);
        Assert.Equal(4 * 2 * 1 + 4 * 2 * 2 + 3 * 2 + 2, lstm.ParameterCount);
        // One impulse, then zeros: how much of it is left in the cell after 20 steps? With a large forget
        // bias the cell remembers it; with a negative one it forgets.
        var impulse = Tensor.Zeros(new Shape(1, 20, 1), DType.Float64);
        impulse[0, 0, 0] = 3;
        var silence = Tensor.Zeros(new Shape(1, 20, 1), DType.Float64);
        double Memory(double forgetBias)
        {
            using (Autodiff.NoGrad()) lstm.ForgetBias.Fill(forgetBias);
            return Math.Abs(lstm.Run(impulse).Cell[0, 0] - lstm.Run(silence).Cell[0, 0]);
        }
        Assert.True(Memory(10) > 1e3 * Memory(-3), $"{Memory(10)} vs {Memory(-3)}");
    }

    [Fact]
    public void RejectsWrongInput()
    {
        var e = Assert.Throws<ShapeException>(() => new Lstm(3, 2).Forward(Tensor.Zeros(new Shape(2, 3))));
        Assert.Contains("[N, T, 3]", e.Message);
    }
}

using Descent.Nn;
using Descent.Tensors;

namespace Descent.Tests.Nn;

/// <summary>Forward values, shapes, names and default initialization of the layers.</summary>
public class LayerTests
{
    private const DType F64 = DType.Float64;

    [Fact]
    public void LinearStoresWeightOutByInAndComputesXWtPlusB()
    {
        var lin = new Linear(3, 2, rng: new Rng(1), dtype: F64);
        Assert.Equal(new Shape(2, 3), lin.Weight.Shape);
        Assert.Equal(["weight", "bias"], lin.NamedParameters().Select(p => p.Name).ToArray());
        var x = Tensor.From(new double[,] { { 1, 2, 3 }, { -1, 0, 0.5 } });
        var y = lin.Forward(x);
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 2; o++)
            {
                double e = lin.Bias![o];
                for (int i = 0; i < 3; i++) e += x[n, i] * lin.Weight[o, i];
                Assert.Equal(e, y[n, o], 12);
            }
        Assert.Equal(new Shape(2), lin.Forward(Tensor.From([1.0, 2, 3])).Shape);
        Assert.Throws<ShapeException>(() => lin.Forward(Tensor.Zeros(new Shape(2, 4), F64)));
    }

    [Fact]
    public void DefaultInitializationIsPyTorchsUniformAndDeterministic()
    {
        var lin = new Linear(16, 300, rng: new Rng(2));
        double bound = 1 / Math.Sqrt(16);
        var w = lin.Weight.ToDoubleArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.9 * bound && w.Min() < -0.9 * bound);
        // Var of U(−b, b) is b²/3.
        Assert.Equal(bound * bound / 3, w.Select(v => v * v).Average(), 0.1 * bound * bound / 3);
        var conv = new Conv2d(2, 3, 3, rng: new Rng(3));
        Assert.All(conv.Weight.ToDoubleArray(), v => Assert.InRange(v, -1 / Math.Sqrt(18), 1 / Math.Sqrt(18)));

        // Without an Rng, layers draw from DefaultRng: a scope's stream, else the thread's own.
        float[] a, b, c;
        using (DefaultRng.Use(new Rng(42))) a = new Linear(4, 4).Weight.ToArray();
        using (DefaultRng.Use(new Rng(42))) b = new Linear(4, 4).Weight.ToArray();
        Assert.Equal(a, b);
        using (DefaultRng.Use(new Rng(43))) c = new Linear(4, 4).Weight.ToArray();
        Assert.NotEqual(a, c);
        // Another thread's layers (a thread not started inside the scope) do not consume this scope's stream.
        using var go = new ManualResetEventSlim();
        var other = new Thread(() => { go.Wait(); _ = new Linear(4, 4); });
        other.Start();
        using (DefaultRng.Use(new Rng(42)))
        {
            go.Set();
            other.Join();
            Assert.Equal(a, new Linear(4, 4).Weight.ToArray());
        }
    }

    [Fact]
    public void Conv2dAndPoolingShapes()
    {
        var conv = new Conv2d(1, 4, 3, padding: 1, rng: new Rng(4));
        var x = Tensor.Randn(new Shape(2, 1, 8, 8), new Rng(5));
        var y = new Sequential(conv, new ReLU(), new MaxPool2d(2), new AvgPool2d(2), new Flatten()).Forward(x);
        Assert.Equal(new Shape(2, 4 * 2 * 2), y.Shape);
        Assert.Equal(new Shape(4, 1, 3, 3), conv.Weight.Shape);
        // A 1×1 convolution is a per-pixel linear map.
        var pw = new Conv2d(2, 1, 1, rng: new Rng(6), dtype: F64);
        var img = Tensor.Randn(new Shape(1, 2, 2, 2), new Rng(7), dtype: F64);
        var o = pw.Forward(img);
        Assert.Equal(pw.Weight[0, 0, 0, 0] * img[0, 0, 1, 0] + pw.Weight[0, 1, 0, 0] * img[0, 1, 1, 0] + pw.Bias![0], o[0, 0, 1, 0], 12);
    }

    [Fact]
    public void ActivationFactoryAcceptsNamesAndRejectsUnknownOnes()
    {
        Assert.IsType<Sigmoid>(Activations.Create("logistic"));
        Assert.IsType<Sigmoid>(Activations.Create("sigmoid"));
        Assert.IsType<Identity>(Activations.Create("linear"));
        Assert.IsType<Identity>(Activations.Create("identity"));
        Assert.IsType<LeakyReLU>(Activations.Create("leaky_relu"));
        Assert.Equal(Activation.LeakyRelu, Activations.Parse("Leaky-ReLU"));
        Assert.Equal(0.2, ((LeakyReLU)Activations.Create(Activation.LeakyRelu, 0.2)).Slope);
        foreach (var a in Enum.GetValues<Activation>()) Assert.Equal(a, Activations.Parse(Activations.NameOf(a)));
        var e = Assert.Throws<ConfigurationException>(() => Activations.Create("swish"));
        Assert.Contains("swish", e.Message);
        foreach (var n in Activations.ValidNames) Assert.Contains(n, e.Message);
    }

    [Fact]
    public void ActivationValues()
    {
        var x = Tensor.From([-2.0, 0.5]);
        Assert.Equal([-0.02, 0.5], Activations.Create("leaky_relu").Forward(x).ToDoubleArray());
        Assert.Equal(Math.Exp(-2) - 1, new ELU().Forward(x)[0], 12);
        Assert.Equal(Math.Log(1 + Math.Exp(0.5)), new Softplus().Forward(x)[1], 12);
        Assert.Equal(0, new ReLU().Forward(x)[0]);
    }

    [Fact]
    public void ResidualAddsTheInputOnlyWithSkip()
    {
        var body = new Linear(3, 3, rng: new Rng(8), dtype: F64);
        var x = Tensor.Randn(new Shape(2, 3), new Rng(9), dtype: F64);
        var b = body.Forward(x).ToDoubleArray();
        var withSkip = new Residual(body).Forward(x).ToDoubleArray();
        var xs = x.ToDoubleArray();
        for (int i = 0; i < b.Length; i++) Assert.Equal(xs[i] + b[i], withSkip[i], 12);
        Assert.Equal(b, new Residual(body, skip: false).Forward(x).ToDoubleArray());
        Assert.Equal(["body.weight", "body.bias"], new Residual(body).NamedParameters().Select(p => p.Name).ToArray());
        Assert.Throws<ShapeException>(() => new Residual(new Linear(3, 2)).Forward(Tensor.Zeros(new Shape(1, 3))));
    }

    [Fact]
    public void FunctionalCallSubstitutesParametersWithoutChangingThem()
    {
        var lin = new Linear(2, 2, rng: new Rng(10), dtype: F64);
        var before = lin.Weight.ToDoubleArray();
        var x = Tensor.From(new double[,] { { 1, 2 } });
        var y = Functional.Call(lin, [Tensor.Zeros(new Shape(2, 2), F64), Tensor.From([5.0, 6.0])], x);
        Assert.Equal([5.0, 6.0], y.ToDoubleArray());
        Assert.Equal(before, lin.Weight.ToDoubleArray());
        Assert.Throws<ShapeException>(() => Functional.Call(lin, [Tensor.Zeros(new Shape(2, 3), F64), Tensor.From([5.0, 6.0])], x));
        Assert.Throws<ShapeException>(() => Functional.Call(lin, [Tensor.Zeros(new Shape(2, 2), F64)], x));
    }
}

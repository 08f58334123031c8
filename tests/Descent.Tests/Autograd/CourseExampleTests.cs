using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Autograd;

/// <summary>The course's worked examples A–D (docs/course.md) as tests.</summary>
public class CourseExampleTests
{
    private static Tensor D(params double[] v) => Tensor.From(v).RequireGrad();

    [Fact]
    public void ExampleA_SumTimesProduct()
    {
        var x = D(2); var y = D(3); var z = D(-2);
        var f = (x + y) * z;
        f.Backward();
        Assert.Equal(-10, f.Item());
        Assert.Equal(-2, x.Grad!.Item());
        Assert.Equal(-2, y.Grad!.Item());
        Assert.Equal(5, z.Grad!.Item());
    }

    [Fact]
    public void ExampleB_SigmoidLayerJacobian()
    {
        var w = Tensor.From(new double[,] { { -1, 1, 1 }, { 1, -1, 1 }, { 1, 1, -1 }, { -1, -1, -1 } });
        var b = Tensor.From(new double[] { 1, 1, 1, 1 });
        var x = Tensor.From(new double[] { 1, -1, 1 });
        Tensor Layer(Tensor xi) => (Tensor.MatMul(w, xi.Reshape(3, 1)).Reshape(4) + b).Sigmoid();

        var hbar = Tensor.MatMul(w, x.Reshape(3, 1)).Reshape(4) + b;
        Assert.Equal(new double[] { 0, 4, 0, 0 }, hbar.ToDoubleArray());
        var h = Layer(x).ToDoubleArray();
        double[] expectedH = [0.5, 0.98201379, 0.5, 0.5];
        for (int i = 0; i < 4; i++) Assert.Equal(expectedH[i], h[i], 8);

        var jac = Derivatives.Jacobian(Layer, x);
        Assert.Equal(new Shape(4, 3), jac.Shape);
        double[] row2 = [0.01766271, -0.01766271, 0.01766271];
        for (int j = 0; j < 3; j++) Assert.Equal(row2[j], jac[1, j], 8);
        // ∂h/∂x = diag(h(1−h)) W for every row
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(h[i] * (1 - h[i]) * w[i, j], jac[i, j], 12);
    }

    [Fact]
    public void ExampleC_GradientOfLogSumExpIsSoftmax()
    {
        var v = D(0.3, -1.2, 2.5);
        var lse = v.LogSumExp();
        lse.Backward();
        var soft = v.Detach().Softmax().ToDoubleArray();
        var g = v.Grad!.ToDoubleArray();
        for (int i = 0; i < 3; i++) Assert.Equal(soft[i], g[i], 14);
        double expected = Math.Log(Math.Exp(0.3) + Math.Exp(-1.2) + Math.Exp(2.5));
        Assert.Equal(expected, lse.Item(), 14);
    }

    [Fact]
    public void ExampleD_SaddleHessian()
    {
        static Tensor F(Tensor x) => x.Narrow(0, 0, 1).Square().Sum() - x.Narrow(0, 1, 1).Square().Sum();
        var at = Tensor.From(new double[] { 0.7, -0.4 });
        var x = at.Clone().RequireGrad();
        var g = Autodiff.Grad(F(x), [x])[0]!.ToDoubleArray();
        Assert.Equal(2 * 0.7, g[0], 14);
        Assert.Equal(-2 * -0.4, g[1], 14);

        var z = Tensor.Zeros(new Shape(2), DType.Float64).RequireGrad();
        Assert.Equal(new double[] { 0, 0 }, Autodiff.Grad(F(z), [z])[0]!.ToDoubleArray());
        var h = Derivatives.Hessian(F, Tensor.Zeros(new Shape(2), DType.Float64));
        Assert.Equal(new double[] { 2, 0, 0, -2 }, h.ToDoubleArray());
    }
}

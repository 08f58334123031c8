using System.Numerics;
using Descent.Autograd;
using Descent.Tensors.Kernels;

namespace Descent.Tensors;

public partial class Tensor
{
    /// <summary>
    /// A long short-term memory layer over a whole sequence as one recorded op, from zero initial states:
    /// with gates in PyTorch's order i, f, g, o, <c>[i f g o] = x_t·W_ihᵀ + h_{t−1}·W_hhᵀ + b</c>,
    /// <c>c_t = σ(f)⊙c_{t−1} + σ(i)⊙tanh(g)</c>, <c>h_t = σ(o)⊙tanh(c_t)</c>. Returns [2, N, T, H]: every hidden
    /// state, then every cell state. Computed by <see cref="LstmKernels"/> (one GEMM per step for the
    /// recurrence, the input projection and the weight gradients as single GEMMs over all steps, sequences
    /// split across threads). When the gradient itself is recorded (double backward), the rule
    /// differentiates the same recurrence written with separate tensor ops (<see cref="LstmSequenceComposed"/>),
    /// so every order of derivative stays available.
    /// </summary>
    /// <param name="input">[N, T, I], batch first.</param>
    /// <param name="weightIh">[4H, I].</param>
    /// <param name="weightHh">[4H, H].</param>
    /// <param name="bias">[4H].</param>
    public static Tensor LstmSequence(Tensor input, Tensor weightIh, Tensor weightHh, Tensor bias)
    {
        var (n, steps, inputs, h) = LstmShapes(input, weightIh, weightHh, bias);
        var y = Empty(new Shape(2, n, steps, h), input.DType);
        Tensor[] operands = [input, weightIh, weightHh, bias];
        bool record = Autodiff.ShouldRecord(operands);
        var gates = Empty(new Shape(n, steps, 4 * h), input.DType);
        if (input.DType == DType.Float32) LstmForward<float>(input, weightIh, weightHh, bias, y, gates, n, steps, inputs, h);
        else LstmForward<double>(input, weightIh, weightHh, bias, y, gates, n, steps, inputs, h);
        if (record)
            Autodiff.Record(y, "LstmSequence", operands, (gy, need) =>
            {
                if (GradMode.IsEnabled) return ComposedGradient(operands, need, gy, () => LstmSequenceComposed(input, weightIh, weightHh, bias));
                var grads = new Tensor?[4];
                if (input.DType == DType.Float32) LstmBackward<float>(operands, y, gates, gy, need, grads, n, steps, inputs, h);
                else LstmBackward<double>(operands, y, gates, gy, need, grads, n, steps, inputs, h);
                return grads;
            });
        return y;
    }

    /// <summary><see cref="LstmSequence"/> written step by step with separate, twice-differentiable tensor ops
    /// (the definition the fused kernels are tested against, and the graph its double backward differentiates).</summary>
    internal static Tensor LstmSequenceComposed(Tensor input, Tensor weightIh, Tensor weightHh, Tensor bias)
    {
        var (n, steps, inputs, h) = LstmShapes(input, weightIh, weightHh, bias);
        // Time-major, so each step's input is a view.
        var xs = input.Permute(1, 0, 2);
        Tensor? hPrev = null, cPrev = null;
        var hs = new Tensor[steps];
        var cs = new Tensor[steps];
        for (int t = 0; t < steps; t++)
        {
            var gates = MatMul(xs.Narrow(0, t, 1).Reshape(n, inputs), weightIh, transB: true) + bias;
            if (hPrev is not null) gates = gates + MatMul(hPrev, weightHh, transB: true);
            var i = gates.Narrow(1, 0, h).Sigmoid();
            var f = gates.Narrow(1, h, h).Sigmoid();
            var g = gates.Narrow(1, 2 * h, h).Tanh();
            var o = gates.Narrow(1, 3 * h, h).Sigmoid();
            var c = cPrev is null ? i * g : f * cPrev + i * g;
            hPrev = o * c.Tanh();
            cPrev = c;
            hs[t] = hPrev;
            cs[t] = c;
        }
        return Stack([Stack(hs, 1), Stack(cs, 1)], 0);
    }

    private static (int N, int Steps, int Inputs, int Hidden) LstmShapes(Tensor x, Tensor wih, Tensor whh, Tensor b)
    {
        if (x.Rank != 3 || x.Shape[1] == 0)
            throw new ShapeException($"LstmSequence: input must be [N, T, I] with T ≥ 1, got {x.Shape}.");
        int h = whh.Rank == 2 ? whh.Shape[1] : 0;
        if (whh.Rank != 2 || whh.Shape[0] != 4 * h || h == 0)
            throw new ShapeException($"LstmSequence: hidden-to-hidden weight must be [4H, H], got {whh.Shape}.");
        if (wih.Rank != 2 || wih.Shape[0] != 4 * h || wih.Shape[1] != x.Shape[2])
            throw new ShapeException($"LstmSequence: input-to-hidden weight must be [{4 * h}, {x.Shape[2]}], got {wih.Shape}.");
        if (b.Rank != 1 || b.Size != 4 * h)
            throw new ShapeException($"LstmSequence: bias must be a vector of {4 * h} values, got {b.Shape}.");
        SameDType(x, wih, "LstmSequence");
        SameDType(x, whh, "LstmSequence");
        SameDType(x, b, "LstmSequence");
        return (x.Shape[0], x.Shape[1], x.Shape[2], h);
    }

    private static unsafe void LstmForward<T>(Tensor x, Tensor wih, Tensor whh, Tensor b, Tensor y, Tensor gates, int n, int steps, int inputs, int h)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x.Span<T>(), pwi = wih.Span<T>(), pwh = whh.Span<T>(), pb = b.Span<T>(), py = y.Span<T>(), pg = gates.Span<T>())
            LstmKernels.Forward(px, n, steps, inputs, h, pwi, pwh, pb, py, pg);
    }

    private static unsafe void LstmBackward<T>(Tensor[] operands, Tensor y, Tensor gates, Tensor gy, GradRequest need, Tensor?[] grads,
        int n, int steps, int inputs, int h) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < 4; i++) if (need[i]) grads[i] = Empty(operands[i].Shape, operands[i].DType);
        var dgates = Empty(gates.Shape, gates.DType);
        fixed (T* px = operands[0].Span<T>(), pwi = operands[1].Span<T>(), pwh = operands[2].Span<T>(), py = y.Span<T>(), pg = gates.Span<T>(),
               pgy = gy.Span<T>(), pdg = dgates.Span<T>())
        fixed (T* pdx = grads[0] is null ? default : grads[0]!.Span<T>(), pdwi = grads[1] is null ? default : grads[1]!.Span<T>(),
               pdwh = grads[2] is null ? default : grads[2]!.Span<T>(), pdb = grads[3] is null ? default : grads[3]!.Span<T>())
            LstmKernels.Backward(px, n, steps, inputs, h, pwi, pwh, py, pg, pgy, pdg, pdx, pdwi, pdwh, pdb);
    }
}

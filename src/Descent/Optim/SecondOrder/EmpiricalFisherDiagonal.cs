using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// The diagonal of the empirical Fisher of a model's objective on a batch, <c>(1/N) Σₙ ∇ℓₙ ⊙ ∇ℓₙ</c> (ℓₙ the
/// per-example loss, so the scale is that of the mean loss and of its Gauss-Newton matrix), plus the
/// diagonal of the penalties' Hessian — the vector Martens (2010, §4.7) raises to the power ξ for his
/// CG preconditioner. One forward and one backward pass: per-example gradients are never formed.
/// <list type="bullet">
/// <item>A <see cref="Linear"/> layer called once on [N, in] inputs a with output gradients dₙ = ∂L/∂sₙ
/// (L the mean loss, so dₙ = (1/N)∂ℓₙ/∂sₙ): Σₙ (N dₙ aₙᵀ)²/N = N·(d⊙d)ᵀ(a⊙a), and N·Σₙ dₙ⊙dₙ for the
/// bias — exact.</item>
/// <item>A <see cref="Conv2d"/> layer called once: each example's gradient (its patches times its output
/// gradients, <see cref="ConvolutionRows"/>) is formed one example at a time and squared — exact.</item>
/// <item>Any other trainable parameter: the unbiased estimate (1/N)(Σₙ sₙ∇ℓₙ)² with random signs sₙ = ±1
/// (E[sₙsₘ] = δₙₘ), one extra backward pass from the outputs, from a stream fixed by
/// <c>seed</c>.</item>
/// </list>
/// </summary>
internal static class EmpiricalFisherDiagonal
{
    /// <summary>The diagonal over the model's flat parameters (zeros for frozen ones).</summary>
    /// <param name="model">The model (its parameters' current values).</param>
    /// <param name="loss">The mean loss.</param>
    /// <param name="penalties">Separable penalties (L1, L2) whose Hessian diagonal is added.</param>
    /// <param name="inputs">The examples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="seed">Seeds the random signs of the estimate for parameters outside Linear and Conv2d layers.</param>
    public static double[] Compute(Module model, ILoss loss, IReadOnlyList<Penalty> penalties, Tensor inputs, Targets targets, ulong seed)
    {
        var flat = model.Flat;
        var result = new double[flat.Count];
        int n = targets.Count;
        using var scope = TensorScope.Begin();
        using var grad = Autodiff.EnableGrad();
        using var capture = ActivationCapture.Begin();
        var z = model.Forward(inputs.DType == flat.DType ? inputs : inputs.To(flat.DType));
        var value = loss.Compute(z, targets);
        var trainable = flat.Slots.Where(s => s.Parameter.RequiresGrad).ToList();
        // Layers met once, with their trainable slots: their per-example gradients factor exactly.
        var exact = capture.Layers.GroupBy(c => c.Layer).Where(g => g.Count() == 1).Select(g => g.First())
            .Where(c => c.Layer is Conv2d || (c.Layer is Linear && c.Input.Rank == 2))
            .Select(c => (Call: c, Slots: trainable.Where(s => ReferenceEquals(s.Owner, c.Layer)).ToArray()))
            .Where(c => c.Slots.Length > 0 && c.Slots.All(s => s.Parameter.Kind is ParameterKind.Weight or ParameterKind.Bias)).ToArray();
        var covered = new HashSet<Parameter>(exact.SelectMany(c => c.Slots.Select(s => s.Parameter)), ReferenceEqualityComparer.Instance);
        var rest = trainable.Where(s => !covered.Contains(s.Parameter)).ToArray();
        var wrt = exact.Select(c => c.Call.Output).Append(z).ToArray();
        var grads = Autodiff.Grad(value, wrt);
        using (Autodiff.NoGrad())
        {
            for (int k = 0; k < exact.Length; k++)
                if (grads[k] is { } d) AddLayer(exact[k].Call, exact[k].Slots, d.Detach(), n, result);
        }
        if (rest.Length > 0 && grads[^1] is { } dz) AddEstimate(z, dz, rest, n, seed, result);
        AddPenalties(model, penalties, trainable, result);
        return result;
    }

    private static void AddLayer(CapturedLayer call, ParameterSlot[] slots, Tensor d, int n, double[] result)
    {
        var weight = slots.FirstOrDefault(s => s.Parameter.Kind == ParameterKind.Weight);
        var bias = slots.FirstOrDefault(s => s.Parameter.Kind == ParameterKind.Bias);
        var a = call.Input.Detach();
        if (call.Layer is Linear)
        {
            if (weight is not null) Add(Tensor.MatMul(d.Square(), a.Square(), transA: true), n, weight, result);
            if (bias is not null) Add(d.Square().Sum(0), n, bias, result);
            return;
        }
        // Conv2d: example e's gradient is GradRows[e]ᵀ·Rows[e] over its P output positions (last column: bias).
        var (rows, grows) = ConvolutionRows.Build((Conv2d)call.Layer, a, d, bias is not null);
        int p = rows.Shape[0] / n, width = rows.Shape[1], outs = grows.Shape[1], patch = width - (bias is null ? 0 : 1);
        var sum = new double[outs * width];
        for (int e = 0; e < n; e++)
        {
            var ge = Tensor.MatMul(grows.Narrow(0, e * p, p), rows.Narrow(0, e * p, p), transA: true).ToDoubleArray();
            for (int i = 0; i < sum.Length; i++) sum[i] += ge[i] * ge[i];
        }
        for (int o = 0; o < outs; o++)
        {
            if (weight is not null)
                for (int j = 0; j < patch; j++) result[weight.Offset + o * patch + j] += n * sum[o * width + j];
            if (bias is not null) result[bias.Offset + o] += n * sum[o * width + patch];
        }
    }

    private static void Add(Tensor squares, double scale, ParameterSlot slot, double[] result)
    {
        var v = squares.ToDoubleArray();
        for (int i = 0; i < v.Length; i++) result[slot.Offset + i] += scale * v[i];
    }

    /// <summary>(1/N)(Σₙ sₙ∇ℓₙ)²: back-propagates the per-example output gradients N·∂L/∂zₙ, each times a random
    /// sign, from the outputs z.</summary>
    private static void AddEstimate(Tensor z, Tensor dz, ParameterSlot[] slots, int n, ulong seed, double[] result)
    {
        var rng = Rng.Stream(seed, "fisher-diagonal-signs");
        var signs = new double[n];
        for (int i = 0; i < n; i++) signs[i] = rng.NextDouble() < 0.5 ? -n : n;
        var shape = new int[dz.Rank];
        shape[0] = n;
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        Tensor weighted;
        using (Autodiff.NoGrad()) weighted = dz.Detach() * Tensor.Wrap(signs, shape).To(dz.DType);
        var u = Autodiff.Grad([z], slots.Select(s => (Tensor)s.Parameter).ToArray(), [weighted]);
        for (int k = 0; k < slots.Length; k++)
            if (u[k] is { } uk) Add(uk.Detach().Square(), 1.0 / n, slots[k], result);
    }

    /// <summary>Adds diag ∇²Ω = ∇²Ω·1 (the penalties are separable: L1, L2).</summary>
    private static void AddPenalties(Module model, IReadOnlyList<Penalty> penalties, List<ParameterSlot> slots, double[] result)
    {
        if (penalties.Count == 0 || slots.Count == 0) return;
        Tensor? total = null;
        foreach (var p in penalties)
        {
            var term = p.Compute(model);
            total = total is null ? term : total + term;
        }
        if (total is null || !total.RequiresGrad) return;
        var ps = slots.Select(s => (Tensor)s.Parameter).ToArray();
        var h = Derivatives.Hvp(total, ps, ps.Select(p => Tensor.Ones(p.Shape, p.DType)).ToArray());
        for (int k = 0; k < slots.Count; k++) Add(h[k], 1, slots[k], result);
    }
}

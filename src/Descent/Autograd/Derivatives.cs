using Descent.Tensors;

namespace Descent.Autograd;

/// <summary>Second-order products built on double backward.</summary>
public static class Derivatives
{
    /// <summary>
    /// Hessian-vector products of a scalar <paramref name="loss"/> with respect to
    /// <paramref name="parameters"/>: the gradient is recorded once, and each call of the returned
    /// function costs one more backward pass, <c>Hv = ∇(vᵀ∇f)</c> (Pearlmutter 1994). Vectors are given
    /// and returned per parameter (same shapes).
    /// </summary>
    public static Func<IReadOnlyList<Tensor>, Tensor[]> HvpOperator(Tensor loss, IReadOnlyList<Tensor> parameters)
    {
        // The gradient's values are never read below (only its graph is differentiated), so rules may skip
        // computing them: one GEMM less per weight matrix.
        var grads = Autodiff.Grad([loss], parameters, null, createGraph: true, inputValuesUnused: true);
        for (int i = 0; i < grads.Length; i++)
            grads[i] ??= Tensor.Zeros(parameters[i].Shape, parameters[i].DType);
        return v =>
        {
            if (v.Count != parameters.Count) throw new ArgumentException($"Hvp: {v.Count} vectors for {parameters.Count} parameters.");
            // Differentiating Σᵢ ⟨gᵢ, vᵢ⟩ is the same as back-propagating vᵢ as output gradient of gᵢ.
            var outs = new List<Tensor>();
            var gouts = new List<Tensor?>();
            for (int i = 0; i < grads.Length; i++)
            {
                if (v[i].Shape != parameters[i].Shape)
                    throw new ShapeException($"Hvp: vector {i} has shape {v[i].Shape}, parameter has {parameters[i].Shape}.");
                if (grads[i]!.RequiresGrad) { outs.Add(grads[i]!); gouts.Add(v[i]); }
            }
            var hv = outs.Count == 0 ? new Tensor?[parameters.Count] : Autodiff.Grad(outs, parameters, gouts);
            var r = new Tensor[parameters.Count];
            for (int i = 0; i < r.Length; i++) r[i] = hv[i] ?? Tensor.Zeros(parameters[i].Shape, parameters[i].DType);
            return r;
        };
    }

    /// <summary>One Hessian-vector product H·v of <paramref name="loss"/> in <paramref name="parameters"/>.</summary>
    public static Tensor[] Hvp(Tensor loss, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> v) =>
        HvpOperator(loss, parameters)(v);

    /// <summary>The dense Hessian [n, n] of a scalar function of one tensor with n elements (row i is
    /// the gradient of ∂f/∂xᵢ). Costs n backward passes through the gradient: for small n only.</summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x)
    {
        var xi = x.Detach().RequireGrad();
        var y = f(xi);
        if (y.Size != 1) throw new ShapeException($"Hessian needs a scalar function; it returned shape {y.Shape}.");
        var g = Autodiff.Grad([y], [xi], createGraph: true)[0] ?? Tensor.Zeros(x.Shape, x.DType);
        return JacobianOf(g, xi);
    }

    /// <summary>The dense Jacobian [m, n] of a function from n to m elements (row i = ∇yᵢ).</summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x)
    {
        var xi = x.Detach().RequireGrad();
        return JacobianOf(f(xi), xi);
    }

    private static Tensor JacobianOf(Tensor y, Tensor x)
    {
        int m = y.Size, n = x.Size;
        var jac = Tensor.Zeros(new Shape(m, n), x.DType);
        if (!y.RequiresGrad) return jac;
        for (int i = 0; i < m; i++)
        {
            var e = Tensor.Zeros(y.Shape, y.DType);
            e.SetRaw(i, 1);
            var row = Autodiff.Grad([y], [x], [e])[0];
            if (row is null) continue;
            for (int j = 0; j < n; j++) jac.SetRaw(i * n + j, row.GetRaw(j));
        }
        return jac;
    }
}

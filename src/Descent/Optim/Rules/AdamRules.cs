using System.Numerics;
using Descent.Tensors;

namespace Descent.Optim.Rules;

/// <summary>
/// Adam's scaling (Kingma &amp; Ba 2015): <c>m ← β₁m + (1−β₁)u</c>, <c>v ← β₂v + (1−β₂)u⊙u</c>,
/// <c>u ← m̂/(√v̂ + δ)</c> with <c>m̂ = m/(1−β₁ᵗ)</c>, <c>v̂ = v/(1−β₂ᵗ)</c>. With <c>amsgrad</c> (Reddi et al.
/// 2018) the running maximum of v replaces v in the denominator; without bias correction this is the
/// AMSGrad paper's form.
/// </summary>
public sealed class ScaleByAdam(double beta1, double beta2, double eps, bool amsgrad = false, bool biasCorrection = true) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => amsgrad ? "scale_by_amsgrad" : "scale_by_adam";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype,
        amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> m = state.Span<T>(0), v = state.Span<T>(1), vmax = amsgrad ? state.Span<T>(2) : default;
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2), e = T.CreateTruncating(eps);
        T bc1 = T.CreateTruncating(biasCorrection ? 1 - Math.Pow(beta1, step) : 1);
        T bc2 = T.CreateTruncating(biasCorrection ? 1 - Math.Pow(beta2, step) : 1);
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            m[i] = b1 * m[i] + (T.One - b1) * g;
            v[i] = b2 * v[i] + (T.One - b2) * g * g;
            T second = v[i];
            if (amsgrad) second = vmax[i] = T.Max(vmax[i], v[i]);
            updates[i] = m[i] / bc1 / (T.Sqrt(second / bc2) + e);
        }
    }
}

/// <summary>AdaMax (Kingma &amp; Ba 2015, §7.1), Adam with the infinity norm: <c>m ← β₁m + (1−β₁)u</c>,
/// <c>w ← max(β₂w, |u| + δ)</c>, <c>u ← m/((1−β₁ᵗ)w)</c> (δ inside the max as in torch.optim).</summary>
public sealed class ScaleByAdamax(double beta1, double beta2, double eps) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_adamax";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["exp_avg", "exp_inf"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> m = state.Span<T>(0), w = state.Span<T>(1);
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2), e = T.CreateTruncating(eps);
        T bc1 = T.CreateTruncating(1 - Math.Pow(beta1, step));
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            m[i] = b1 * m[i] + (T.One - b1) * g;
            w[i] = T.Max(b2 * w[i], T.Abs(g) + e);
            updates[i] = m[i] / (bc1 * w[i]);
        }
    }
}

/// <summary>
/// NAdam (Dozat 2016), Adam with Nesterov momentum and the momentum schedule
/// <c>μₜ = β₁(1 − ½·0.96^(tψ))</c>: <c>u ← [(1−μₜ)/(1−Πᵢ≤ₜμᵢ)·u + μₜ₊₁/(1−Πᵢ≤ₜ₊₁μᵢ)·m] / (√v̂ + δ)</c>.
/// With <paramref name="pytorch113"/> the products follow torch.optim 1.13 (kept in float32, and its
/// next-step product with an extra factor μₜ).
/// </summary>
public sealed class ScaleByNadam(double beta1, double beta2, double eps, double momentumDecay, bool pytorch113 = false) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_nadam";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["exp_avg", "exp_avg_sq"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> m = state.Span<T>(0), v = state.Span<T>(1);
        var k = NadamMomentum.At(step, beta1, momentumDecay, pytorch113);
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2), e = T.CreateTruncating(eps);
        T bc2 = T.CreateTruncating(1 - Math.Pow(beta2, step));
        T cg = T.CreateTruncating((1 - k.Mu) / (1 - k.Product)), cm = T.CreateTruncating(k.MuNext / (1 - k.ProductNext));
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            m[i] = b1 * m[i] + (T.One - b1) * g;
            v[i] = b2 * v[i] + (T.One - b2) * g * g;
            T den = T.Sqrt(v[i] / bc2) + e;
            updates[i] = (cg * g + cm * m[i]) / den;
        }
    }
}

/// <summary>NAdam's momentum schedule μₜ and its running products.</summary>
internal static class NadamMomentum
{
    public readonly record struct Values(double Mu, double MuNext, double Product, double ProductNext);

    public static double Mu(long t, double beta1, double psi) => beta1 * (1 - 0.5 * Math.Pow(0.96, t * psi));

    /// <summary>The values at step t (1-based), from scratch.</summary>
    public static Values At(long t, double beta1, double psi, bool pytorch113)
    {
        double prod = 1;
        float prod32 = 1;
        for (long s = 1; s <= t; s++)
        {
            prod *= Mu(s, beta1, psi);
            prod32 *= (float)Mu(s, beta1, psi);
        }
        return Finish(t, beta1, psi, pytorch113, prod, prod32);
    }

    /// <summary>Completes the values once the product through step t is known.</summary>
    public static Values Finish(long t, double beta1, double psi, bool pytorch113, double prod, float prod32)
    {
        double mu = Mu(t, beta1, psi), next = Mu(t + 1, beta1, psi);
        if (!pytorch113) return new(mu, next, prod, prod * next);
        // torch.optim 1.13: mu_product is a float32 tensor and mu_product_next = mu_product * mu * mu_next.
        float prodNext32 = prod32 * (float)mu * (float)next;
        return new(mu, next, prod32, prodNext32);
    }
}

/// <summary>
/// RAdam (Liu et al. 2020): Adam whose adaptive step is switched on once the variance of the adaptive rate
/// is tractable: with <c>ρ∞ = 2/(1−β₂) − 1</c> and <c>ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)</c>, if <c>ρₜ &gt; threshold</c>
/// (4 in the paper, 5 in torch.optim), <c>u ← rₜ·m̂·√(1−β₂ᵗ)/(√v + δ)</c> with the rectification
/// <c>rₜ = √((ρₜ−4)(ρₜ−2)ρ∞/((ρ∞−4)(ρ∞−2)ρₜ))</c>; otherwise <c>u ← m̂</c> (SGD with momentum).
/// </summary>
public sealed class ScaleByRadam(double beta1, double beta2, double eps, double threshold = 5) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_radam";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["exp_avg", "exp_avg_sq"]);

    /// <summary>ρₜ and the rectification rₜ (NaN when the adaptive step is off).</summary>
    internal static (double Rho, double Rect) Rectification(long t, double beta2, double threshold)
    {
        double rhoInf = 2 / (1 - beta2) - 1;
        double bt = Math.Pow(beta2, t);
        double rho = rhoInf - 2 * t * bt / (1 - bt);
        if (!(rho > threshold)) return (rho, double.NaN);
        return (rho, Math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho)));
    }

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> m = state.Span<T>(0), v = state.Span<T>(1);
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2), e = T.CreateTruncating(eps);
        T bc1 = T.CreateTruncating(1 - Math.Pow(beta1, step));
        double bc2 = 1 - Math.Pow(beta2, step);
        var (_, rect) = Rectification(step, beta2, threshold);
        T scale = T.CreateTruncating(double.IsNaN(rect) ? 0 : rect * Math.Sqrt(bc2));
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            m[i] = b1 * m[i] + (T.One - b1) * g;
            v[i] = b2 * v[i] + (T.One - b2) * g * g;
            T mhat = m[i] / bc1;
            updates[i] = double.IsNaN(rect) ? mhat : mhat * scale / (T.Sqrt(v[i]) + e);
        }
    }
}

/// <summary>
/// Yogi (Zaheer et al. 2018): like Adam without bias correction, but the second moment moves additively,
/// <c>v ← v − (1−β₂)·sign(v − u²)·u²</c>, which bounds its growth; <c>u ← m/(√v + δ)</c>. v starts at
/// <paramref name="initial"/>, m at zero.
/// </summary>
public sealed class ScaleByYogi(double beta1, double beta2, double eps, double initial) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_yogi";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype)
    {
        var s = RuleState.Create(count, dtype, ["exp_avg", "exp_avg_sq"]);
        s.Buffers[1].Tensor.Fill(initial);
        return s;
    }

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Span<T> m = state.Span<T>(0), v = state.Span<T>(1);
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2), e = T.CreateTruncating(eps);
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i], g2 = g * g;
            m[i] = b1 * m[i] + (T.One - b1) * g;
            v[i] -= (T.One - b2) * T.CreateTruncating(T.Sign(v[i] - g2)) * g2;
            updates[i] = m[i] / (T.Sqrt(v[i]) + e);
        }
    }
}

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): <c>u ← sign(β₁m + (1−β₁)u)</c>,
/// then <c>m ← β₂m + (1−β₂)g</c>. Every coordinate moves by exactly the learning rate.
/// </summary>
public sealed class ScaleByLion(double beta1, double beta2) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_lion";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["exp_avg"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var m = state.Span<T>(0);
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2);
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            updates[i] = T.CreateTruncating(T.Sign(b1 * m[i] + (T.One - b1) * g));
            m[i] = b2 * m[i] + (T.One - b2) * g;
        }
    }
}

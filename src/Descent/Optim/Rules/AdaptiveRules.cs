using System.Numerics;
using Descent.Tensors;

namespace Descent.Optim.Rules;

/// <summary>AdaGrad's scaling (Duchi et al. 2011): <c>r ← r + u⊙u</c>, <c>u ← u/(δ + √r)</c>, with
/// <c>r</c> starting at <paramref name="initial"/>.</summary>
public sealed class ScaleByRss(double eps, double initial = 0) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_rss";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["sum"], initial);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = state.Span<T>(0);
        T e = T.CreateTruncating(eps);
        for (int i = 0; i < updates.Length; i++)
        {
            r[i] += updates[i] * updates[i];
            updates[i] /= T.Sqrt(r[i]) + e;
        }
    }
}

/// <summary>
/// RMSProp's scaling (Hinton, Srivastava &amp; Swersky 2012): <c>r ← ρr + (1−ρ)u⊙u</c>,
/// <c>u ← u/(δ + √r)</c>, or <c>u/√(r + δ)</c> with δ inside the root (Goodfellow et al. 2016, Alg. 8.5).
/// Centered (Graves 2013): also <c>ḡ ← ρḡ + (1−ρ)u</c> and <c>r − ḡ²</c> in place of <c>r</c>.
/// </summary>
public sealed class ScaleByRms(double rho, double eps, bool epsInside = false, bool centered = false) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => centered ? "scale_by_rms(centered)" : "scale_by_rms";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) =>
        RuleState.Create(count, dtype, centered ? ["square_avg", "grad_avg"] : ["square_avg"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var r = state.Span<T>(0);
        var m = centered ? state.Span<T>(1) : default;
        T p = T.CreateTruncating(rho), q = T.CreateTruncating(1 - rho), e = T.CreateTruncating(eps);
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            r[i] = p * r[i] + q * g * g;
            T second = r[i];
            if (centered)
            {
                m[i] = p * m[i] + q * g;
                second -= m[i] * m[i];
            }
            updates[i] = epsInside ? g / T.Sqrt(second + e) : g / (T.Sqrt(second) + e);
        }
    }
}

/// <summary>
/// AdaDelta (Zeiler 2012), which needs no learning rate: <c>s ← ρs + (1−ρ)u²</c>,
/// <c>u' = √((Δ + ε)/(s + ε))·u</c>, <c>Δ ← ρΔ + (1−ρ)u'²</c>, <c>u ← u'</c>.
/// </summary>
public sealed class ScaleByAdadelta(double rho, double eps) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => "scale_by_adadelta";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["square_avg", "acc_delta"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var s = state.Span<T>(0);
        var d = state.Span<T>(1);
        T p = T.CreateTruncating(rho), q = T.CreateTruncating(1 - rho), e = T.CreateTruncating(eps);
        for (int i = 0; i < updates.Length; i++)
        {
            T g = updates[i];
            s[i] = p * s[i] + q * g * g;
            T delta = T.Sqrt((d[i] + e) / (s[i] + e)) * g;
            d[i] = p * d[i] + q * delta * delta;
            updates[i] = delta;
        }
    }
}

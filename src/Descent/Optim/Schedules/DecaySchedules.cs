namespace Descent.Optim.Schedules;

/// <summary>The constant factor 1, optionally for a fixed number of steps (so that something can follow).</summary>
public sealed class ConstantSchedule(long? steps) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step) => 1;

    /// <inheritdoc />
    public override long? Length => steps;

    /// <inheritdoc />
    public override string Spec => steps is long s ? $"constant:steps={s}" : "constant";
}

/// <summary>
/// The course's linear decay (Goodfellow et al. 2016, §8.3.1): <c>μᵢ = (1 − i/τ)μ₀ + (i/τ)μ_τ</c> until
/// step τ, then <c>μ_τ</c>. The factor goes from 1 to <c>end = μ_τ/μ₀</c> (the book suggests about 1%).
/// </summary>
public sealed class LinearDecaySchedule(long tau, double end = 0.01) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step)
    {
        if (step >= tau) return end;
        double a = (double)step / tau;
        return (1 - a) + a * end;
    }

    /// <inheritdoc />
    public override long? Length => tau;

    /// <inheritdoc />
    public override string Spec => $"linear:tau={tau},end={F(end)}";
}

/// <summary>O(1/t) decay <c>μ₀/(1 + γt)</c>: satisfies Σμᵢ = ∞ and Σμᵢ² &lt; ∞, the classical SGD
/// convergence conditions (Robbins &amp; Monro 1951). Adagrad's <c>lr_decay</c> is this schedule.</summary>
public sealed class InverseTimeSchedule(double gamma) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step) => 1 / (1 + gamma * step);

    /// <inheritdoc />
    public override string Spec => $"inverse-time:gamma={F(gamma)}";
}

/// <summary>Step decay: the factor is multiplied by γ every <c>size</c> steps, <c>γ^⌊t/size⌋</c>
/// (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepDecaySchedule(long size, double gamma = 0.1) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step) => Math.Pow(gamma, step / size);

    /// <inheritdoc />
    public override string Spec => $"step:size={size},gamma={F(gamma)}";
}

/// <summary>Multi-step decay: the factor is multiplied by γ at each milestone (PyTorch's <c>MultiStepLR</c>).</summary>
public sealed class MultiStepSchedule : Schedule
{
    private readonly long[] milestones;
    private readonly double gamma;

    /// <summary>Decays by <paramref name="gamma"/> at each of the (increasing) <paramref name="milestones"/>.</summary>
    /// <exception cref="ConfigurationException">Milestones are not strictly increasing and positive.</exception>
    public MultiStepSchedule(IReadOnlyList<long> milestones, double gamma = 0.1)
    {
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ConfigurationException($"multistep: milestones must be positive and increasing, got {string.Join("/", milestones)}.");
        this.milestones = milestones.ToArray();
        this.gamma = gamma;
    }

    /// <inheritdoc />
    public override double Factor(long step)
    {
        int passed = 0;
        while (passed < milestones.Length && step >= milestones[passed]) passed++;
        return Math.Pow(gamma, passed);
    }

    /// <inheritdoc />
    public override string Spec => $"multistep:at={string.Join("/", milestones)},gamma={F(gamma)}";
}

/// <summary>Exponential decay <c>γ₀e^(−αt)</c> (the course's form, factor <c>e^(−αt)</c>); PyTorch's
/// <c>ExponentialLR</c> with factor γᵗ is the same with α = −ln γ.</summary>
public sealed class ExponentialSchedule(double alpha) : Schedule
{
    /// <summary>The decay rate α.</summary>
    public double Alpha => alpha;

    /// <inheritdoc />
    public override double Factor(long step) => Math.Exp(-alpha * step);

    /// <inheritdoc />
    public override string Spec => $"exponential:alpha={F(alpha)}";
}

/// <summary>Polynomial decay to <c>end</c> over T steps: <c>end + (1 − end)(1 − t/T)^power</c>, then
/// <c>end</c> (PyTorch's <c>PolynomialLR</c> with end = 0).</summary>
public sealed class PolynomialSchedule(long t, double power = 1, double end = 0) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step) =>
        step >= t ? end : end + (1 - end) * Math.Pow(1 - (double)step / t, power);

    /// <inheritdoc />
    public override long? Length => t;

    /// <inheritdoc />
    public override string Spec => $"polynomial:T={t},power={F(power)},end={F(end)}";
}

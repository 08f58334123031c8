namespace Descent.Optim.Schedules;

/// <summary>
/// Cosine annealing (Loshchilov &amp; Hutter 2017, SGDR): <c>min + (1 − min)(1 + cos(π t/T))/2</c> over T
/// steps, then <c>min</c>; with restarts the cosine starts again, each period <c>mult</c> times longer.
/// </summary>
public sealed class CosineSchedule(long t, double min = 0, bool restarts = false, double mult = 1) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step)
    {
        double period = t, pos = step;
        if (restarts)
        {
            if (mult == 1) pos = step % t;
            else
            {
                while (pos >= period) { pos -= period; period *= mult; }
            }
        }
        else if (step >= t) return min;
        return min + (1 - min) * (1 + Math.Cos(Math.PI * pos / period)) / 2;
    }

    /// <inheritdoc />
    public override long? Length => restarts ? null : t;

    /// <inheritdoc />
    public override string Spec => $"cosine:T={t},min={F(min)}" + (restarts ? $",restarts=true,mult={F(mult)}" : "");
}

/// <summary>Linear warm-up (Goyal et al. 2017): the factor rises from <c>start</c> at step 0 to 1 at step
/// <c>steps</c>; join another schedule after it with <c>+</c> (<c>warmup:500+cosine:T=10000</c>).</summary>
public sealed class WarmupSchedule(long steps, double start = 0) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step) => step >= steps ? 1 : start + (1 - start) * step / steps;

    /// <inheritdoc />
    public override long? Length => steps;

    /// <inheritdoc />
    public override string Spec => $"warmup:steps={steps},start={F(start)}";
}

/// <summary>Cyclical learning rates (Smith 2017): the factor goes linearly from <c>low</c> up to 1 in
/// <c>half</c> steps and back down, repeatedly (<c>triangular</c>); <c>triangular2</c> halves the amplitude
/// every cycle, <c>exp_range</c> scales it by γᵗ. The optimizer's lr is the top of the cycle.</summary>
public sealed class CyclicSchedule(long half, double low = 0.1, string mode = "triangular", double gamma = 1) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step)
    {
        long cycle = 1 + step / (2 * half);
        double x = Math.Abs((double)step / half - 2 * cycle + 1);
        double scale = mode switch
        {
            "triangular2" => 1 / Math.Pow(2, cycle - 1),
            "exp_range" => Math.Pow(gamma, step),
            _ => 1,
        };
        return low + (1 - low) * Math.Max(0, 1 - x) * scale;
    }

    /// <inheritdoc />
    public override string Spec => $"cyclic:half={half},low={F(low)},mode={mode}" + (mode == "exp_range" ? $",gamma={F(gamma)}" : "");
}

/// <summary>
/// The one-cycle policy (Smith &amp; Topin 2019), as PyTorch's <c>OneCycleLR</c> with cosine annealing:
/// the factor rises from <c>1/div</c> to 1 over the first <c>pct</c> of <c>total</c> steps, then falls to
/// <c>1/(div·final_div)</c> at step <c>total − 1</c>. The optimizer's lr is the peak.
/// </summary>
public sealed class OneCycleSchedule(long total, double pct = 0.3, double div = 25, double finalDiv = 1e4) : Schedule
{
    /// <inheritdoc />
    public override double Factor(long step)
    {
        double start = 1 / div, end = start / finalDiv;
        double peakAt = pct * total - 1, last = total - 1;
        if (step <= peakAt) return Anneal(start, 1, peakAt <= 0 ? 1 : step / peakAt);
        if (step >= last) return end;
        return Anneal(1, end, (step - peakAt) / (last - peakAt));
    }

    private static double Anneal(double from, double to, double pct) => to + (from - to) / 2 * (Math.Cos(Math.PI * pct) + 1);

    /// <inheritdoc />
    public override long? Length => total;

    /// <inheritdoc />
    public override string Spec => $"onecycle:total={total},pct={F(pct)},div={F(div)},final_div={F(finalDiv)}";
}

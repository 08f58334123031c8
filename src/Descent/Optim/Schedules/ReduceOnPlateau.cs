namespace Descent.Optim.Schedules;

/// <summary>
/// Reduce-on-plateau (PyTorch's <c>ReduceLROnPlateau</c>, relative threshold): after each validation
/// <see cref="Report"/>, if the metric has not improved on the best by more than <c>threshold</c> (relative)
/// for more than <c>patience</c> reports, the factor is multiplied by <c>factor</c> (not below <c>min</c>),
/// and then <c>cooldown</c> reports are ignored (improvement is measured relative to |best|, so negative
/// metrics work too). The factor depends only on the reported history, kept in
/// <see cref="State"/> so a resumed run continues exactly.
/// </summary>
public sealed class ReduceOnPlateau : Schedule
{
    private readonly double factor, threshold, min;
    private readonly long patience, cooldown;
    private readonly bool maximize;
    private double current = 1, best;
    private bool hasBest;
    private long bad, cooldownLeft;

    /// <summary>Creates the schedule.</summary>
    /// <param name="factor">Multiplier applied on a plateau, in (0, 1).</param>
    /// <param name="patience">Reports without improvement tolerated before reducing.</param>
    /// <param name="threshold">Relative improvement that counts as better.</param>
    /// <param name="mode"><c>min</c> (a loss) or <c>max</c> (an accuracy).</param>
    /// <param name="cooldown">Reports ignored after a reduction.</param>
    /// <param name="min">The smallest factor.</param>
    public ReduceOnPlateau(double factor = 0.1, long patience = 10, double threshold = 1e-4, string mode = "min",
        long cooldown = 0, double min = 0)
    {
        if (!(factor > 0 && factor < 1)) throw new ConfigurationException($"plateau: factor must be in (0, 1), got {factor}.");
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.min = min;
        maximize = mode == "max";
    }

    /// <inheritdoc />
    public override double Factor(long step) => current;

    /// <summary>The number of reductions so far is <c>log(Factor)/log(factor)</c>; this is the current factor.</summary>
    public double Current => current;

    /// <inheritdoc />
    public override void Report(double metric)
    {
        bool better = hasBest && !double.IsNaN(metric) &&
            (maximize ? metric > best * (1 + threshold * Math.Sign(best)) : metric < best * (1 - threshold * Math.Sign(best)));
        if (!hasBest && !double.IsNaN(metric)) better = true;
        if (better) { best = metric; hasBest = true; bad = 0; }
        else bad++;
        if (cooldownLeft > 0) { cooldownLeft--; bad = 0; }
        if (bad > patience)
        {
            current = Math.Max(current * factor, min);
            cooldownLeft = cooldown;
            bad = 0;
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> State => new Dictionary<string, double>
    {
        ["factor"] = current,
        ["best"] = hasBest ? best : 0,
        ["has_best"] = hasBest ? 1 : 0,
        ["bad_reports"] = bad,
        ["cooldown_left"] = cooldownLeft,
    };

    /// <inheritdoc />
    public override void LoadState(IReadOnlyDictionary<string, double> state)
    {
        double Get(string k) => state.TryGetValue(k, out var v) ? v
            : throw new DataFormatException($"plateau schedule state lacks '{k}'.");
        current = Get("factor");
        best = Get("best");
        hasBest = Get("has_best") != 0;
        bad = (long)Get("bad_reports");
        cooldownLeft = (long)Get("cooldown_left");
    }

    /// <inheritdoc />
    public override string Spec =>
        $"plateau:factor={F(factor)},patience={patience},threshold={F(threshold)},mode={(maximize ? "max" : "min")},cooldown={cooldown},min={F(min)}";
}

using System.Globalization;

namespace Descent.Optim.Schedules;

/// <summary>
/// A learning-rate schedule: a pure function of the step giving the factor that multiplies each parameter
/// group's base learning rate (so groups with different rates follow one schedule, as in PyTorch's
/// schedulers). Step 0 is the first update. Only <see cref="ReduceOnPlateau"/> also depends on the validation
/// history, which it keeps in a small serializable <see cref="State"/>; for every other schedule, resuming a
/// run needs nothing but the step.
/// </summary>
/// <remarks>Schedules are written as strings on the command line, e.g. <c>cosine:T=1000</c>,
/// <c>step:size=30,gamma=0.1</c> or <c>warmup:500+cosine:T=10000</c>; see <see cref="Parse"/>.</remarks>
public abstract class Schedule
{
    /// <summary>The factor applied to the base learning rate at 0-based step <paramref name="step"/>.</summary>
    public abstract double Factor(long step);

    /// <summary>The number of steps after which the schedule has done its job (a warm-up's length, a cosine's
    /// period), or null if it goes on forever. A schedule joined by <see cref="Then"/> starts there.</summary>
    public virtual long? Length => null;

    /// <summary>The canonical text of the schedule; <see cref="Parse"/> reads it back.</summary>
    public abstract string Spec { get; }

    /// <summary>State that is not a function of the step (only reduce-on-plateau has any).</summary>
    public virtual IReadOnlyDictionary<string, double> State => EmptyState;

    /// <summary>Restores <see cref="State"/> (from a checkpoint).</summary>
    public virtual void LoadState(IReadOnlyDictionary<string, double> state) { }

    /// <summary>Tells the schedule a validation metric (typically once per epoch); only
    /// <see cref="ReduceOnPlateau"/> uses it.</summary>
    public virtual void Report(double metric) { }

    /// <summary>This schedule for its <see cref="Length"/> steps, then <paramref name="next"/> (whose step 0
    /// is this schedule's last step + 1), like PyTorch's <c>SequentialLR</c>.</summary>
    /// <exception cref="ConfigurationException">This schedule has no end.</exception>
    public Schedule Then(Schedule next) => new SequentialSchedule([this, next]);

    /// <summary>The constant factor 1 (the base learning rate throughout).</summary>
    public static Schedule Constant { get; } = new ConstantSchedule(null);

    /// <summary>
    /// Parses a schedule: <c>name[:key=value,...]</c>, joined with <c>+</c> (each part starts when the
    /// previous one ends). The first value may omit its key (<c>warmup:500</c>, <c>cosine:1000</c>).
    /// Names: constant, linear, inverse-time (1/t), step, multistep, exponential (exp), polynomial (poly),
    /// cosine, warmup, cyclic, onecycle, plateau. <see cref="ScheduleParser.Help"/> lists their keys.
    /// </summary>
    /// <exception cref="ConfigurationException">An unknown name or key, a bad number, or a part with no end
    /// followed by another.</exception>
    public static Schedule Parse(string text) => ScheduleParser.Parse(text);

    /// <inheritdoc />
    public override string ToString() => Spec;

    internal static readonly IReadOnlyDictionary<string, double> EmptyState = new Dictionary<string, double>();

    /// <summary>Formats a number for <see cref="Spec"/>.</summary>
    protected static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Schedules one after another (<c>a+b</c>): each part runs for its <see cref="Schedule.Length"/>
/// steps and sees its own steps counted from 0.</summary>
public sealed class SequentialSchedule : Schedule
{
    private readonly Schedule[] parts;
    private readonly long[] starts;

    /// <summary>Joins <paramref name="parts"/>; every part but the last must have a length.</summary>
    /// <exception cref="ConfigurationException">A part other than the last has no end.</exception>
    public SequentialSchedule(IReadOnlyList<Schedule> parts)
    {
        if (parts.Count == 0) throw new ConfigurationException("A sequential schedule needs at least one part.");
        var flat = parts.SelectMany(p => p is SequentialSchedule s ? s.parts : [p]).ToArray();
        this.parts = flat;
        starts = new long[flat.Length];
        long at = 0;
        for (int i = 0; i < flat.Length; i++)
        {
            starts[i] = at;
            if (i < flat.Length - 1)
            {
                at += flat[i].Length ?? throw new ConfigurationException(
                    $"Schedule '{flat[i].Spec}' never ends, so nothing can follow it; give it a length (e.g. T= or steps=) or put it last.");
            }
        }
    }

    /// <summary>The parts in order.</summary>
    public IReadOnlyList<Schedule> Parts => parts;

    /// <inheritdoc />
    public override double Factor(long step)
    {
        int i = parts.Length - 1;
        while (i > 0 && step < starts[i]) i--;
        return parts[i].Factor(step - starts[i]);
    }

    /// <inheritdoc />
    public override long? Length => parts[^1].Length is long last ? starts[^1] + last : null;

    /// <inheritdoc />
    public override string Spec => string.Join("+", parts.Select(p => p.Spec));

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, double> State
    {
        get
        {
            var d = new Dictionary<string, double>();
            for (int i = 0; i < parts.Length; i++)
                foreach (var (k, v) in parts[i].State) d[$"{i}.{k}"] = v;
            return d;
        }
    }

    /// <inheritdoc />
    public override void LoadState(IReadOnlyDictionary<string, double> state)
    {
        for (int i = 0; i < parts.Length; i++)
        {
            string prefix = $"{i}.";
            var sub = state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            if (sub.Count > 0) parts[i].LoadState(sub);
        }
    }

    /// <inheritdoc />
    public override void Report(double metric)
    {
        foreach (var p in parts) p.Report(metric);
    }
}

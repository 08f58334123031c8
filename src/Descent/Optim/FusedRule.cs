using System.Numerics;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Optim.Schedules;

namespace Descent.Optim;

/// <summary>
/// A named first-order optimizer's update for one parameter group, run as a single fused pass over the flat
/// parameter, gradient and state arrays (AVX-512 or AVX2, split over cores for large buffers). Its
/// <see cref="Reference"/> is the same update composed from small <see cref="IUpdateRule"/>s, the readable
/// definition the tests check the kernel against.
/// </summary>
public abstract class FusedRule
{
    /// <summary>Creates the rule with validated settings.</summary>
    protected FusedRule(OptimizerSettings settings) => Settings = settings;

    /// <summary>The hyperparameters (of one parameter group).</summary>
    public OptimizerSettings Settings { get; }

    /// <summary>The base learning rate <c>lr</c> (before the schedule).</summary>
    public double LearningRate => Settings.Real("lr");

    /// <summary>The state buffers this rule reads and writes, in kernel order (PyTorch's names where
    /// torch.optim has the same buffer).</summary>
    public abstract IReadOnlyList<string> StateNames { get; }

    /// <summary>The value a state buffer starts with (zero unless the method says otherwise).</summary>
    public virtual double InitialValue(string name) => 0;

    /// <summary>For look-ahead methods (Nesterov's original form, RMSProp with Nesterov momentum): the state
    /// buffer v such that the gradient is taken at <c>θ + α·v</c>; null for plain update rules.</summary>
    public virtual string? LookAheadBuffer => null;

    /// <summary>The α of <see cref="LookAheadBuffer"/>.</summary>
    public virtual double LookAheadScale => 0;

    /// <summary>The same update as a chain of small rules (multi-pass; for tests and for reading).</summary>
    public abstract IUpdateRule Reference(Schedule? schedule = null);

    /// <summary>Applies one step to elements [offset, offset + length) of the flat buffers.</summary>
    internal abstract void Apply<T>(FusedBuffers<T> buffers, in FusedStep step, int offset, int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>;

    /// <summary>Converts a double constant to the element type (float constants are rounded once, as
    /// torch.optim does with Python scalars).</summary>
    internal static T C<T>(double x) where T : IBinaryFloatingPointIeee754<T> => T.CreateTruncating(x);
}

/// <summary>What the optimizer hands to a fused kernel for one step.</summary>
/// <param name="Step">1-based number of this update (for bias corrections).</param>
/// <param name="LearningRate">The group's learning rate for this step (base × schedule).</param>
/// <param name="GradScale">Factor applied to the gradient first (global-norm clipping); 1 otherwise.</param>
/// <param name="ClipValue">Gradient elements are clipped to [−c, c] after scaling; infinity for none.</param>
internal readonly record struct FusedStep(long Step, double LearningRate, double GradScale, double ClipValue);

/// <summary>Loads gradient vectors through the optimizer's gradient stabilizers (scale for global-norm
/// clipping, then clip by value); a plain load when neither is active.</summary>
internal readonly struct GradientIn<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly bool active;
    private readonly T scale, max;

    public GradientIn(in FusedStep s)
    {
        active = s.GradScale != 1 || !double.IsPositiveInfinity(s.ClipValue);
        scale = T.CreateTruncating(s.GradScale);
        max = T.CreateTruncating(s.ClipValue);
    }

    public TV Load<TV>(ref T g, nint i) where TV : struct, ISimd<TV, T>
    {
        var x = TV.Load(ref g, i);
        return active ? TV.Min(TV.Max(x * TV.Splat(scale), TV.Splat(-max)), TV.Splat(max)) : x;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Descent.Optim.Fused;

/// <summary>How the optimizer's gradient-side stabilizers transform the gradient as a fused pass loads it:
/// scaled for global-norm clipping, then clipped element-wise by value.</summary>
/// <param name="Scale">Factor applied first (global-norm clipping); 1 for none.</param>
/// <param name="ClipValue">Elements are clipped to [−c, c] after scaling; infinity for none.</param>
internal readonly record struct GradientClip(double Scale, double ClipValue)
{
    /// <summary>No clipping.</summary>
    public static GradientClip None { get; } = new(1, double.PositiveInfinity);
}

/// <summary>Loads gradient vectors through a <see cref="GradientClip"/>; a plain load when it is inactive.</summary>
internal readonly unsafe struct GradientIn<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly bool active;
    private readonly T scale, max;

    public GradientIn(GradientClip clip)
    {
        active = clip.Scale != 1 || !double.IsPositiveInfinity(clip.ClipValue);
        scale = T.CreateTruncating(clip.Scale);
        max = T.CreateTruncating(clip.ClipValue);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Load<TV>(T* g) where TV : struct, ISimd<TV, T>
    {
        var x = TV.Load(g);
        return active ? TV.Min(TV.Max(x * TV.Splat(scale), TV.Splat(-max)), TV.Splat(max)) : x;
    }
}

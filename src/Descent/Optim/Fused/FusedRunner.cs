using System.Numerics;
using System.Runtime.Intrinsics;
using Descent.Optim.Rules;

namespace Descent.Optim.Fused;

/// <summary>Which vector width a fused update runs at.</summary>
public enum SimdWidth
{
    /// <summary>The widest the CPU accelerates: AVX-512, else AVX2, else one element at a time.</summary>
    Auto,

    /// <summary>512-bit vectors (16 floats, 8 doubles).</summary>
    Avx512,

    /// <summary>256-bit vectors (8 floats, 4 doubles).</summary>
    Avx2,

    /// <summary>One element at a time (the plain reference).</summary>
    Scalar,
}

/// <summary>
/// Runs a rule over a range of the flat buffers in one pass: for each vector of elements, load θ and g
/// (through the gradient clip), apply the rule, store <c>θ + u</c>. The ragged tail runs through the same
/// vector code on zero-padded copies, so every element sees exactly the same arithmetic wherever it sits.
/// </summary>
internal static unsafe class FusedRunner
{
    /// <summary>Ranges at least this long are split across threads.</summary>
    public const int ParallelThreshold = 1 << 20;

    /// <summary>The width <paramref name="width"/> means on this CPU.</summary>
    public static SimdWidth Resolve(SimdWidth width) => width switch
    {
        SimdWidth.Auto when Vector512.IsHardwareAccelerated => SimdWidth.Avx512,
        SimdWidth.Auto when Vector256.IsHardwareAccelerated => SimdWidth.Avx2,
        SimdWidth.Auto => SimdWidth.Scalar,
        _ => width,
    };

    /// <summary>Applies <paramref name="rule"/> to elements [0, n) at <paramref name="p"/>, <paramref name="g"/>
    /// and the <paramref name="stateCount"/> state pointers (all already offset to the range's start).</summary>
    public static void Run<TR, T>(ref TR rule, T* p, T* g, T** state, int stateCount, nint n, GradientClip clip, SimdWidth width)
        where TR : struct, IRule<TR>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var grad = new GradientIn<T>(clip);
        switch (width)
        {
            case SimdWidth.Avx512: Loop<TR, T, V512<T>>(ref rule, p, g, state, stateCount, n, grad); break;
            case SimdWidth.Avx2: Loop<TR, T, V256<T>>(ref rule, p, g, state, stateCount, n, grad); break;
            default: Loop<TR, T, Scalar<T>>(ref rule, p, g, state, stateCount, n, grad); break;
        }
    }

    private static void Loop<TR, T, TV>(ref TR rule, T* p, T* g, T** state, int stateCount, nint n, GradientIn<T> grad)
        where TR : struct, IRule<TR>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        nint w = TV.Count;
        nint main = n - n % w;
        var r = rule;   // a local copy: its fields can live in registers through the loop
        for (nint i = 0; i < main; i += w)
        {
            var x = TV.Load(p + i);
            var u = grad.Load<TV>(g + i);
            r.Apply(ref u, ref x, state, i);
            TV.Store(x + u, p + i);
        }
        nint rest = n - main;
        if (rest > 0) Tail<TR, T, TV>(ref r, p + main, g + main, state, main, stateCount, (int)rest, grad);
    }

    /// <summary>The last <paramref name="rest"/> (&lt; one vector) elements, through zero-padded copies.</summary>
    private static void Tail<TR, T, TV>(ref TR rule, T* p, T* g, T** state, nint at, int stateCount, int rest, GradientIn<T> grad)
        where TR : struct, IRule<TR>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TV : struct, ISimd<TV, T>
    {
        const int Lane = 16;   // the most elements one vector holds
        T* pad = stackalloc T[(2 + stateCount) * Lane];
        new Span<T>(pad, (2 + stateCount) * Lane).Clear();
        T** padState = stackalloc T*[Math.Max(1, stateCount)];
        T* tp = pad, tg = pad + Lane;
        for (int i = 0; i < rest; i++) { tp[i] = p[i]; tg[i] = g[i]; }
        for (int k = 0; k < stateCount; k++)
        {
            padState[k] = pad + (2 + k) * Lane;
            for (int i = 0; i < rest; i++) padState[k][i] = state[k][at + i];
        }
        var x = TV.Load(tp);
        var u = grad.Load<TV>(tg);
        rule.Apply(ref u, ref x, padState, 0);
        TV.Store(x + u, tp);
        for (int i = 0; i < rest; i++) p[i] = tp[i];
        for (int k = 0; k < stateCount; k++)
            for (int i = 0; i < rest; i++) state[k][at + i] = padState[k][i];
    }
}

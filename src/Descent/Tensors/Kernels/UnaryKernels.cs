using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Descent.Tensors.Kernels;

/// <summary>Element-wise functions (vectorized through <c>TensorPrimitives</c> where it has them).</summary>
public enum UnaryOp
{
    /// <summary>eˣ</summary>
    Exp,
    /// <summary>ln x</summary>
    Log,
    /// <summary>√x</summary>
    Sqrt,
    /// <summary>|x|</summary>
    Abs,
    /// <summary>tanh x</summary>
    Tanh,
    /// <summary>1/(1+e⁻ˣ)</summary>
    Sigmoid,
    /// <summary>max(x, 0)</summary>
    Relu,
    /// <summary>−1, 0 or 1</summary>
    Sign,
    /// <summary>ln(1+eˣ), computed stably</summary>
    Softplus,
    /// <summary>the error function</summary>
    Erf,
    /// <summary>x·Φ(x) with the exact normal CDF</summary>
    Gelu,
}

/// <summary>Kernels for <see cref="UnaryOp"/> and the parameterized activations.</summary>
public static class UnaryKernels
{
    /// <summary>d = op(x).</summary>
    public static void Apply<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Exp: TP.Exp(x, d); break;
            case UnaryOp.Log: TP.Log(x, d); break;
            case UnaryOp.Sqrt: TP.Sqrt(x, d); break;
            case UnaryOp.Abs: TP.Abs(x, d); break;
            case UnaryOp.Tanh: TP.Tanh(x, d); break;
            case UnaryOp.Sigmoid: TP.Sigmoid(x, d); break;
            case UnaryOp.Relu: Relu(x, d); break;
            case UnaryOp.Sign: VectorFunctions.Map<SignFunction, T>(op, x, d); break;
            case UnaryOp.Softplus when IsFloatOrDouble<T>(): VectorFunctions.Map<SoftplusFunction, T>(op, x, d); break;
            case UnaryOp.Erf when IsFloatOrDouble<T>(): VectorFunctions.Map<ErfVector.Erf, T>(op, x, d); break;
            case UnaryOp.Gelu when IsFloatOrDouble<T>(): VectorFunctions.Map<ErfVector.Gelu, T>(op, x, d); break;
            default:
                for (int i = 0; i < d.Length; i++) d[i] = Scalar(op, x[i]);
                break;
        }
    }

    private static bool IsFloatOrDouble<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>−1, 0 or 1 a vector at a time (NaN stays NaN, −0 gives 0, as <see cref="Scalar{T}"/>).</summary>
    private readonly struct SignFunction : IVectorFunction
    {
        public static Vector<T> Apply<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var one = Vector<T>.One;
            var r = (Vector.GreaterThan(v, Vector<T>.Zero) & one) - (Vector.LessThan(v, Vector<T>.Zero) & one);
            return Vector.ConditionalSelect(Vector.Equals(v, v), r, v);
        }
    }

    /// <summary>
    /// ln(1+eˣ) = max(x, 0) + log1p(e^(−|x|)) a vector at a time. With w = 1 + u, log1p(u) = ln w − ((w − 1) − u)/w
    /// recovers what rounding 1 + u lost (for u below the precision, ln w = 0 and the correction is u), so very
    /// negative x still give e^x rather than 0. A scalar loop with log1p took about 10 ns per element.
    /// </summary>
    private readonly struct SoftplusFunction : IVectorFunction
    {
        public static Vector<T> Apply<T>(Vector<T> v) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var one = Vector<T>.One;
            var u = VectorFunctions.Exp(-Vector.Abs(v));
            var s = one + u;
            var log1p = VectorFunctions.Log(s) - ((s - one) - u) / s;
            // max(x, 0) that keeps NaN (Vector.Max does not promise to)
            var positive = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, Vector<T>.Zero);
            return Vector.ConditionalSelect(Vector.Equals(v, v), positive + log1p, v);
        }
    }

    /// <summary>The reference definition of each function.</summary>
    public static T Scalar<T>(UnaryOp op, T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Exp: return T.Exp(x);
            case UnaryOp.Log: return T.Log(x);
            case UnaryOp.Sqrt: return T.Sqrt(x);
            case UnaryOp.Abs: return T.Abs(x);
            case UnaryOp.Tanh: return T.Tanh(x);
            case UnaryOp.Sigmoid: return T.One / (T.One + T.Exp(-x));
            case UnaryOp.Relu: return T.IsNaN(x) ? x : T.Max(x, T.Zero);
            case UnaryOp.Sign: return T.IsNaN(x) ? x : T.CreateTruncating(T.Sign(x));
            case UnaryOp.Softplus: return T.Max(x, T.Zero) + Log1P(T.Exp(-T.Abs(x)));
            case UnaryOp.Erf: return T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x)));
            case UnaryOp.Gelu:
                {
                    double v = double.CreateTruncating(x);
                    return T.CreateTruncating(0.5 * v * (1 + SpecialFunctions.Erf(v / Math.Sqrt(2))));
                }
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>ln(1 + u) accurate for tiny u (.NET's <c>LogP1</c> computes ln(u + 1) and loses them). Kahan's
    /// trick: with w = 1 + u rounded, ln(w)·u/(w − 1) cancels the rounding error of w (Goldberg 1991, Thm. 4).</summary>
    internal static T Log1P<T>(T u) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T w = T.One + u;
        return w == T.One ? u : T.Log(w) * u / (w - T.One);
    }

    /// <summary>d = x where x &gt; 0, slope·x elsewhere.</summary>
    public static void LeakyRelu<T>(ReadOnlySpan<T> x, T slope, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? x[i] : slope * x[i];
    }

    /// <summary>d = x where x &gt; 0, α(eˣ − 1) elsewhere.</summary>
    public static void Elu<T>(ReadOnlySpan<T> x, T alpha, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] > T.Zero ? x[i] : alpha * (T.Exp(x[i]) - T.One);
    }

    /// <summary>d = max(x, 0), NaN kept (one vectorized pass; TensorPrimitives' IEEE maximum is several times
    /// slower).</summary>
    public static void Relu<T>(ReadOnlySpan<T> x, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && d.Length >= Vector<T>.Count)
        {
            var xv = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(x);
            var dv = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(d);
            for (int k = 0; k < dv.Length; k++)
            {
                var v = xv[k];
                var keep = Vector.GreaterThan(v, Vector<T>.Zero) | ~Vector.Equals(v, v);
                dv[k] = Vector.ConditionalSelect(keep, v, Vector<T>.Zero);
            }
            i = dv.Length * Vector<T>.Count;
        }
        for (; i < d.Length; i++) d[i] = T.IsNaN(x[i]) || x[i] > T.Zero ? x[i] : T.Zero;
    }

    /// <summary>d = g where x &gt; 0 else slope·g (slope 0: the ReLU gradient). One pass, no mask tensor.</summary>
    public static void StepMul<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T slope, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (slope == T.Zero && Vector.IsHardwareAccelerated && d.Length >= Vector<T>.Count)
        {
            var gv = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(g);
            var xv = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(x);
            var dv = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(d);
            for (int k = 0; k < dv.Length; k++)
                dv[k] = Vector.ConditionalSelect(Vector.GreaterThan(xv[k], Vector<T>.Zero), gv[k], Vector<T>.Zero);
            i = dv.Length * Vector<T>.Count;
        }
        for (; i < d.Length; i++) d[i] = x[i] > T.Zero ? g[i] : slope * g[i];
    }

    /// <summary>d = x clamped to [lo, hi].</summary>
    public static void Clamp<T>(ReadOnlySpan<T> x, T lo, T hi, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = T.IsNaN(x[i]) ? x[i] : T.Min(T.Max(x[i], lo), hi);
    }

    /// <summary>d = g where lo ≤ x ≤ hi, else 0 (the clamp gradient).</summary>
    public static void ClampMask<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, T lo, T hi, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = x[i] >= lo && x[i] <= hi ? g[i] : T.Zero;
    }
}

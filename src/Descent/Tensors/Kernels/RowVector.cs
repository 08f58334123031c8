using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Descent.Tensors.Kernels;

/// <summary>
/// Element-wise add, subtract, multiply or divide of a matrix [rows, n] and a row vector [n] broadcast to every row
/// (a bias, a per-feature scale), a vector at a time in one loop over all rows. Same IEEE operations as the
/// per-row kernels, so the same results.
/// </summary>
internal static class RowVector
{
    /// <summary>Whether <paramref name="op"/> has this form.</summary>
    public static bool Applies(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div;

    /// <summary>o[r, j] = op(m[r, j], v[j]), or op(v[j], m[r, j]) when <paramref name="rowFirst"/>.</summary>
    public static void Apply<T>(BinaryOp op, ReadOnlySpan<T> m, ReadOnlySpan<T> v, Span<T> o, int rows, int n, bool rowFirst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Run<T, AddOp<T>>(m, v, o, rows, n, false); break;
            case BinaryOp.Mul: Run<T, MulOp<T>>(m, v, o, rows, n, false); break;
            case BinaryOp.Sub: Run<T, SubOp<T>>(m, v, o, rows, n, rowFirst); break;
            case BinaryOp.Div: Run<T, DivOp<T>>(m, v, o, rows, n, rowFirst); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    private static void Run<T, TOp>(ReadOnlySpan<T> m, ReadOnlySpan<T> v, Span<T> o, int rows, int n, bool swap)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IOp<T>
    {
        ref T mr = ref MemoryMarshal.GetReference(m), vr = ref MemoryMarshal.GetReference(v), or = ref MemoryMarshal.GetReference(o);
        int w = Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported ? Vector256<T>.Count : int.MaxValue;
        for (int r = 0; r < rows; r++)
        {
            nuint at = (nuint)r * (nuint)n;
            int j = 0;
            for (; j + w <= n; j += w)
            {
                var x = Vector256.LoadUnsafe(ref mr, at + (nuint)j);
                var y = Vector256.LoadUnsafe(ref vr, (nuint)j);
                (swap ? TOp.Apply(y, x) : TOp.Apply(x, y)).StoreUnsafe(ref or, at + (nuint)j);
            }
            for (; j < n; j++)
            {
                T x = Unsafe.Add(ref mr, at + (nuint)j), y = Unsafe.Add(ref vr, (nuint)j);
                Unsafe.Add(ref or, at + (nuint)j) = swap ? TOp.Apply(y, x) : TOp.Apply(x, y);
            }
        }
    }

    private interface IOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract T Apply(T x, T y);

        static abstract Vector256<T> Apply(Vector256<T> x, Vector256<T> y);
    }

    private readonly struct AddOp<T> : IOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T y) => x + y;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> y) => x + y;
    }

    private readonly struct SubOp<T> : IOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T y) => x - y;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> y) => x - y;
    }

    private readonly struct MulOp<T> : IOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T y) => x * y;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> y) => x * y;
    }

    private readonly struct DivOp<T> : IOp<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Apply(T x, T y) => x / y;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> y) => x / y;
    }
}

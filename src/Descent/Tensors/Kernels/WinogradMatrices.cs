namespace Descent.Tensors.Kernels;

/// <summary>
/// The transforms of Winograd's minimal filtering algorithm F(2×2, r×r) (Winograd 1980; Lavin &amp; Gray 2016,
/// "Fast algorithms for convolutional neural networks"): a 2×2 output tile of a stride-1 correlation with an
/// r×r kernel is <c>Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d Bᵀᵀ)]A</c> on an α×α input tile d, α = r + 1, with α² multiplies
/// instead of 4r². The matrices come from the Cook–Toom construction at the points 0, ±1 (±2 for r = 5) and ∞,
/// derived here rather than typed in: with evaluation matrices G (the kernel polynomial at each point, the
/// leading coefficient at ∞), H (the output polynomial) and V (a degree-(α−1) polynomial), a linear
/// convolution is <c>V⁻¹[(Gg) ⊙ (Hh)]</c>, and its transpose, the correlation, is <c>Hᵀ[(Gg) ⊙ (V⁻ᵀd)]</c>:
/// <c>Aᵀ = Hᵀ</c>, <c>Bᵀ = V⁻ᵀ</c>.
/// </summary>
internal sealed class WinogradMatrices
{
    /// <summary>F(2×2, 3×3): α = 4.</summary>
    public static WinogradMatrices R3 { get; } = new(3, [0, 1, -1]);

    /// <summary>F(2×2, 5×5): α = 6.</summary>
    public static WinogradMatrices R5 { get; } = new(5, [0, 1, -1, 2, -2]);

    /// <summary>The matrices for an r×r kernel, or null when none are defined.</summary>
    public static WinogradMatrices? For(int r) => r == 3 ? R3 : r == 5 ? R5 : null;

    private WinogradMatrices(int r, double[] points)
    {
        R = r;
        Alpha = r + 1;
        int a = Alpha;
        if (points.Length != a - 1) throw new ArgumentException("F(2, r) needs r finite points.");
        G = new double[a, r];
        var h = new double[a, 2];
        var v = new double[a, a];
        for (int p = 0; p < a; p++)
        {
            bool infinity = p == a - 1;
            for (int k = 0; k < r; k++) G[p, k] = infinity ? (k == r - 1 ? 1 : 0) : Math.Pow(points[p], k);
            for (int i = 0; i < 2; i++) h[p, i] = infinity ? (i == 1 ? 1 : 0) : Math.Pow(points[p], i);
            for (int j = 0; j < a; j++) v[p, j] = infinity ? (j == a - 1 ? 1 : 0) : Math.Pow(points[p], j);
        }
        var inv = Invert(v);
        BT = new double[a, a];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < a; j++) BT[i, j] = inv[j, i];
        AT = new double[2, a];
        for (int i = 0; i < 2; i++)
            for (int p = 0; p < a; p++) AT[i, p] = h[p, i];
    }

    /// <summary>Kernel size r.</summary>
    public int R { get; }

    /// <summary>Input tile size α = r + 1.</summary>
    public int Alpha { get; }

    /// <summary>Input transform Bᵀ (α×α): <c>v = Bᵀ d (Bᵀ)ᵀ</c>.</summary>
    public double[,] BT { get; }

    /// <summary>Kernel transform G (α×r): <c>u = G g Gᵀ</c>.</summary>
    public double[,] G { get; }

    /// <summary>Output transform Aᵀ (2×α): <c>y = Aᵀ m (Aᵀ)ᵀ</c>.</summary>
    public double[,] AT { get; }

    /// <summary>A row-major copy of <paramref name="m"/> in T.</summary>
    public static T[] Flat<T>(double[,] m) where T : System.Numerics.INumberBase<T>
    {
        int rows = m.GetLength(0), cols = m.GetLength(1);
        var f = new T[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) f[i * cols + j] = T.CreateChecked(m[i, j]);
        return f;
    }

    private static double[,] Invert(double[,] m)
    {
        int n = m.GetLength(0);
        var a = (double[,])m.Clone();
        var inv = new double[n, n];
        for (int i = 0; i < n; i++) inv[i, i] = 1;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            for (int j = 0; j < n; j++)
            {
                (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                (inv[col, j], inv[pivot, j]) = (inv[pivot, j], inv[col, j]);
            }
            double d = a[col, col];
            for (int j = 0; j < n; j++) { a[col, j] /= d; inv[col, j] /= d; }
            for (int r = 0; r < n; r++)
            {
                if (r == col || a[r, col] == 0) continue;
                double f = a[r, col];
                for (int j = 0; j < n; j++) { a[r, j] -= f * a[col, j]; inv[r, j] -= f * inv[col, j]; }
            }
        }
        return inv;
    }
}

namespace Descent.Optim.SecondOrder;

/// <summary>
/// Martens' (2010, §4.6) CG-iteration backtracking: CG's later iterates minimize the quadratic model better but
/// can fit the curvature batch's idiosyncrasies (or a model that is only locally right), so the iterates at
/// the geometrically spaced iterations i = ⌈γʲ⌉ (γ = 1.3) and the last one are kept, and the step is the kept
/// iterate with the lowest objective: scanning back from the last one while f keeps decreasing, as his code
/// does (the best one when f along the kept iterates has a single minimum), for at most one evaluation more
/// than the iterates it passes.
/// </summary>
public static class CgBacktracking
{
    /// <summary>γ of the grid ⌈γʲ⌉.</summary>
    public const double Ratio = 1.3;

    /// <summary>The iterations whose iterates are kept, in order, up to <paramref name="last"/> (which is always
    /// kept).</summary>
    public static IReadOnlyList<int> Grid(int last)
    {
        var grid = new List<int>();
        for (int j = 0; ; j++)
        {
            int i = (int)Math.Ceiling(Math.Pow(Ratio, j));
            if (i >= last) break;
            if (grid.Count == 0 || grid[^1] != i) grid.Add(i);
        }
        if (last > 0) grid.Add(last);
        return grid;
    }

    /// <summary>True if iteration <paramref name="i"/> is on the grid ⌈γʲ⌉.</summary>
    public static bool OnGrid(int i)
    {
        for (int j = 0; ; j++)
        {
            int g = (int)Math.Ceiling(Math.Pow(Ratio, j));
            if (g == i) return true;
            if (g > i) return false;
        }
    }

    /// <summary>Chooses among <paramref name="count"/> kept iterates (0 … count − 1, in iteration order) by
    /// <paramref name="objective"/>: from the last one back while the value keeps decreasing.</summary>
    /// <returns>The chosen index, its value, and how many iterates were evaluated.</returns>
    public static (int Index, double Value, int Evaluations) Choose(int count, Func<int, double> objective)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int chosen = count - 1, evaluations = 1;
        double best = objective(chosen);
        while (chosen > 0)
        {
            double f = objective(chosen - 1);
            evaluations++;
            if (!(f < best) && double.IsFinite(best)) break;
            best = f;
            chosen--;
        }
        return (chosen, best, evaluations);
    }
}

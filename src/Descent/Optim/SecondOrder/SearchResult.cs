using System.Globalization;
using System.Text;

namespace Descent.Optim.SecondOrder;

/// <summary>Why a search stopped (a run) or what one iteration did (a step). The numeric codes of the
/// run-level values follow SciPy's <c>OptimizeResult.status</c>: 0 converged, 1 iteration limit, 2 line
/// search failure (precision loss), 3 non-finite value.</summary>
public enum SearchStatus
{
    /// <summary>‖∇f‖ ≤ gtol (code 0).</summary>
    Converged = 0,

    /// <summary>The iteration budget ran out (code 1).</summary>
    MaxIterations = 1,

    /// <summary>No acceptable step was found; θ is unchanged (code 2).</summary>
    LineSearchFailed = 2,

    /// <summary>A non-finite loss or gradient (code 3).</summary>
    NonFinite = 3,

    /// <summary>One iteration moved θ (a step's report).</summary>
    Stepped = 10,

    /// <summary>One iteration proposed a step that did not reduce f; θ is unchanged and the damping grew
    /// (Levenberg-Marquardt and Hessian-free steps).</summary>
    Rejected = 11,
}

/// <summary>
/// What a search did, like SciPy's <c>OptimizeResult</c>: iterations, evaluations of f, of ∇f and of
/// curvature (Hessian, Gauss-Newton or Fisher products, dense Hessian columns, K-FAC statistics passes), the
/// final value and gradient norm, and why it stopped. A search method reports one per step
/// (<see cref="SearchMethod.LastStep"/>); <see cref="Minimizer"/> and <c>descent optimize</c> report one for a
/// whole run, for every optimizer.
/// </summary>
/// <param name="Status">Why it stopped, or what the step did.</param>
/// <param name="Message">One sentence.</param>
/// <param name="Iterations">nit.</param>
/// <param name="FunctionEvaluations">nfev.</param>
/// <param name="GradientEvaluations">njev.</param>
/// <param name="CurvatureProducts">nhev: curvature-vector products and other curvature work, as the method counts it.</param>
/// <param name="Value">f at the final point (NaN if not evaluated there).</param>
/// <param name="GradientNorm">‖∇f‖₂ at the final point (NaN if not evaluated there).</param>
public sealed record SearchResult(SearchStatus Status, string Message, int Iterations, int FunctionEvaluations,
    int GradientEvaluations, int CurvatureProducts, double Value, double GradientNorm)
{
    /// <summary>SciPy's <c>success</c>: converged, or (for a step) moved or adapted without error.</summary>
    public bool Success => Status is SearchStatus.Converged or SearchStatus.Stepped or SearchStatus.Rejected;

    /// <summary>SciPy's numeric status (0 converged, 1 iteration limit, 2 line search failure, 3 non-finite;
    /// step-level values have no SciPy code and give −1).</summary>
    public int Code => Status <= SearchStatus.NonFinite ? (int)Status : -1;

    /// <summary>The result as SciPy prints an <c>OptimizeResult</c>: one right-aligned <c>key: value</c> per line.</summary>
    public string Format()
    {
        string F(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("  message: ").Append(Message).Append('\n');
        sb.Append("  success: ").Append(Success ? "True" : "False").Append('\n');
        sb.Append("   status: ").Append(Code.ToString(CultureInfo.InvariantCulture)).Append(" (").Append(Name(Status)).Append(")\n");
        sb.Append("      fun: ").Append(F(Value)).Append('\n');
        sb.Append("      nit: ").Append(Iterations.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("     nfev: ").Append(FunctionEvaluations.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("     njev: ").Append(GradientEvaluations.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("     nhev: ").Append(CurvatureProducts.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("    ‖∇f‖: ").Append(F(GradientNorm)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The status as a lowercase word: <c>converged</c>, <c>max-iterations</c>, …</summary>
    public static string Name(SearchStatus status) => status switch
    {
        SearchStatus.Converged => "converged",
        SearchStatus.MaxIterations => "max-iterations",
        SearchStatus.LineSearchFailed => "line-search-failed",
        SearchStatus.NonFinite => "non-finite",
        SearchStatus.Stepped => "stepped",
        _ => "rejected",
    };
}

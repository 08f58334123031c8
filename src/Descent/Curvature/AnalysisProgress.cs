namespace Descent.Curvature;

/// <summary>Progress of a long curvature analysis, for a console display.</summary>
/// <param name="Task">What runs, e.g. <c>lanczos</c> or <c>hutchinson</c>.</param>
/// <param name="Step">Steps done (iterations, probes, grid points).</param>
/// <param name="Total">Steps at most (an upper bound for iterative methods).</param>
/// <param name="Detail">A short status, e.g. the current residual.</param>
public readonly record struct AnalysisProgress(string Task, int Step, int Total, string Detail = "");

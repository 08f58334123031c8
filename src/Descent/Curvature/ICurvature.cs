namespace Descent.Curvature;

/// <summary>
/// A symmetric curvature matrix C of an objective over its flat parameter vector, given only through
/// matrix-vector products (matrix-free): the Hessian, the generalized Gauss-Newton matrix or a Fisher
/// (<see cref="CurvatureKind"/>). Lanczos, Hutchinson, conjugate gradients (Hessian-free), natural
/// gradient and the landscape tools all work through <see cref="Apply"/>. Every product is counted, in
/// <see cref="Products"/> and in the <see cref="Counter"/> that operators built together share.
/// </summary>
public interface ICurvature
{
    /// <summary>Which matrix this is.</summary>
    CurvatureKind Kind { get; }

    /// <summary>The order n of the matrix (the number of parameters).</summary>
    int Dimension { get; }

    /// <summary>Products computed by this operator so far.</summary>
    long Products { get; }

    /// <summary>The counter this operator reports every product to (shared by operators built together).</summary>
    ProductCounter Counter { get; }

    /// <summary>Writes C·<paramref name="v"/> into <paramref name="result"/> (both of length
    /// <see cref="Dimension"/>, in the layout of the flat parameters; they must not overlap). Counts one product.</summary>
    /// <exception cref="ShapeException">A span's length is not <see cref="Dimension"/>.</exception>
    void Apply(ReadOnlySpan<double> v, Span<double> result);
}

/// <summary>The curvature matrices Descent computes products with.</summary>
public enum CurvatureKind
{
    /// <summary>The Hessian H = ∇²f of the objective (mean loss + penalties), by double backward
    /// (Pearlmutter 1994). Indefinite away from minima.</summary>
    Hessian,

    /// <summary>The generalized Gauss-Newton matrix G = Jᵀ H_ℓ J (Schraudolph 2002; Martens 2010): J the
    /// Jacobian of the network's outputs z in θ, H_ℓ = ∂²L/∂z² the loss's Hessian in the outputs (for softmax
    /// cross-entropy diag(p) − ppᵀ per example, for mean squared error a multiple of I). Positive
    /// semi-definite for convex losses; drops the second-order terms of the network itself.</summary>
    GaussNewton,

    /// <summary>The true Fisher F = E_x E_{y~p_θ(y|x)}[∇ℓ ∇ℓᵀ] in expectation over labels drawn from the model.
    /// For losses that are the negative log-likelihood of an exponential family in the outputs (softmax
    /// cross-entropy, mean squared error as a Gaussian, logistic loss on logits) it equals the GGN exactly
    /// (Martens 2014, §9.2), which is how it is computed.</summary>
    Fisher,

    /// <summary>A Monte Carlo Fisher: (1/N) Σₙ (1/S) Σₛ gₙₛ gₙₛᵀ with gₙₛ the gradient of the loss at a label
    /// drawn from the model's own predictive distribution (seeded; the same labels for every product at the
    /// same θ). An unbiased estimate of <see cref="Fisher"/> (what K-FAC uses).</summary>
    SampledFisher,

    /// <summary>The empirical Fisher (1/N) Σₙ gₙ gₙᵀ from the per-example gradients at the true labels (what
    /// Adam's second moment approximates on its diagonal). Not the Fisher: see Kunstner et al. 2019.</summary>
    EmpiricalFisher,
}

/// <summary>Names of the curvature kinds on the command line and in files.</summary>
public static class CurvatureKinds
{
    private static readonly (string Name, CurvatureKind Kind, string Description)[] Table =
    [
        ("hessian", CurvatureKind.Hessian, "the Hessian of the objective (double backward)"),
        ("ggn", CurvatureKind.GaussNewton, "the generalized Gauss-Newton matrix JᵀH_ℓJ"),
        ("fisher", CurvatureKind.Fisher, "the true Fisher (equals the GGN for cross-entropy, mse and bce_logits)"),
        ("fisher-sampled", CurvatureKind.SampledFisher, "the Fisher with labels sampled from the model (Monte Carlo)"),
        ("fisher-empirical", CurvatureKind.EmpiricalFisher, "the empirical Fisher from per-example gradients at the true labels"),
    ];

    /// <summary>Every name with its description.</summary>
    public static IReadOnlyList<(string Name, string Description)> Catalog { get; } = Table.Select(t => (t.Name, t.Description)).ToArray();

    /// <summary>The lowercase name of <paramref name="kind"/> (<c>hessian</c>, <c>ggn</c>, <c>fisher</c>,
    /// <c>fisher-sampled</c>, <c>fisher-empirical</c>).</summary>
    public static string Name(this CurvatureKind kind) => Table.First(t => t.Kind == kind).Name;

    /// <summary>The name of <paramref name="kind"/> in prose and figure titles: Hessian, Gauss-Newton matrix, Fisher,
    /// sampled Fisher, empirical Fisher.</summary>
    public static string Title(this CurvatureKind kind) => kind switch
    {
        CurvatureKind.Hessian => "Hessian",
        CurvatureKind.GaussNewton => "Gauss-Newton matrix",
        CurvatureKind.Fisher => "Fisher",
        CurvatureKind.SampledFisher => "sampled Fisher",
        _ => "empirical Fisher",
    };

    /// <summary>The kind called <paramref name="name"/> (also <c>gauss-newton</c>, <c>gn</c>, <c>empirical-fisher</c>,
    /// <c>sampled-fisher</c>; underscores for hyphens, any case).</summary>
    /// <exception cref="ConfigurationException">An unknown name (the message lists the known ones).</exception>
    public static CurvatureKind Parse(string name)
    {
        var key = (name ?? "").Trim().ToLowerInvariant().Replace('_', '-');
        key = key switch
        {
            "gauss-newton" or "gn" or "generalized-gauss-newton" => "ggn",
            "empirical-fisher" or "efisher" => "fisher-empirical",
            "sampled-fisher" or "mc-fisher" or "fisher-mc" => "fisher-sampled",
            "true-fisher" => "fisher",
            _ => key,
        };
        foreach (var t in Table)
            if (t.Name == key) return t.Kind;
        throw new ConfigurationException($"Unknown curvature '{name}'. Valid: {string.Join(", ", Table.Select(t => t.Name))}.");
    }
}

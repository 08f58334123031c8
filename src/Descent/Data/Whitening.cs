using Descent.Tensors;

namespace Descent.Data;

/// <summary>The two classic whitening transforms.</summary>
public enum WhiteningKind
{
    /// <summary>PCA whitening W = (Λ + εI)^(−1/2) Uᵀ: rotate onto the principal axes and rescale each to unit variance.</summary>
    Pca,

    /// <summary>ZCA (Mahalanobis) whitening W = U (Λ + εI)^(−1/2) Uᵀ: the whitening closest to the identity, so
    /// whitened images still look like images (Bell &amp; Sejnowski 1997).</summary>
    Zca,
}

/// <summary>
/// Whitening fitted on the training features: y = W (x − μ) with Σ = U Λ Uᵀ the covariance of the
/// centred training features (population, 1/N), decomposed in double by <see cref="SymmetricEigen"/>.
/// The whitened training covariance is W Σ Wᵀ = diag(λ / (λ + ε)) ≈ I on every direction whose variance λ
/// is much larger than ε; ε keeps directions of (almost) no variance from being blown up
/// (Goodfellow et al. 2016, §12.2.1.1; Krizhevsky 2009, appendix A). With
/// <c>components</c> k &gt; 0 only the k leading directions are kept (PCA then gives k features).
/// </summary>
public sealed class Whitening : IFeatureTransform
{
    private readonly Tensor meanF, meanD, matrixF, matrixD;

    private Whitening(WhiteningKind kind, double epsilon, double[] mean, double[] eigenvalues, double[] matrix, int components)
    {
        Kind = kind;
        Epsilon = epsilon;
        Mean = mean;
        Eigenvalues = eigenvalues;
        Components = components;
        int d = mean.Length, rows = matrix.Length / d;
        matrixD = Tensor.Wrap(matrix, rows, d);
        matrixF = Tensor.Wrap(Array.ConvertAll(matrix, v => (float)v), rows, d);
        meanD = Tensor.Wrap((double[])mean.Clone());
        meanF = Tensor.Wrap(Array.ConvertAll(mean, v => (float)v));
    }

    /// <summary>PCA or ZCA.</summary>
    public WhiteningKind Kind { get; }

    /// <summary>The regularizer ε added to every eigenvalue.</summary>
    public double Epsilon { get; }

    /// <summary>The number of principal directions kept.</summary>
    public int Components { get; }

    /// <summary>The training mean μ, one value per feature.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>All eigenvalues of the training covariance, largest first.</summary>
    public IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>W, [k, D] for PCA and [D, D] for ZCA, in double (a copy).</summary>
    public Tensor Matrix => matrixD.CloneUnscoped();

    /// <inheritdoc/>
    public string Name => $"{(Kind == WhiteningKind.Pca ? "pca" : "zca")}(eps={Epsilon:G3}{(Components < Mean.Count ? $", k={Components}" : "")})";

    /// <summary>Fits whitening on <paramref name="train"/>.</summary>
    /// <param name="train">The training set (features [N, …], flattened to D per example).</param>
    /// <param name="kind">PCA or ZCA.</param>
    /// <param name="epsilon">ε ≥ 0 added to each eigenvalue (in the units of the features' variance).</param>
    /// <param name="components">Directions kept, 1..D; 0 keeps all D.</param>
    /// <exception cref="ConfigurationException">ε is negative, <paramref name="components"/> is out of range,
    /// or ε = 0 with a zero eigenvalue among those kept.</exception>
    public static Whitening Fit(Dataset train, WhiteningKind kind, double epsilon = 1e-2, int components = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!(epsilon >= 0)) throw new ConfigurationException($"The whitening epsilon {epsilon} must be ≥ 0.");
        int d = train.FeatureCount;
        if (components < 0 || components > d)
            throw new ConfigurationException($"Whitening components {components} must be between 1 and {d} (or 0 for all).");
        int k = components == 0 ? d : components;
        var (mean, _) = FeatureScaler.FeatureMoments(train);
        var eigen = SymmetricEigen.Decompose(Covariance(train, mean), d);
        var pca = new double[k * d]; // rows: (λ_i + ε)^(−1/2) u_iᵀ
        for (int i = 0; i < k; i++)
        {
            double lambda = Math.Max(0, eigen.Values[i]) + epsilon;
            if (lambda <= 0)
                throw new ConfigurationException($"Whitening: direction {i} of the training data has zero variance; use epsilon > 0 or fewer components.");
            double s = 1 / Math.Sqrt(lambda);
            var u = eigen.Vector(i);
            for (int j = 0; j < d; j++) pca[i * d + j] = s * u[j];
        }
        double[] matrix = pca;
        if (kind == WhiteningKind.Zca)
        {
            var ut = Tensor.Wrap(eigen.Vectors.AsSpan(0, k * d).ToArray(), k, d);
            matrix = Tensor.MatMul(ut, Tensor.Wrap(pca, k, d), transA: true).ToDoubleArray(); // U_k · (Λ+ε)^(−1/2) U_kᵀ
        }
        return new Whitening(kind, epsilon, mean, eigen.Values, matrix, k);
    }

    /// <summary>The covariance (1/N) Σ (x − μ)(x − μ)ᵀ of the training features, row-major D×D, in double
    /// (accumulated over blocks of rows by a tiled, multi-core Gram kernel).</summary>
    public static double[] Covariance(Dataset train, IReadOnlyList<double> mean)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(mean);
        int n = train.Count, d = train.FeatureCount;
        if (mean.Count != d) throw new ShapeException($"Covariance: a mean of {mean.Count} values for {d} features.");
        int dPad = (d + 3) / 4 * 4, rows = 512;
        var xt = new double[dPad * rows]; // the centred block, transposed and zero-padded
        var cov = new double[dPad * dPad];
        var row = new double[d];
        var mu = mean.ToArray();
        for (int start = 0; start < n; start += rows)
        {
            int count = Math.Min(rows, n - start);
            if (count < rows) Array.Clear(xt);
            for (int r = 0; r < count; r++)
            {
                FeatureScaler.ReadRow(train.Features, start + r, row);
                for (int j = 0; j < d; j++) xt[j * rows + r] = row[j] - mu[j];
            }
            GramKernel.AccumulateUpper(xt, dPad, rows, cov);
        }
        GramKernel.Symmetrize(cov, dPad);
        var result = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) result[i * d + j] = cov[i * dPad + j] / n;
        return result;
    }

    /// <inheritdoc/>
    public Shape OutputExampleShape(Shape inputExample)
    {
        if (inputExample.Size != Mean.Count)
            throw new ShapeException($"{Name}: fitted on {Mean.Count} features per example, given examples of shape {inputExample}.");
        return Kind == WhiteningKind.Zca ? inputExample : new Shape(matrixD.Shape[0]);
    }

    /// <inheritdoc/>
    public Tensor Apply(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        int d = Mean.Count, n = features.Rank == 0 ? 0 : features.Shape[0];
        if (features.Rank == 0 || features.Size != n * d)
            throw new ShapeException($"{Name}: fitted on {d} features per example, given a batch of shape {features.Shape}.");
        bool f32 = features.DType == DType.Float32;
        var centred = features.Reshape(n, d) - (f32 ? meanF : meanD);
        var y = Tensor.MatMul(centred, f32 ? matrixF : matrixD, transB: true);
        var example = OutputExampleShape(new Shape(features.Shape.Dims[1..].ToArray()));
        return y.Reshape([n, .. example.Dims]);
    }
}

using System.Runtime.InteropServices;
using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>What <see cref="SignalProbe"/> measures.</summary>
public sealed record SignalProbeOptions
{
    /// <summary>The weight scheme: any <see cref="InitScheme.Parse"/> form (taken literally: <c>glorot_uniform</c>
    /// has gain 1, write <c>glorot_uniform:tanh</c> for 5/3), or <c>lsuv[:PREINIT]</c> (see <see cref="SignalProbe"/>).</summary>
    public string Scheme { get; init; } = "glorot_uniform";

    /// <summary>The activation after every hidden layer (any <see cref="Activations.Parse"/> name).</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>Number of hidden layers L.</summary>
    public int Depth { get; init; } = 10;

    /// <summary>Width W of every hidden layer and of the input.</summary>
    public int Width { get; init; } = 256;

    /// <summary>Examples in the probe batch.</summary>
    public int Batch { get; init; } = 512;

    /// <summary>Standard deviation of the N(0, σ²) inputs.</summary>
    public double InputStd { get; init; } = 1;

    /// <summary>The bias scheme (default zeros, as Glorot &amp; Bengio and LSUV assume).</summary>
    public string BiasScheme { get; init; } = "zeros";

    /// <summary>Seed of the weights (one stream per parameter, as in <see cref="InitPlan"/>), the inputs, the
    /// LSUV batch and the output gradient: equal seeds give equal inputs and output gradients across schemes.</summary>
    public ulong Seed { get; init; }

    /// <summary>Precision of the network (float64 by default, so deep explosions stay finite longer).</summary>
    public DType DType { get; init; } = DType.Float64;
}

/// <summary>
/// Measures what an initialization does to signal propagation (Glorot &amp; Bengio 2010, §4; He et al. 2015,
/// §2.2): builds an MLP of <see cref="SignalProbeOptions.Depth"/> hidden layers <c>hₗ = f(hₗ₋₁Wₗᵀ + bₗ)</c> of
/// width W on W inputs, initializes it, feeds a batch of N(0, σ²) inputs and back-propagates a random output
/// gradient: the loss is <c>L = Σ h_L ⊙ R</c> with <c>R ~ N(0, 1)</c>, so <c>∂L/∂h_L = R</c> has unit variance
/// and every change of variance below it comes from the network. Reports per layer the moments of
/// pre-activations, activations and the gradients, saturated and dead units, and distinct units.
/// </summary>
/// <remarks>
/// <c>lsuv</c> is layer-sequential unit variance (Mishkin &amp; Matas 2016): orthogonal weights (or
/// <c>lsuv:PREINIT</c>'s scheme), then <see cref="Lsuv.Apply"/> rescales each layer to unit output variance on a
/// batch drawn separately from the probe batch (same distribution), so the probe measures it out of sample.
/// </remarks>
public static class SignalProbe
{
    /// <summary>The weight schemes <see cref="Run"/> accepts, for help texts.</summary>
    public static IReadOnlyList<string> SchemeForms { get; } = [.. InitSchemeParser.Forms, "lsuv[:PREINIT]"];

    /// <summary>Probes one scheme.</summary>
    /// <exception cref="ConfigurationException">An unknown scheme or activation, or a non-positive size.</exception>
    public static SignalReport Run(SignalProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var activation = Activations.Parse(options.Activation);
        var (weights, isLsuv) = ParseScheme(options.Scheme);
        var bias = InitScheme.Parse(options.BiasScheme);

        int w = options.Width, n = options.Batch;
        var linears = new Linear[options.Depth];
        var model = new Sequential();
        var unused = Rng.Stream(options.Seed, "signal:default"); // overwritten below; keeps DefaultRng.Current untouched
        for (int l = 0; l < options.Depth; l++)
        {
            linears[l] = new Linear(w, w, bias: true, rng: unused, dtype: options.DType);
            model.Add(linears[l]).Add(Activations.Create(activation));
        }
        foreach (var (name, p) in model.NamedParameters())
            (p.Kind == ParameterKind.Weight ? weights : bias).Apply(p, InitPlan.ParameterStream(options.Seed, name));

        IReadOnlyList<LsuvLayer>? lsuv = null;
        if (isLsuv)
        {
            var lsuvBatch = Tensor.Randn(new Shape(n, w), Rng.Stream(options.Seed, "signal:lsuv_batch"), 0, options.InputStd, options.DType);
            lsuv = Lsuv.Apply(model, lsuvBatch, new LsuvOptions(OrthogonalPreInit: false, Seed: options.Seed));
        }

        var x = Tensor.Randn(new Shape(n, w), Rng.Stream(options.Seed, "signal:input"), 0, options.InputStd, options.DType);
        var zs = new Tensor[options.Depth];
        var hs = new Tensor[options.Depth];
        var h = x;
        for (int l = 0; l < options.Depth; l++)
        {
            zs[l] = linears[l].Forward(h);
            hs[l] = h = model[2 * l + 1].Forward(zs[l]);
        }
        var r = Tensor.Randn(h.Shape, Rng.Stream(options.Seed, "signal:output_grad"), 0, 1, options.DType);
        var loss = (h * r).Sum();
        var grads = Autodiff.Grad(loss, [.. zs, .. hs, .. linears.Select(lin => (Tensor)lin.Weight)]);

        var layers = new SignalLayer[options.Depth];
        for (int l = 0; l < options.Depth; l++)
        {
            var z = zs[l].ToDoubleArray();
            var a = hs[l].ToDoubleArray();
            var (saturated, dead) = Flatness(activation, z, a, n, w);
            layers[l] = new SignalLayer(l + 1, w, DistinctRows(linears[l]), Moments.Of(z), Moments.Of(a), saturated, dead,
                GradMoments(grads[options.Depth + l]), GradMoments(grads[l]), GradMoments(grads[2 * options.Depth + l]));
        }
        return new SignalReport(options, isLsuv ? "lsuv:" + weights.Text : weights.Text, layers, lsuv);
    }

    /// <summary>
    /// The weight scheme of <paramref name="text"/> and whether it is LSUV (then the scheme is its pre-initialization:
    /// orthogonal for plain <c>lsuv</c>).
    /// </summary>
    public static (InitScheme Weights, bool IsLsuv) ParseScheme(string text)
    {
        string t = (text ?? "").Trim();
        string head = t.Split(':', 2)[0].Trim().ToLowerInvariant();
        if (head != "lsuv") return (InitScheme.Parse(t), false);
        return (t.Contains(':') ? InitScheme.Parse(t.Split(':', 2)[1].Trim()) : InitScheme.Orthogonal(), true);
    }

    /// <summary>Checks <paramref name="o"/> without running anything: sizes, activation, weight and bias scheme.</summary>
    /// <exception cref="ConfigurationException">The first problem found, in one sentence.</exception>
    public static void Validate(SignalProbeOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Depth < 1) throw new ConfigurationException($"depth must be at least 1 hidden layer; got {o.Depth}.");
        if (o.Width < 1) throw new ConfigurationException($"width must be at least 1 unit; got {o.Width}.");
        if (o.Batch < 2) throw new ConfigurationException($"batch must hold at least 2 examples; got {o.Batch}.");
        if (!(o.InputStd > 0) || !double.IsFinite(o.InputStd))
            throw new ConfigurationException($"input std must be a positive number; got {o.InputStd}.");
        Activations.Parse(o.Activation);
        ParseScheme(o.Scheme);
        if (InitScheme.Parse(o.BiasScheme).NeedsMatrix)
            throw new ConfigurationException($"Bias scheme '{o.BiasScheme}' needs a weight matrix; use zeros, constant:V, normal:STD or uniform:A for biases.");
    }

    private static Moments GradMoments(Tensor? grad) =>
        grad is null ? new Moments(0, 0) : Moments.Of(grad.ToDoubleArray());

    /// <summary>Fraction of flat elements and of units flat on every example (see <see cref="SignalLayer.Saturated"/>).</summary>
    internal static (double Saturated, double Dead) Flatness(Activation activation, double[] z, double[] h, int rows, int cols)
    {
        Func<double, double, bool>? flat = activation switch
        {
            Activation.Tanh => (_, a) => Math.Abs(a) > 0.99,
            Activation.Sigmoid => (_, a) => a < 0.01 || a > 0.99,
            Activation.Relu => (x, _) => x <= 0,
            Activation.Elu or Activation.Softplus => (x, _) => x < -4.6,
            Activation.Gelu => (x, _) => x < -3,
            _ => null,
        };
        if (flat is null) return (0, 0);
        long count = 0;
        var alwaysFlat = new bool[cols];
        Array.Fill(alwaysFlat, true);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                bool f = flat(z[i * cols + j], h[i * cols + j]);
                if (f) count++;
                else alwaysFlat[j] = false;
            }
        return (count / (double)(rows * cols), alwaysFlat.Count(b => b) / (double)cols);
    }

    /// <summary>The number of distinct rows of <c>[W | b]</c> (bit-for-bit).</summary>
    internal static int DistinctRows(Linear layer)
    {
        int outs = layer.OutFeatures, ins = layer.InFeatures;
        var w = layer.Weight.ToDoubleArray();
        var b = layer.Bias?.ToDoubleArray() ?? new double[outs];
        var rows = new double[outs][];
        for (int i = 0; i < outs; i++)
        {
            rows[i] = new double[ins + 1];
            Array.Copy(w, i * ins, rows[i], 0, ins);
            rows[i][ins] = b[i];
        }
        return rows.Distinct(RowComparer.Instance).Count();
    }

    private sealed class RowComparer : IEqualityComparer<double[]>
    {
        public static readonly RowComparer Instance = new();

        public bool Equals(double[]? x, double[]? y) =>
            x is not null && y is not null && MemoryMarshal.AsBytes(x.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(y.AsSpan()));

        public int GetHashCode(double[] row)
        {
            var hc = new HashCode();
            hc.AddBytes(MemoryMarshal.AsBytes(row.AsSpan()));
            return hc.ToHashCode();
        }
    }
}

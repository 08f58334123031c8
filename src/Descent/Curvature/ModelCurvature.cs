using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The curvature of a model's objective f(θ) = (1/N) Σₙ ℓ(yₙ, ŷ(xₙ; θ)) + λΩ(θ) over its flat parameters, on
/// <see cref="Data"/>, at the parameters' current values: Hessian, Gauss-Newton or Fisher products (see
/// <see cref="CurvatureKind"/> and <see cref="ChunkGraph"/> for how each is computed). Products follow the
/// parameters: when <see cref="FlatParameters.Values"/> change, the next product records new graphs.
/// <para>The model runs in whatever mode it is in (analysis puts it in evaluation mode, so dropout is off and
/// batch normalization uses its running statistics). Products run in their own <see cref="TensorScope"/>;
/// kept graphs live in the caller's scope (or none), like <see cref="Objective"/>'s. Frozen parameters
/// (<c>RequiresGrad</c> false) get zero rows and columns. Inputs of another dtype than the parameters are converted
/// (so a model converted to float64 can be analysed on float32 data).</para>
/// </summary>
public sealed class ModelCurvature : ICurvature
{
    private readonly Parameter[] trainable;
    private readonly ParameterSlot[] slots;
    private readonly int[] slotIndex;
    private ChunkGraph?[]? kept;
    private TensorScope? keptScope;
    private Tensor? snapshot;
    private long generation;

    internal ModelCurvature(CurvatureKind kind, Module model, ILoss loss, IReadOnlyList<Penalty> penalties, CurvatureData data,
        CurvatureOptions options, ProductCounter counter)
    {
        Kind = kind;
        Model = model;
        Loss = loss;
        Penalties = penalties;
        Data = data;
        Options = options;
        Counter = counter;
        if (options.FisherSamples < 1) throw new ConfigurationException($"Fisher samples must be at least 1, got {options.FisherSamples}.");
        var flat = model.Flat;
        Flat = flat;
        slotIndex = Enumerable.Range(0, flat.Slots.Count).Where(i => flat.Slots[i].Parameter.RequiresGrad).ToArray();
        slots = slotIndex.Select(i => flat.Slots[i]).ToArray();
        trainable = slots.Select(s => s.Parameter).ToArray();
        var (_, t, _) = data.Chunk(0);
        if (kind is CurvatureKind.Fisher or CurvatureKind.SampledFisher && !OutputCurvature.IsLikelihood(loss, t))
            throw new ConfigurationException($"The {kind.Name()} curvature needs a loss that is a negative log-likelihood in the network's outputs (cross_entropy with class labels, mse or bce_logits); '{loss.Name}' is not. Use ggn or hessian.");
    }

    /// <inheritdoc />
    public CurvatureKind Kind { get; }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The model's flat parameters (the vector space of the products).</summary>
    public FlatParameters Flat { get; }

    /// <summary>The per-example loss.</summary>
    public ILoss Loss { get; }

    /// <summary>The penalties whose Hessian is added (when <see cref="CurvatureOptions.IncludePenalties"/>).</summary>
    public IReadOnlyList<Penalty> Penalties { get; }

    /// <summary>The examples.</summary>
    public CurvatureData Data { get; }

    /// <summary>The options.</summary>
    public CurvatureOptions Options { get; }

    /// <inheritdoc />
    public int Dimension => Flat.Count;

    /// <inheritdoc />
    public long Products { get; private set; }

    /// <inheritdoc />
    public ProductCounter Counter { get; }

    /// <summary>Forgets the kept graphs (they are rebuilt on the next product).</summary>
    public void Invalidate() => kept = null;

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        if (v.Length != Dimension || result.Length != Dimension)
            throw new ShapeException($"Curvature product: vectors of length {v.Length} and {result.Length} for {Dimension} parameters.");
        Products++;
        Counter.Add(Kind);
        Counter.AddChunkPasses(Data.ChunkCount);
        TrackParameters();
        bool keep = Data.Count <= Options.CachedExamples;
        if (keep && (kept is null || !ReferenceEquals(keptScope, TensorScope.Current)))
        {
            kept = new ChunkGraph?[Data.ChunkCount];
            keptScope = TensorScope.Current;
        }
        if (keep)
            for (int c = 0; c < kept!.Length; c++) kept[c] ??= Build(c);
        result.Clear();
        using var scope = TensorScope.Begin();
        var vt = Tensor.Empty(new Shape(Dimension), Flat.DType);
        Write(v, vt);
        var parts = Flat.Split(vt);
        var vs = slotIndex.Select(i => parts[i]).ToArray();
        for (int c = 0; c < Data.ChunkCount; c++)
        {
            var graph = keep ? kept![c]! : Build(c);
            Accumulate(ChunkProduct(graph, vs), (double)graph.Count / Data.Count, result);
        }
        if (Options.IncludePenalties && Penalties.Count > 0) Accumulate(PenaltyProduct(vs), 1, result);
    }

    /// <summary>Drops kept graphs when the parameters changed since they were recorded.</summary>
    private void TrackParameters()
    {
        var values = Flat.Values;
        if (snapshot is not null && Same(snapshot, values)) return;
        snapshot = values.CloneUnscoped();
        generation++;
        kept = null;
    }

    private static bool Same(Tensor a, Tensor b) => a.DType == DType.Float32
        ? a.Floats.SequenceEqual(b.Floats)
        : a.Doubles.SequenceEqual(b.Doubles);

    private ChunkGraph Build(int chunk)
    {
        var (x, t, n) = Data.Chunk(chunk);
        // Float data for a float64 model (analysis in double precision): convert the inputs, like the losses do the targets.
        if (x.DType != Flat.DType) x = x.To(Flat.DType);
        var g = new ChunkGraph(Kind, Model, Loss, trainable, x, t, n);
        if (Kind is CurvatureKind.EmpiricalFisher or CurvatureKind.SampledFisher) g.ExampleGradients = ExampleGradients(g, chunk);
        return g;
    }

    private Tensor[] ChunkProduct(ChunkGraph g, Tensor[] v)
    {
        switch (Kind)
        {
            case CurvatureKind.Hessian:
                return g.Hessian(v);
            case CurvatureKind.GaussNewton:
            case CurvatureKind.Fisher:
                return g.JacobianTransposeTimes(g.Output.HessianTimes(g.JacobianTimes(v)));
            default:
                var jv = g.JacobianTimes(v);
                var rs = g.ExampleGradients;
                using (Autodiff.NoGrad())
                {
                    Tensor? s = null;
                    foreach (var r in rs)
                    {
                        var rowDot = (r * jv).Reshape(g.Count, -1).Sum(1, keepDim: true);
                        var term = (r.Reshape(g.Count, -1) * rowDot).Reshape(jv.Shape.ToArray());
                        s = s is null ? term : s + term;
                    }
                    return g.JacobianTransposeTimes(s! * (1.0 / (g.Count * rs.Length)));
                }
        }
    }

    /// <summary>The output gradients rₙ of the Fisher kinds: at the true labels (empirical) or at labels drawn
    /// from the model, from a stream fixed by (seed, parameter generation, chunk, draw) so every product at the
    /// same θ sees the same labels.</summary>
    private Tensor[] ExampleGradients(ChunkGraph g, int chunk)
    {
        if (Kind == CurvatureKind.EmpiricalFisher) return [g.Output.ExampleGradients(g.Targets)];
        var rs = new Tensor[Options.FisherSamples];
        for (int s = 0; s < rs.Length; s++)
        {
            var rng = Rng.Stream(Options.Seed, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"fisher-labels.{generation}.{chunk}.{s}"));
            rs[s] = g.Output.ExampleGradients(g.Output.SampleLabels(rng));
        }
        return rs;
    }

    private Tensor[] PenaltyProduct(Tensor[] v)
    {
        using var _ = Autodiff.EnableGrad();
        Tensor? total = null;
        foreach (var p in Penalties)
        {
            var term = p.Compute(Model);
            total = total is null ? term : total + term;
        }
        if (total is null || !total.RequiresGrad) return trainable.Select(p => Tensor.Zeros(p.Shape, p.DType)).ToArray();
        return Derivatives.Hvp(total, trainable, v);
    }

    private void Accumulate(Tensor[] parts, double weight, Span<double> result)
    {
        for (int i = 0; i < slots.Length; i++)
        {
            var dst = result.Slice(slots[i].Offset, slots[i].Length);
            var p = parts[i];
            if (p.DType == DType.Float64)
            {
                var src = p.Doubles;
                for (int j = 0; j < dst.Length; j++) dst[j] += weight * src[j];
            }
            else
            {
                var src = p.Floats;
                for (int j = 0; j < dst.Length; j++) dst[j] += weight * src[j];
            }
        }
    }

    private static void Write(ReadOnlySpan<double> v, Tensor t)
    {
        if (t.DType == DType.Float64) { v.CopyTo(t.Doubles); return; }
        var f = t.Floats;
        for (int i = 0; i < f.Length; i++) f[i] = (float)v[i];
    }
}

using System.Globalization;
using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim.LineSearch;
using Descent.Tensors;

namespace Descent.Optim.SecondOrder;

/// <summary>
/// K-FAC, Kronecker-factored approximate curvature (Martens &amp; Grosse 2015; for convolutions Grosse &amp;
/// Martens 2016): a natural-gradient method whose Fisher is block-diagonal over the <see cref="Linear"/> and
/// <see cref="Conv2d"/> layers with each block A ⊗ G (see <see cref="KfacLayer"/>), so its inverse is two small
/// inverses per layer. Every <c>cov_every</c> steps one extra forward and backward pass on the batch — with
/// labels sampled from the model's own predictive distribution (<c>fisher=sampled</c>, the true Fisher) or the
/// true labels (<c>fisher=empirical</c>) — updates the moving averages of A and G (decay <c>stat_decay</c>);
/// every <c>inverse_every</c> steps the damped factors are inverted. The step is momentum on the preconditioned
/// gradient U, scaled so the predicted KL change lr²·Uᵀg stays below <c>kl_clip</c> (Ba, Grosse &amp; Martens
/// 2017): ν = min(1, √(kl_clip / (lr²·Uᵀg))), v ← μv + νU, θ ← θ − lr·v. Other parameters (biases of other
/// layers, normalization scales) get the plain gradient. Needs a model objective (<c>descent train</c>).
/// Defaults lr = 0.1, μ = 0.5 were chosen on fmnist_mlp (batch 500: μ = 0.9 reached 0.84 test accuracy after
/// 60 steps on 10,000 examples, μ = 0.5 reached 0.86); the other defaults follow the papers.
/// </summary>
public sealed class Kfac : SearchMethod
{
    private KfacLayer[] layers = [];
    private Tensor? update, velocity;
    private bool inverted;

    /// <summary>The description and keys.</summary>
    public static OptimizerInfo Definition { get; } = new("kfac",
        "K-FAC: natural gradient with a Kronecker-factored Fisher per Linear/Conv2d layer",
        "A = E[aaᵀ], G = E[ggᵀ] per layer (moving averages, sampled labels); U = (G + γ'I)⁻¹ ∇W (A + γ''I)⁻¹;\nν = min(1, √(kl_clip/(lr²Uᵀg))); v ← μv + νU; θ ← θ − lr·v",
        "Martens & Grosse 2015; Grosse & Martens 2016; Ba, Grosse & Martens 2017",
        [
            Hp.Lr(0.1),
            Hp.Beta("momentum", 0.5, "momentum μ on the preconditioned gradient"),
            Hp.Positive("damping", 1e-3, "Tikhonov damping γ, split between the factors by π"),
            Hp.Beta("stat_decay", 0.95, "moving-average decay of the factors"),
            Hp.Integer("cov_every", 10, "steps between factor updates (one extra forward/backward pass each)", min: 1),
            Hp.Integer("inverse_every", 100, "steps between inversions of the damped factors", min: 1),
            Hp.NonNegative("kl_clip", 1e-3, "bound on the predicted KL change lr²·Uᵀg per step (0: off)"),
            Hp.Choice("fisher", "sampled", "labels of the statistics pass: sampled from the model (true Fisher) or the true ones (empirical)", "sampled", "empirical"),
            Hp.Integer("seed", 0, "seed of the sampled labels"),
        ]);

    /// <summary>Creates the method.</summary>
    public Kfac(OptimizerSettings settings) : base(Definition, settings) { }

    /// <summary>The layers K-FAC preconditions (by parameter name of their weight).</summary>
    public IReadOnlyList<string> Layers => layers.Select(l => l.Weight.Name).ToArray();

    /// <summary>The KL-clipping factor ν of the last step.</summary>
    public double LastScale { get; private set; } = double.NaN;

    /// <summary>A copy of a layer's factors A and G (row-major), for tests and analysis.</summary>
    public (double[] A, double[] G) Factors(int layer) => ((double[])layers[layer].A.Clone(), (double[])layers[layer].G.Clone());

    /// <inheritdoc />
    protected override IReadOnlyCollection<string> FixedKeys => ["fisher"];

    /// <inheritdoc />
    protected override void Allocate(FlatParameters parameters)
    {
        var list = new List<KfacLayer>();
        foreach (var group in parameters.Slots.Where(s => s.Parameter.RequiresGrad).GroupBy(s => s.Owner))
        {
            if (group.Key is not (Linear or Conv2d)) continue;
            var weight = group.FirstOrDefault(s => s.Parameter.Kind == ParameterKind.Weight);
            if (weight is null) continue;
            list.Add(new KfacLayer(group.Key, weight, group.FirstOrDefault(s => s.Parameter.Kind == ParameterKind.Bias)));
        }
        if (list.Count == 0)
            throw new ConfigurationException("kfac preconditions Linear and Conv2d layers, and this model has none; use another optimizer.");
        layers = [.. list];
        update = FlatVector.Zeros(parameters.Count, parameters.DType);
        velocity = FlatVector.Zeros(parameters.Count, parameters.DType);
    }

    /// <inheritdoc />
    protected override StepOutcome Iterate(IObjective objective, double value, double gradientNorm)
    {
        if (objective is not Objective model)
            throw new ConfigurationException("kfac needs a network's objective (descent train): its factors come from layer inputs and output gradients; a test function has none — use lbfgs or newton.");
        var flat = Parameters;
        string note = "";
        if (StepCount % Settings.Integer("cov_every") == 0)
        {
            UpdateFactors(model);
            CurvatureWork++;
            note = "factors updated; ";
        }
        if (!inverted || StepCount % Settings.Integer("inverse_every") == 0)
        {
            foreach (var l in layers) l.Invert(Settings.Real("damping"), flat.DType);
            inverted = true;
            note += "factors inverted; ";
        }
        var g = StartGradient;
        update!.CopyFrom(g);
        foreach (var l in layers) l.Precondition(g, update);
        double lr = LearningRate;
        double ug = FlatVector.Dot(update, g);
        double clip = Settings.Real("kl_clip");
        double nu = clip > 0 && ug > 0 && lr > 0 ? Math.Min(1, Math.Sqrt(clip / (lr * lr * ug))) : 1;
        LastScale = nu;
        velocity!.MulInPlace(Settings.Real("momentum"));
        FlatVector.Axpy(nu, update, velocity);
        FlatVector.Axpy(-lr, velocity, flat.Values);
        return StepOutcome.Step($"{note}ν = {nu.ToString("G3", CultureInfo.InvariantCulture)}, lr = {lr.ToString("G3", CultureInfo.InvariantCulture)}", double.NaN, false);
    }

    /// <summary>One forward and backward pass on the batch with the layers captured.</summary>
    private void UpdateFactors(Objective model)
    {
        using var scope = TensorScope.Begin();
        using var grad = Autodiff.EnableGrad();
        using var capture = ActivationCapture.Begin();
        var logits = model.Model.Forward(model.Inputs);
        var targets = Settings["fisher"] == "sampled" ? Sample(model, logits) : model.Targets;
        var loss = model.Loss.Compute(logits, targets);
        var calls = capture.Layers.Where(c => layers.Any(l => ReferenceEquals(l.Layer, c.Layer))).ToArray();
        var outputGrads = Autodiff.Grad(loss, calls.Select(c => c.Output).ToArray());
        int batch = model.Inputs.Shape[0];
        double decay = Settings.Real("stat_decay");
        using var _ = Autodiff.NoGrad();
        foreach (var l in layers)
        {
            int k = Array.FindIndex(calls, c => ReferenceEquals(c.Layer, l.Layer));
            if (k < 0 || outputGrads[k] is not { } og) continue;
            l.Accumulate(calls[k].Input.Detach(), og.Detach(), batch, decay);
        }
    }

    /// <summary>Labels drawn from softmax(logits), from a stream fixed by the seed and the step.</summary>
    private Targets Sample(Objective model, Tensor logits)
    {
        if (model.Loss is not CrossEntropy || logits.Rank != 2)
            throw new ConfigurationException($"kfac: fisher=sampled draws labels for cross_entropy; the loss here is '{model.Loss.Name}' — use --set fisher=empirical.");
        using var _ = Autodiff.NoGrad();
        var p = logits.Detach().Softmax(1).ToDoubleArray();
        int n = logits.Shape[0], c = logits.Shape[1];
        var rng = Rng.Stream((ulong)Settings.Integer("seed"), $"kfac-labels-{StepCount}");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble(), s = 0;
            int k = 0;
            for (; k < c - 1; k++)
            {
                s += p[i * c + k];
                if (u < s) break;
            }
            labels[i] = k;
        }
        return Targets.FromClasses(labels);
    }

    /// <inheritdoc />
    protected override void ExportCore(Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars)
    {
        tensors["kfac.velocity"] = velocity!.CloneUnscoped();
        for (int i = 0; i < layers.Length; i++)
        {
            tensors[$"kfac.{i}.a"] = Tensor.From((double[])layers[i].A.Clone(), layers[i].A.Length);
            tensors[$"kfac.{i}.g"] = Tensor.From((double[])layers[i].G.Clone(), layers[i].G.Length);
            scalars[$"kfac.{i}.updates"] = layers[i].Updates;
            if (!inverted) continue;
            tensors[$"kfac.{i}.a_inverse"] = layers[i].AInverse!.CloneUnscoped();
            tensors[$"kfac.{i}.g_inverse"] = layers[i].GInverse!.CloneUnscoped();
        }
        scalars["kfac.inverted"] = inverted ? 1 : 0;
    }

    /// <inheritdoc />
    protected override void ImportCore(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars)
    {
        Restore(tensors, "kfac.velocity", velocity!);
        inverted = Saved(scalars, "kfac.inverted") != 0;
        for (int i = 0; i < layers.Length; i++)
        {
            var a = Tensor.Zeros(new Shape(layers[i].A.Length), DType.Float64);
            var g = Tensor.Zeros(new Shape(layers[i].G.Length), DType.Float64);
            Restore(tensors, $"kfac.{i}.a", a);
            Restore(tensors, $"kfac.{i}.g", g);
            Tensor? ai = null, gi = null;
            if (inverted)
            {
                ai = Tensor.Zeros(new Shape(layers[i].DimA * layers[i].DimA), Parameters.DType);
                gi = Tensor.Zeros(new Shape(layers[i].Out * layers[i].Out), Parameters.DType);
                Restore(tensors, $"kfac.{i}.a_inverse", ai);
                Restore(tensors, $"kfac.{i}.g_inverse", gi);
            }
            layers[i].Load(a.ToDoubleArray(), g.ToDoubleArray(), ai, gi);
            layers[i].Updates = (int)Saved(scalars, $"kfac.{i}.updates");
        }
    }
}

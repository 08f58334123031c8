using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Tensors;

namespace Descent.Curvature;

/// <summary>
/// The objective f(θ) = mean loss + penalties of a model on <see cref="CurvatureData"/> (one batch or a data set
/// in chunks), read and evaluated at any flat θ: the loss and accuracy along landscape directions, the gradient
/// for the training monitor and critical points. It reads and writes the model's flat parameters, never its
/// gradient buffer, and counts its evaluations.
/// </summary>
public sealed class DatasetObjective
{
    /// <summary>Creates the objective.</summary>
    public DatasetObjective(Module model, ILoss loss, IReadOnlyList<Penalty>? penalties, CurvatureData data)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Penalties = penalties ?? [];
        Data = data ?? throw new ArgumentNullException(nameof(data));
    }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The per-example loss.</summary>
    public ILoss Loss { get; }

    /// <summary>The penalties.</summary>
    public IReadOnlyList<Penalty> Penalties { get; }

    /// <summary>The examples.</summary>
    public CurvatureData Data { get; }

    /// <summary>Evaluations of f so far.</summary>
    public int FunctionEvaluations { get; private set; }

    /// <summary>Evaluations of ∇f so far.</summary>
    public int GradientEvaluations { get; private set; }

    /// <summary>The current flat parameters as doubles.</summary>
    public double[] Parameters
    {
        get => Model.Flat.Values.ToDoubleArray();
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var values = Model.Flat.Values;
            if (value.Length != values.Size) throw new ShapeException($"{value.Length} values for {values.Size} parameters.");
            if (values.DType == DType.Float64) value.AsSpan().CopyTo(values.Doubles);
            else
            {
                var f = values.Floats;
                for (int i = 0; i < f.Length; i++) f[i] = (float)value[i];
            }
        }
    }

    /// <summary>f at the current parameters, with the data term and the accuracy (NaN without class labels).</summary>
    public (double Objective, double Loss, double Accuracy) Evaluate()
    {
        FunctionEvaluations++;
        using var _ = Autodiff.NoGrad();
        double loss = 0;
        int correct = 0;
        bool classes = true;
        for (int c = 0; c < Data.ChunkCount; c++)
        {
            using var scope = TensorScope.Begin();
            var (x, t, n) = Input(c);
            var z = Model.Forward(x);
            loss += Loss.Compute(z, t).Item() * n;
            if (t.Classes is { } y && z.Rank == 2) correct += Metrics.Correct(z, y);
            else classes = false;
        }
        loss /= Data.Count;
        return (loss + PenaltyValue(), loss, classes ? (double)correct / Data.Count : double.NaN);
    }

    /// <summary>∇f at the current parameters (flat, doubles) and f.</summary>
    public double[] Gradient(out double objective)
    {
        GradientEvaluations++;
        FunctionEvaluations++;
        var flat = Model.Flat;
        var slots = flat.Slots.Where(s => s.Parameter.RequiresGrad).ToArray();
        var ps = slots.Select(s => (Tensor)s.Parameter).ToArray();
        var g = new double[flat.Count];
        double value = 0;
        using var _ = Autodiff.EnableGrad();
        for (int c = 0; c < Data.ChunkCount; c++)
        {
            using var scope = TensorScope.Begin();
            var (x, t, n) = Input(c);
            var l = Loss.Compute(Model.Forward(x), t);
            value += l.Item() * n;
            Add(Autodiff.Grad(l, ps), slots, (double)n / Data.Count, g);
        }
        value /= Data.Count;
        if (Penalties.Count > 0)
        {
            using var scope = TensorScope.Begin();
            Tensor total = Penalties[0].Compute(Model);
            for (int i = 1; i < Penalties.Count; i++) total = total + Penalties[i].Compute(Model);
            value += total.Item();
            if (total.RequiresGrad) Add(Autodiff.Grad(total, ps), slots, 1, g);
        }
        objective = value;
        return g;
    }

    private (Tensor X, Targets T, int N) Input(int chunk)
    {
        var (x, t, n) = Data.Chunk(chunk);
        return (x.DType == Model.Flat.DType ? x : x.To(Model.Flat.DType), t, n);
    }

    private double PenaltyValue()
    {
        double p = 0;
        using var scope = TensorScope.Begin();
        foreach (var pen in Penalties) p += pen.Compute(Model).Item();
        return p;
    }

    private static void Add(Tensor?[] grads, ParameterSlot[] slots, double weight, double[] g)
    {
        for (int i = 0; i < slots.Length; i++)
        {
            if (grads[i] is not { } gi) continue;
            var src = gi.ToDoubleArray();
            int o = slots[i].Offset;
            for (int j = 0; j < src.Length; j++) g[o + j] += weight * src[j];
        }
    }
}

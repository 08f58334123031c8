using System.Globalization;
using Descent.Curvature;

namespace Descent.Training;

/// <summary>
/// The training monitor of the course (Goodfellow et al. 2016, §8.2.1): every <see cref="Every"/> steps it
/// measures, on a fixed monitoring set of training examples and at the current weights, the gradient g, the
/// squared norm gᵀg, the curvature along the gradient gᵀHg (one Hessian-vector product), the change of the loss
/// the second-order Taylor model predicts for a gradient step of the current rate ε,
/// <c>½ε²gᵀHg − εgᵀg</c>, the change actually observed f(θ − εg) − f(θ), and the sharpness λ_max (a short
/// Lanczos run) against the stability threshold 2/ε of gradient descent. When the curvature term overtakes
/// the gradient term, a step of that size no longer decreases the loss. Rows go to <c>curvature.csv</c>.
/// <para>The probe leaves training untouched: the weights are put back bit for bit, the model runs in evaluation
/// mode (no dropout draws, no batch-norm updates) and the optimizer and its objective are not used, so a run
/// with the monitor follows the same trajectory as one without. As with <c>steps.csv</c>, rows after a resumed
/// run's checkpoint are dropped.</para>
/// </summary>
public sealed class CurvatureMonitor : ITrainingCallback, IDisposable
{
    /// <summary>The file name in a run directory.</summary>
    public const string FileName = "curvature.csv";

    /// <summary>The header line.</summary>
    public const string Header = "step,epoch,lr,loss,grad_norm_sq,gHg,predicted_change,observed_change,sharpness,two_over_lr,products";

    private StreamWriter? writer;
    private CurvatureData? data;
    private readonly List<CurvatureRow> rows = [];

    /// <summary>Measures every <paramref name="every"/> steps on the first <paramref name="examples"/> training
    /// examples; the sharpness takes at most <paramref name="lanczosSteps"/> products (0: not measured).</summary>
    /// <exception cref="ConfigurationException">An argument is out of range.</exception>
    public CurvatureMonitor(int every, int examples = 512, int lanczosSteps = 20)
    {
        if (every < 1) throw new ConfigurationException($"The curvature monitor's interval must be at least 1 step, got {every}.");
        if (examples < 1) throw new ConfigurationException($"The curvature monitor needs at least 1 example, got {examples}.");
        if (lanczosSteps < 0) throw new ConfigurationException($"The curvature monitor's Lanczos steps must be ≥ 0, got {lanczosSteps}.");
        Every = every;
        Examples = examples;
        LanczosSteps = lanczosSteps;
    }

    /// <summary>Steps between measurements.</summary>
    public int Every { get; }

    /// <summary>Training examples in the monitoring set.</summary>
    public int Examples { get; }

    /// <summary>Most Lanczos steps for the sharpness.</summary>
    public int LanczosSteps { get; }

    /// <summary>The measurements of this process, in order.</summary>
    public IReadOnlyList<CurvatureRow> Rows => rows;

    /// <inheritdoc />
    public string Name => "curvature_monitor";

    /// <inheritdoc />
    public void OnTrainBegin(TrainingContext context)
    {
        data = CurvatureData.FromDataset(context.Data.Train, Examples, chunkSize: Math.Min(Examples, 1000));
        if (context.RunDirectory is not { } dir) return;
        writer?.Dispose();
        writer = StepLogFile.Open(Path.Combine(dir, FileName), Header, context.GlobalStep);
    }

    /// <inheritdoc />
    public CallbackAction OnStepEnd(TrainingContext context, in StepInfo step)
    {
        if (step.GlobalStep % Every != 0 || data is null) return CallbackAction.Continue;
        var row = Measure(context, step, data);
        rows.Add(row);
        writer?.WriteLine(row.ToCsv());
        return CallbackAction.Continue;
    }

    private CurvatureRow Measure(TrainingContext context, in StepInfo step, CurvatureData monitorData)
    {
        var model = context.Model;
        var objective = context.Parts.Objective;
        bool wasTraining = model.Training;
        var saved = model.Flat.Values.CloneUnscoped();
        model.Eval();
        try
        {
            var f = new DatasetObjective(model, objective.Loss, objective.Penalties, monitorData);
            var theta = f.Parameters;
            var g = f.Gradient(out double loss);
            var counter = new ProductCounter();
            var h = CurvatureOperator.Create(CurvatureKind.Hessian, model, objective.Loss, monitorData, objective.Penalties, counter: counter);
            double gg = g.Sum(x => x * x);
            double ghg = h.Quadratic(g);
            double eps = step.Result.LearningRate;
            double predicted = 0.5 * eps * eps * ghg - eps * gg;
            var moved = new double[theta.Length];
            for (int i = 0; i < moved.Length; i++) moved[i] = theta[i] - eps * g[i];
            f.Parameters = moved;
            double observed = f.Evaluate().Objective - loss;
            using (Autograd.Autodiff.NoGrad()) model.Flat.Values.CopyFrom(saved);
            double sharpness = double.NaN;
            if (LanczosSteps > 0)
                sharpness = Lanczos.Eigenvalues(h, new EigenOptions { Top = 1, Tolerance = 1e-2, MaxIterations = LanczosSteps }).Largest[0].Value;
            return new CurvatureRow(step.GlobalStep, step.Epoch + 1, eps, loss, gg, ghg, predicted, observed, sharpness, 2 / eps, counter.Total);
        }
        finally
        {
            using (Autograd.Autodiff.NoGrad()) model.Flat.Values.CopyFrom(saved);
            model.Train(wasTraining);
        }
    }

    /// <inheritdoc />
    public CallbackAction OnEpochEnd(TrainingContext context, EpochMetrics metrics)
    {
        writer?.Flush();
        return CallbackAction.Continue;
    }

    /// <summary>Flushes the rows written so far (called when a checkpoint is taken).</summary>
    public CallbackState? ExportState()
    {
        writer?.Flush();
        return null;
    }

    /// <inheritdoc />
    public void OnTrainEnd(TrainingContext context) => writer?.Flush();

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        writer?.Dispose();
        writer = null;
    }
}

/// <summary>One measurement of the <see cref="CurvatureMonitor"/>.</summary>
/// <param name="Step">The global step after which it was taken.</param>
/// <param name="Epoch">The epoch (1-based).</param>
/// <param name="LearningRate">The step size ε of that step.</param>
/// <param name="Loss">f(θ) on the monitoring set (mean loss + penalties).</param>
/// <param name="GradNormSquared">gᵀg.</param>
/// <param name="Ghg">gᵀHg.</param>
/// <param name="PredictedChange">½ε²gᵀHg − εgᵀg.</param>
/// <param name="ObservedChange">f(θ − εg) − f(θ).</param>
/// <param name="Sharpness">The largest Hessian eigenvalue (NaN when not measured).</param>
/// <param name="TwoOverLr">2/ε, the largest curvature a gradient step of size ε stays stable on.</param>
/// <param name="Products">Hessian-vector products the measurement took.</param>
public sealed record CurvatureRow(long Step, int Epoch, double LearningRate, double Loss, double GradNormSquared, double Ghg,
    double PredictedChange, double ObservedChange, double Sharpness, double TwoOverLr, long Products)
{
    /// <summary>The row in <see cref="CurvatureMonitor.Header"/>'s order.</summary>
    public string ToCsv() => string.Join(',', new[]
    {
        Step.ToString(CultureInfo.InvariantCulture), Epoch.ToString(CultureInfo.InvariantCulture), MetricsCsv.Number(LearningRate),
        MetricsCsv.Number(Loss), MetricsCsv.Number(GradNormSquared), MetricsCsv.Number(Ghg), MetricsCsv.Number(PredictedChange),
        MetricsCsv.Number(ObservedChange), MetricsCsv.Number(Sharpness), MetricsCsv.Number(TwoOverLr), Products.ToString(CultureInfo.InvariantCulture),
    });
}

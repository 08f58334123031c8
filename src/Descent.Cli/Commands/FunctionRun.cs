using System.Globalization;
using System.Text;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Optim.SecondOrder;
using Descent.Problems.Functions;

namespace Descent.Cli.Commands;

/// <summary>An optimizer on a test function: the loop behind <c>descent optimize</c>.</summary>
public sealed class FunctionRun
{
    /// <summary>What to run.</summary>
    /// <param name="Function">Function spec, e.g. <c>quadratic:kappa=100</c>.</param>
    /// <param name="Dimension">Number of variables, or null.</param>
    /// <param name="Optimizer">Optimizer name.</param>
    /// <param name="Settings">Optimizer settings.</param>
    /// <param name="Start">Start point, or null for the function's usual one.</param>
    /// <param name="Steps">Optimizer steps.</param>
    /// <param name="Noise">Gradient-noise standard deviation.</param>
    /// <param name="Seed">Seed of the noise.</param>
    /// <param name="Schedule">Schedule text, or null.</param>
    /// <param name="GradientTolerance">Stop once ‖∇f(x)‖₂ ≤ this at an iterate (0: never).</param>
    public sealed record Request(string Function, int? Dimension, string Optimizer, IReadOnlyDictionary<string, string> Settings,
        double[]? Start, int Steps, double Noise, ulong Seed, string? Schedule, double GradientTolerance = 0);

    /// <summary>The path and what the run did.</summary>
    /// <param name="Points">Iterates x₀ … x_N.</param>
    /// <param name="Values">f at each iterate.</param>
    /// <param name="GradientNorms">‖∇f‖ (exact, without noise) at each iterate.</param>
    /// <param name="Steps">Steps taken.</param>
    /// <param name="SkippedSteps">Steps skipped for non-finite values.</param>
    /// <param name="FunctionEvaluations">Objective evaluations by the optimizer.</param>
    /// <param name="GradientEvaluations">Gradient evaluations by the optimizer.</param>
    /// <param name="NearestMinimizerDistance">Distance from the end to the nearest known minimizer.</param>
    /// <param name="Summary">What the run did, as SciPy reports it (status, message, nit, nfev, njev, nhev, final ‖∇f‖).</param>
    /// <param name="Halt">Why the run stopped early (a non-finite gradient with <c>nonfinite=halt</c>), or null.</param>
    public sealed record Result(IReadOnlyList<double[]> Points, IReadOnlyList<double> Values, IReadOnlyList<double> GradientNorms,
        int Steps, long SkippedSteps, int FunctionEvaluations, int GradientEvaluations, double NearestMinimizerDistance,
        SearchResult Summary, NonFiniteException? Halt = null)
    {
        /// <summary>The last iterate.</summary>
        public double[] Final => Points[^1];

        /// <summary>f at the last iterate.</summary>
        public double FinalValue => Values[^1];

        /// <summary>A one-line summary.</summary>
        public string Describe() => Summary.Format() + string.Create(CultureInfo.InvariantCulture,
            $"{SkippedSteps} steps skipped; {(double.IsNaN(NearestMinimizerDistance) ? "no known minimizer" : "nearest known minimizer at distance " + Numbers.Short(NearestMinimizerDistance))}; f(x0) = {Numbers.Short(Values[0])}");
    }

    private readonly Request request;
    private readonly FunctionObjective objective;

    private FunctionRun(Request request, TestFunction function, FunctionObjective objective, Optimizer optimizer)
    {
        this.request = request;
        Function = function;
        this.objective = objective;
        Optimizer = optimizer;
    }

    /// <summary>The function.</summary>
    public TestFunction Function { get; }

    /// <summary>The optimizer, bound to the point x.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Checks the request and builds the function, objective and optimizer.</summary>
    /// <exception cref="ConfigurationException">Unknown names, bad settings, a non-positive step count, or a plot of a function that is not 2-D.</exception>
    /// <exception cref="ShapeException">The start point has the wrong length.</exception>
    public static FunctionRun Prepare(Request r, bool needsPlot = false)
    {
        if (r.Steps < 0) throw new ConfigurationException($"--steps must be ≥ 0, got {r.Steps}.");
        if (!(r.GradientTolerance >= 0) || double.IsInfinity(r.GradientTolerance))
            throw new ConfigurationException($"--gtol must be a number ≥ 0, got {r.GradientTolerance}.");
        if (r.Dimension is int d && d < 1) throw new ConfigurationException($"--dim must be at least 1, got {d}.");
        if (r.Dimension is int dd && r.Start is { } s0 && s0.Length != dd)
            throw new ShapeException($"--start has {s0.Length} values but --dim is {dd}; give one value per variable.");
        var optimizer = OptimizerFactory.Create(r.Optimizer, r.Settings);
        var function = TestFunctions.Create(r.Function, r.Dimension ?? r.Start?.Length);
        var start = r.Start ?? function.DefaultStart;
        if (start.Length != function.Dimension)
            throw new ShapeException($"--start has {start.Length} values but {function.Name} has {function.Dimension} variables; give one value per variable.");
        if (needsPlot && function.Dimension != 2)
            throw new ConfigurationException($"--plot draws 2-D functions; {function.Name} has {function.Dimension} variables here.");
        if (r.Schedule is not null)
        {
            optimizer.Schedule = Schedule.Parse(r.Schedule);
            if (optimizer.Schedule.Spec.Contains("plateau", StringComparison.Ordinal) && optimizer.Schedule.Spec.Contains("mode=max", StringComparison.Ordinal))
                throw new ConfigurationException($"--schedule {r.Schedule}: optimize feeds the plateau schedule f(x) after every step, which is minimized; use mode=min (the default).");
        }
        var objective = new FunctionObjective(function, start, r.Noise, r.Seed);
        optimizer.Init(objective.Parameters);
        if (optimizer is SearchMethod method) method.FixedObjective = true;   // one function: steps share evaluations
        return new FunctionRun(r, function, objective, optimizer);
    }

    /// <summary>Takes up to <see cref="Request.Steps"/> steps and records the path, stopping early once the exact
    /// ‖∇f(x)‖₂ at an iterate is at most <see cref="Request.GradientTolerance"/> (status 0), or when a search method
    /// finds no acceptable step (status 2). A non-finite gradient with <c>nonfinite=halt</c> ends the run early:
    /// the path up to the last finite point is returned with <see cref="Result.Halt"/> set (status 3).</summary>
    public Result Execute()
    {
        var points = new List<double[]>();
        var values = new List<double>();
        var norms = new List<double>();
        void Record()
        {
            var x = objective.X;
            var g = new double[x.Length];
            Function.Gradient(x, g);
            points.Add(x);
            values.Add(Function.Value(x));
            norms.Add(Math.Sqrt(g.Sum(v => v * v)));
        }
        Record();
        // Reduce-on-plateau is fed f(x) after every step, so its patience counts steps.
        bool plateau = Optimizer.Schedule.Spec.Contains("plateau", StringComparison.Ordinal);
        NonFiniteException? halt = null;
        double gtol = request.GradientTolerance;
        var status = SearchStatus.MaxIterations;
        string message = $"Maximum number of iterations ({request.Steps}) has been exceeded.";
        for (int k = 0; ; k++)
        {
            if (gtol > 0 && norms[^1] <= gtol)
            {
                status = SearchStatus.Converged;
                message = $"Optimization terminated successfully: ‖∇f‖ = {Numbers.Short(norms[^1])} ≤ gtol = {Numbers.Short(gtol)}.";
                break;
            }
            if (k >= request.Steps) break;
            try
            {
                Optimizer.Step(objective);
                Record();
                if (plateau) Optimizer.Schedule.Report(values[^1]);
            }
            catch (NonFiniteException e)
            {
                halt = e;
                status = SearchStatus.NonFinite;
                message = e.Message;
                break;
            }
            if (Optimizer is SearchMethod { LastStep.Status: SearchStatus.LineSearchFailed } m)
            {
                status = SearchStatus.LineSearchFailed;
                message = $"Desired error not necessarily achieved due to precision loss: {m.LastStep.Message}.";
                break;
            }
        }
        var end = points[^1];
        double nearest = Function.Minimizers.Count == 0 ? double.NaN
            : Function.Minimizers.Min(m => Math.Sqrt(m.Zip(end, (a, b) => (a - b) * (a - b)).Sum()));
        long extra = Optimizer is SearchMethod sm ? sm.UncountedCurvatureWork : 0;
        var summary = new SearchResult(status, message, points.Count - 1, objective.FunctionEvaluations, objective.GradientEvaluations,
            objective.HessianVectorProducts + (int)extra, values[^1], norms[^1]);
        return new Result(points, values, norms, points.Count - 1, Optimizer.SkippedSteps,
            objective.FunctionEvaluations, objective.GradientEvaluations, nearest, summary, halt);
    }

    /// <summary>The runs' results as a JSON document (for <c>--json</c>): per optimizer its final point and value and
    /// what it did.</summary>
    public static string Json(IReadOnlyList<FunctionRun> runs, IReadOnlyList<Result> results)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
        {
            static void N(System.Text.Json.Utf8JsonWriter w, string name, double x) { if (double.IsFinite(x)) w.WriteNumber(name, x); else w.WriteNull(name); }
            w.WriteStartObject();
            w.WriteString("function", runs[0].Function.Name);
            w.WriteStartArray("runs");
            for (int i = 0; i < runs.Count; i++)
            {
                var r = results[i];
                w.WriteStartObject();
                w.WriteString("optimizer", runs[i].Optimizer.Name);
                w.WriteStartArray("x");
                foreach (var v in r.Final) { if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
                w.WriteEndArray();
                N(w, "f", r.FinalValue);
                N(w, "grad_norm", r.GradientNorms[^1]);
                w.WriteNumber("steps", r.Steps);
                w.WriteNumber("skipped_steps", r.SkippedSteps);
                w.WriteNumber("function_evaluations", r.FunctionEvaluations);
                w.WriteNumber("gradient_evaluations", r.GradientEvaluations);
                N(w, "nearest_minimizer_distance", r.NearestMinimizerDistance);
                w.WriteString("halted", r.Halt?.Message);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Writes the trace CSV (<c>step,loss,grad_norm,x0,x1,…</c>; row 0 is the start point).</summary>
    public static void WriteTrace(string path, Result result)
    {
        int n = result.Points[0].Length;
        var sb = new StringBuilder("step,loss,grad_norm");
        for (int i = 0; i < n; i++) sb.Append(",x").Append(i.ToString(CultureInfo.InvariantCulture));
        sb.Append('\n');
        for (int k = 0; k < result.Points.Count; k++)
        {
            sb.Append(k.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Numbers.Exact(result.Values[k]))
              .Append(',').Append(Numbers.Exact(result.GradientNorms[k]));
            foreach (var x in result.Points[k]) sb.Append(',').Append(Numbers.Exact(x));
            sb.Append('\n');
        }
        OutputFile.Write(path, sb.ToString());
    }
}

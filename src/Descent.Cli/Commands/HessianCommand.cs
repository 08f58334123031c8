using System.CommandLine;
using System.Globalization;
using Descent.Curvature;

namespace Descent.Cli.Commands;

/// <summary>
/// <c>descent hessian --problem P [--checkpoint FILE|init]... [--top K] [--bottom K] [--trace] [--density] --out DIR</c>:
/// the curvature spectrum of a problem's model at its initialization or at checkpoints — the extreme eigenvalues by
/// Lanczos (optionally next to power iteration), the trace by Hutchinson, the spectral density by stochastic Lanczos
/// quadrature, per-layer spectra, the classification of the point, pruning by optimal brain damage — with every
/// product counted; writes <c>hessian.json</c>, CSV files and SVG figures (see <see cref="HessianFiles"/>).
/// </summary>
public static class HessianCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CommandContext context)
    {
        var checkpoint = new Option<string[]>("--checkpoint") { Description = "model.safetensors or checkpoint.safetensors of a run, or 'init' for the initialization; repeatable (default: init)", AllowMultipleArgumentsPerToken = false };
        var top = new Option<int>("--top") { Description = "number of largest eigenvalues", DefaultValueFactory = _ => 10 };
        var bottom = new Option<int>("--bottom") { Description = "number of smallest eigenvalues", DefaultValueFactory = _ => 0 };
        var trace = new Option<bool>("--trace") { Description = "estimate the trace by Hutchinson's method with a 95% interval" };
        var probes = new Option<int>("--probes") { Description = "Hutchinson probes for --trace", DefaultValueFactory = _ => 100 };
        var density = new Option<bool>("--density") { Description = "estimate the spectral density by stochastic Lanczos quadrature" };
        var densityProbes = new Option<int>("--density-probes") { Description = "random probes for --density", DefaultValueFactory = _ => 4 };
        var densitySteps = new Option<int>("--density-steps") { Description = "Lanczos steps per --density probe", DefaultValueFactory = _ => 60 };
        var power = new Option<bool>("--power") { Description = "also find the top eigenvalue by power iteration and print both product counts" };
        var blocks = new Option<bool>("--blocks") { Description = "spectra of each layer's diagonal block (block-diagonal approximation)" };
        var classify = new Option<bool>("--classify") { Description = "classify the point: gradient norm and the Hessian's signs (minimum, maximum, saddle)" };
        var prune = new Option<double?>("--prune") { Description = "prune this share of the weights by optimal brain damage (saliency ½Hᵢᵢwᵢ²) and report test accuracy before and after" };
        var curvature = new Option<string>("--curvature") { Description = "hessian, ggn, fisher, fisher-sampled or fisher-empirical", DefaultValueFactory = _ => "hessian" };
        var tol = new Option<double>("--tol") { Description = "stop when every relative residual ‖Hv − λv‖/|λ| is below this", DefaultValueFactory = _ => 1e-3 };
        var maxIter = new Option<int>("--max-iter") { Description = "Lanczos iterations at most (power iteration: ten times as many)", DefaultValueFactory = _ => 300 };
        var common = new AnalysisOptions("directory for hessian.json, eigenvalues.csv, density.csv and the SVG figures",
            "training examples the curvature is measured on (the first N)", "seed of the initialization ('init') and of the random vectors");
        var cmd = new Command("hessian", "Curvature spectrum of a problem's model at its initialization or at checkpoints: extreme eigenvalues (Lanczos), trace (Hutchinson), spectral density (stochastic Lanczos quadrature), per-layer spectra, critical points, pruning.");
        cmd.Options.Add(common.Problem);
        foreach (var o in new Option[] { checkpoint, top, bottom, trace, probes, density, densityProbes, densitySteps, power, blocks, classify, prune, curvature, tol, maxIter })
            cmd.Options.Add(o);
        common.AddTo(cmd);

        cmd.SetAction(pr =>
        {
            var (p, dt) = common.Resolve(pr);
            var s = new HessianSettings
            {
                Kind = CurvatureKinds.Parse(pr.GetValue(curvature)!),
                Samples = pr.GetValue(common.Samples),
                Chunk = pr.GetValue(common.Chunk),
                Top = pr.GetValue(top),
                Bottom = pr.GetValue(bottom),
                Tolerance = pr.GetValue(tol),
                MaxIterations = pr.GetValue(maxIter),
                Power = pr.GetValue(power),
                TraceProbes = pr.GetValue(trace) ? pr.GetValue(probes) : 0,
                DensityProbes = pr.GetValue(density) ? pr.GetValue(densityProbes) : 0,
                DensitySteps = pr.GetValue(densitySteps),
                Blocks = pr.GetValue(blocks),
                Classify = pr.GetValue(classify),
                Prune = pr.GetValue(prune),
                Seed = pr.GetValue(common.Seed),
            };
            Validate(s, pr.GetValue(trace), pr.GetValue(density));
            var checkpoints = pr.GetValue(checkpoint) is { Length: > 0 } cs ? cs : [AnalysisSetup.Init];
            // Check every checkpoint before the long work starts.
            var models = checkpoints.Select(c => AnalysisSetup.Load(p, c, s.Seed, dt)).ToList();
            var o = context.Output;
            var data = AnalysisSetup.Data(p, pr.GetValue(common.DataDir), o);
            int n = models[0].Model.ParameterCount;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Name}: {n:N0} parameters ({AnalysisSetup.Name(dt)}); the {s.Kind.Title()} on the first {Math.Min(s.Samples, data.Train.Count):N0} training examples{(Math.Min(s.Samples, data.Train.Count) > s.Chunk ? $" in chunks of {s.Chunk:N0}" : "")}"));
            var console = new AnalysisConsole(o, context.Interactive);
            var results = new List<HessianAnalysis>();
            foreach (var m in models)
            {
                var r = HessianAnalysis.Run(p, m, data, s, console);
                console.Clear();
                Print(o, r);
                results.Add(r);
            }
            string dir = pr.GetValue(common.Out)!;
            var files = HessianFiles.Write(dir, p.Name, AnalysisSetup.Name(dt), s, results);
            o.WriteLine($"wrote {Path.Combine(dir, files[0])}{string.Concat(files.Skip(1).Select(f => ", " + f))}");
            return CliErrors.Ok;
        });
        return cmd;
    }

    private static void Validate(HessianSettings s, bool trace, bool density)
    {
        if (s.Top < 0 || s.Bottom < 0 || s.Top + s.Bottom < 1) throw new ConfigurationException($"--top and --bottom must be ≥ 0 with at least one eigenvalue asked for, got --top {s.Top} --bottom {s.Bottom}.");
        if (!(s.Tolerance > 0 && s.Tolerance < 1)) throw new ConfigurationException($"--tol must lie in (0, 1), got {s.Tolerance}.");
        if (s.MaxIterations < 1) throw new ConfigurationException($"--max-iter must be at least 1, got {s.MaxIterations}.");
        if (trace && s.TraceProbes < 2) throw new ConfigurationException($"--probes must be at least 2 for an interval, got {s.TraceProbes}.");
        if (density && (s.DensityProbes < 1 || s.DensitySteps < 2))
            throw new ConfigurationException($"--density-probes must be ≥ 1 and --density-steps ≥ 2, got {s.DensityProbes} and {s.DensitySteps}.");
        if (s.Prune is double f && !(f > 0 && f < 1)) throw new ConfigurationException($"--prune must lie in (0, 1), got {f}.");
    }

    private static string G(double x) => x.ToString("G6", CultureInfo.InvariantCulture);

    private static void Print(TextWriter o, HessianAnalysis r)
    {
        var e = r.Eigen;
        o.WriteLine($"{r.Label}: Lanczos, {e.Products} products, {e.Message}");
        if (e.Largest.Count > 0) o.WriteLine($"  largest:  {string.Join(", ", e.Largest.Select(p => G(p.Value)))}");
        if (e.Smallest.Count > 0) o.WriteLine($"  smallest: {string.Join(", ", e.Smallest.Select(p => G(p.Value)))}");
        if (e.Largest.Count > 0 && e.Smallest.Count > 0) o.WriteLine($"  condition number λ_max/λ_min: {G(e.ConditionNumber)}");
        if (r.Power is { } p)
            o.WriteLine($"  power iteration: λ₁ = {G(p.Largest[0].Value)} in {p.Products} products ({(p.Converged ? "converged" : "not converged")}); Lanczos: {G(e.Largest.FirstOrDefault()?.Value ?? double.NaN)} in {e.Products} products");
        if (r.Trace is { } t)
            o.WriteLine($"  trace ≈ {G(t.Trace)}, {G(100 * t.Confidence)}% interval [{G(t.Lower)}, {G(t.Upper)}] ({t.Products} products)");
        if (r.Density is { } d)
            o.WriteLine($"  density: {d.Probes} probes × {d.Steps} Lanczos steps ({d.Products} products); eigenvalues from {G(d.Grid[0] + 5 * d.Sigma)} to {G(d.Grid[^1] - 5 * d.Sigma)}, {100 * (d.CountBelow(-0.01 * HessianFiles.MaxAbs(d)) / d.Dimension):F1}% of them below −1% of the largest |λ|");
        foreach (var (b, be) in r.Blocks)
            o.WriteLine($"  layer {b.Name} ({b.Length:N0} parameters): largest {string.Join(", ", be.Largest.Select(x => G(x.Value)))}{(be.Smallest.Count > 0 ? "; smallest " + string.Join(", ", be.Smallest.Select(x => G(x.Value))) : "")} ({be.Products} products)");
        if (r.Critical is { } c) o.WriteLine($"  {c.Describe()} ({c.Products} products)");
        if (r.Pruning is { } pr)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  optimal brain damage, {pr.Pruned:N0} of {pr.Candidates:N0} weights ({100 * (pr.Fraction):F0}%): test accuracy {pr.Before.Accuracy:F4} -> {pr.After.Accuracy:F4} (magnitude pruning: {pr.MagnitudeAfter.Accuracy:F4}); loss {pr.Before.Loss:F4} -> {pr.After.Loss:F4} (magnitude: {pr.MagnitudeAfter.Loss:F4}; predicted increase {pr.PredictedIncrease:G3}); {(pr.ExactDiagonal ? "exact" : "Hutchinson")} diagonal, {pr.Products} products"));
        o.WriteLine($"  {r.Products} products in total");
    }
}

using System.CommandLine;
using System.Globalization;
using Descent.Curvature;
using Descent.Problems;
using Descent.Tensors.Kernels;

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
        var problem = new Option<string>("--problem") { Description = "benchmark problem (listed below)", Required = true };
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
        var samples = new Option<int>("--samples") { Description = "training examples the curvature is measured on (the first N)", DefaultValueFactory = _ => 1000 };
        var chunk = new Option<int>("--chunk") { Description = "examples per chunk (memory)", DefaultValueFactory = _ => 1000 };
        var tol = new Option<double>("--tol") { Description = "stop when every relative residual ‖Hv − λv‖/|λ| is below this", DefaultValueFactory = _ => 1e-3 };
        var maxIter = new Option<int>("--max-iter") { Description = "Lanczos iterations at most (power iteration: ten times as many)", DefaultValueFactory = _ => 300 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initialization ('init') and of the random vectors", DefaultValueFactory = _ => 0 };
        var dtype = new Option<string>("--dtype") { Description = "auto (float64 up to 200,000 parameters), float32 or float64", DefaultValueFactory = _ => "auto" };
        var dataDir = new Option<string>("--data-dir") { Description = "Fashion-MNIST directory (else $DESCENT_DATA, /usr/share/datasets/fashion-mnist, then the bundled sample)" };
        var threads = new Option<int?>("--threads") { Description = "threads for the numeric kernels (default: all cores)" };
        var output = new Option<string>("--out") { Description = "directory for hessian.json, eigenvalues.csv, density.csv and the SVG figures", Required = true };
        var cmd = new Command("hessian", "Curvature spectrum of a problem's model at its initialization or at checkpoints: extreme eigenvalues (Lanczos), trace (Hutchinson), spectral density (stochastic Lanczos quadrature), per-layer spectra, critical points, pruning.");
        foreach (var o in new Option[] { problem, checkpoint, top, bottom, trace, probes, density, densityProbes, densitySteps, power, blocks, classify, prune,
            curvature, samples, chunk, tol, maxIter, seed, dtype, dataDir, threads, output })
            cmd.Options.Add(o);

        cmd.SetAction(pr =>
        {
            var p = ProblemCatalog.Create(pr.GetValue(problem)!);
            var s = new HessianSettings
            {
                Kind = CurvatureKinds.Parse(pr.GetValue(curvature)!),
                Samples = pr.GetValue(samples),
                Chunk = pr.GetValue(chunk),
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
                Seed = pr.GetValue(seed),
            };
            Validate(s, pr.GetValue(trace), pr.GetValue(density));
            if (pr.GetValue(threads) is int t)
            {
                if (t < 1) throw new ConfigurationException($"--threads must be at least 1, got {t}.");
                KernelThreads.MaxThreads = t;
            }
            var dt = AnalysisSetup.ResolveDType(pr.GetValue(dtype)!, p);
            var checkpoints = pr.GetValue(checkpoint) is { Length: > 0 } cs ? cs : [AnalysisSetup.Init];
            // Check every checkpoint before the long work starts.
            var models = checkpoints.Select(c => AnalysisSetup.Load(p, c, s.Seed, dt)).ToList();
            var o = context.Output;
            var data = AnalysisSetup.Data(p, pr.GetValue(dataDir), o);
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
            string dir = pr.GetValue(output)!;
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
            o.WriteLine($"  density: {d.Probes} probes × {d.Steps} Lanczos steps ({d.Products} products); eigenvalues from {G(d.Grid[0] + 5 * d.Sigma)} to {G(d.Grid[^1] - 5 * d.Sigma)}, {100 * (d.CountBelow(0) / d.Dimension):F1}% of them negative");
        foreach (var (b, be) in r.Blocks)
            o.WriteLine($"  layer {b.Name} ({b.Length:N0} parameters): largest {string.Join(", ", be.Largest.Select(x => G(x.Value)))}{(be.Smallest.Count > 0 ? "; smallest " + string.Join(", ", be.Smallest.Select(x => G(x.Value))) : "")} ({be.Products} products)");
        if (r.Critical is { } c) o.WriteLine($"  {c.Describe()} ({c.Products} products)");
        if (r.Pruning is { } pr)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  optimal brain damage, {pr.Pruned:N0} of {pr.Candidates:N0} weights ({100 * (pr.Fraction):F0}%): test accuracy {pr.Before.Accuracy:F4} -> {pr.After.Accuracy:F4} (magnitude pruning: {pr.MagnitudeAfter.Accuracy:F4}); loss {pr.Before.Loss:F4} -> {pr.After.Loss:F4} (magnitude: {pr.MagnitudeAfter.Loss:F4}; predicted increase {pr.PredictedIncrease:G3}); {(pr.ExactDiagonal ? "exact" : "Hutchinson")} diagonal, {pr.Products} products"));
        o.WriteLine($"  {r.Products} products in total");
    }
}

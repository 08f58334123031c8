namespace Descent.Cli.Bench;

/// <summary>The markdown table <c>descent bench</c> prints (and the README quotes).</summary>
internal static class BenchTable
{
    /// <summary>Writes one row per problem.</summary>
    public static void Write(TextWriter output, IReadOnlyList<ProblemResult> results, bool fullEpoch)
    {
        string per = fullEpoch ? "epoch (measured)" : "epoch (scaled)";
        output.WriteLine($"| problem | recipe | batch | step ms | fwd/bwd/opt/data % | GFLOP/s | of SGEMM GFLOP/s | × roofline | alloc MB/{per} | GC 0/1/2 per {per} | PyTorch ms | ratio | target |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var o = r.Ours;
            string shares = ($"{Pct(o.Forward, o.Step)}/{Pct(o.Backward, o.Step)}/{Pct(o.Optimizer, o.Step)}/{Pct(o.Data, o.Step)}");
            string gflops = r.Gflops is { } g ? ($"{g:F1}") : "—";
            string ofPeak = r.Gflops is { } g2 ? ($"{100 * g2 / r.PeakGflops:F0}% of {r.PeakGflops:F0}") : "—";
            string roof = r.Roofline is { } q0 ? ($"{q0:F2}") : "—";
            var m = r.Memory;
            string gc = (m.Exact ? $"{m.Gen0:F0}/{m.Gen1:F0}/{m.Gen2:F0}" : $"{m.Gen0:F1}/{m.Gen1:F1}/{m.Gen2:F1}");
            string torch = r.Torch is { } t ? ($"{t.Step * 1e3:F2}") : "—";
            string ratio = r.Ratio is { } q ? ($"{q:F2}") : "—";
            string target = ($"≤ {r.Case.TargetRatio:F2}") + (r.Ratio is { } q2 ? (q2 <= r.Case.TargetRatio ? " ✓" : " ✗") : "");
            output.WriteLine((
                $"| {r.Case.Problem} | {r.Case.Recipe} | {r.BatchSize} | {o.Step * 1e3:F2} | {shares} | {gflops} | {ofPeak} | {roof} | {m.BytesPerEpoch / 1e6:F1} | {gc} | {torch} | {ratio} | {target} |"));
        }
    }

    private static string Pct(double part, double whole) => ($"{100 * part / whole:F0}");
}

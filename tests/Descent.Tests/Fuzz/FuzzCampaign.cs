using System.Globalization;
using System.Text;

namespace Descent.Tests.Fuzz;

/// <summary>How one mutant ended.</summary>
internal enum FuzzOutcome
{
    /// <summary>Refused with a <see cref="DescentException"/> whose one-line message names the input (expected for damaged input).</summary>
    Rejected,

    /// <summary>Read, and the oracle says the mutant is still a valid input with exactly this content (expected).</summary>
    AcceptedValid,

    /// <summary>An exception other than a <see cref="DescentException"/> (unexpected).</summary>
    WrongException,

    /// <summary>A <see cref="DescentException"/> whose message is empty, spans lines or does not name the input (unexpected).</summary>
    BadMessage,

    /// <summary>Damaged input read without complaint (unexpected).</summary>
    SilentAcceptance,

    /// <summary>A valid input read with a content other than the oracle's (unexpected).</summary>
    WrongContent,

    /// <summary>A valid input refused (unexpected).</summary>
    FalseRejection,

    /// <summary>Did not finish within the time limit (unexpected).</summary>
    Hang,

    /// <summary>Allocated more than the input could justify (unexpected).</summary>
    ExcessAllocation,
}

/// <summary>A mutated input: the bytes (UTF-8 for text), what mutation made it.</summary>
internal sealed record Mutant(byte[] Bytes, string Mutation);

/// <summary>What the oracle says about a mutant: valid (with the content a correct reader returns) or damaged;
/// or, for text without an independent grammar (<see cref="Either"/>), that refusing is fine and accepting is
/// fine as long as what was accepted is usable (<see cref="FuzzTarget.SameContent"/> checks it).</summary>
internal sealed record Verdict(bool Valid, object? Content = null)
{
    public static readonly Verdict Damaged = new(false);

    public static readonly Verdict Either = new(true) { MayBeRefused = true };

    /// <summary>A refusal is expected too.</summary>
    public bool MayBeRefused { get; init; }
}

/// <summary>
/// One kind of input under fuzzing: the valid seed inputs, how to mutate them, the reader under test and an
/// oracle that judges each mutant independently of the reader.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The target's name in the outcome table.</summary>
    public abstract string Name { get; }

    /// <summary>A new mutant of one of the seeds.</summary>
    public abstract Mutant Mutate(Random rng);

    /// <summary>The independent judgement: is the mutant a valid input, and what must reading it give?</summary>
    public abstract Verdict Judge(Mutant mutant);

    /// <summary>Runs the code under test on the mutant (inside the measured, time-limited region) and returns
    /// what it read, comparable with <see cref="Verdict.Content"/>. <paramref name="source"/> is what error
    /// messages must name (a file path, the option or the text).</summary>
    public abstract object? Run(Mutant mutant, out string source);

    /// <summary>True when what the reader returned is the oracle's content.</summary>
    public virtual bool SameContent(object? read, object? expected) => Equals(read, expected);

    /// <summary>The most bytes reading the mutant may allocate on its thread.</summary>
    public virtual long AllocationBudget(Mutant mutant) => (1L << 20) + 64L * mutant.Bytes.Length;

    /// <summary>Called once before the campaign (e.g. to warm the code under test up) and after it.</summary>
    public virtual void Setup() { }

    /// <summary>Removes what the target created.</summary>
    public virtual void Teardown() { }
}

/// <summary>
/// Runs seeded, bounded fuzz campaigns: each mutant is judged by the target's oracle, then read on a worker
/// thread with a time limit while the bytes it allocates are counted, and the result is classified as a
/// <see cref="FuzzOutcome"/>. Unexpected outcomes keep their mutation and message for the report.
/// </summary>
internal sealed class FuzzCampaign
{
    private readonly Dictionary<(string, FuzzOutcome), int> counts = [];
    private readonly List<string> unexpected = [];

    /// <summary>The time one mutant may take.</summary>
    public TimeSpan Limit { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The unexpected outcomes, one line each (target, outcome, mutation, what happened).</summary>
    public IReadOnlyList<string> Unexpected => unexpected;

    /// <summary>The number of mutants of <paramref name="target"/> that ended in <paramref name="outcome"/>.</summary>
    public int Count(string target, FuzzOutcome outcome) => counts.GetValueOrDefault((target, outcome));

    /// <summary>All mutants run.</summary>
    public int Total => counts.Values.Sum();

    /// <summary>Runs <paramref name="mutants"/> mutants of <paramref name="target"/> from <paramref name="seed"/>.</summary>
    public void Run(FuzzTarget target, int mutants, int seed)
    {
        var rng = new Random(seed);
        target.Setup();
        try
        {
            string? trace = Environment.GetEnvironmentVariable("DESCENT_FUZZ_TRACE");
            for (int i = 0; i < mutants; i++)
            {
                var m = target.Mutate(rng);
                // A crash of the whole process (a stack overflow) cannot be caught: the trace file names the last mutant.
                if (!string.IsNullOrEmpty(trace)) File.AppendAllText(trace, $"{target.Name} #{i} ({m.Mutation}) {Convert.ToBase64String(m.Bytes)}\n");
                var (outcome, detail) = Classify(target, m);
                counts[(target.Name, outcome)] = counts.GetValueOrDefault((target.Name, outcome)) + 1;
                if (outcome is not (FuzzOutcome.Rejected or FuzzOutcome.AcceptedValid))
                    unexpected.Add($"{target.Name}: {outcome}: mutant #{i} of seed {seed} ({m.Mutation}): {detail}");
                if (outcome == FuzzOutcome.Hang) return; // the worker thread is still busy
            }
        }
        finally
        {
            target.Teardown();
        }
    }

    private (FuzzOutcome, string) Classify(FuzzTarget target, Mutant m)
    {
        var verdict = target.Judge(m);
        object? read = null;
        Exception? error = null;
        string source = "";
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read = target.Run(m, out source);
            }
            catch (Exception e)
            {
                error = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 16 << 20) { IsBackground = true, Name = "fuzz " + target.Name };
        worker.Start();
        if (!worker.Join(Limit)) return (FuzzOutcome.Hang, $"no result after {Limit.TotalSeconds:F0} s");
        long budget = target.AllocationBudget(m);
        if (allocated > budget)
            return (FuzzOutcome.ExcessAllocation, $"allocated {allocated:N0} bytes for a {m.Bytes.Length}-byte input (budget {budget:N0}); {(error is null ? "accepted" : error.Message)}");
        if (error is DescentException d)
        {
            if (verdict.Valid && !verdict.MayBeRefused) return (FuzzOutcome.FalseRejection, d.Message);
            bool oneLine = d.Message.Length > 0 && !d.Message.Contains('\n') && !d.Message.Contains('\r');
            return oneLine && (source.Length == 0 || d.Message.Contains(source, StringComparison.Ordinal))
                ? (FuzzOutcome.Rejected, d.Message)
                : (FuzzOutcome.BadMessage, $"message '{d.Message}' should be one line naming '{source}'");
        }
        if (error is not null) return (FuzzOutcome.WrongException, $"{error.GetType().Name}: {error.Message}");
        if (!verdict.Valid) return (FuzzOutcome.SilentAcceptance, "read without complaint: " + Describe(read));
        if (!target.SameContent(read, verdict.Content))
            return verdict.MayBeRefused
                ? (FuzzOutcome.SilentAcceptance, "accepted, but not usable: " + Describe(read))
                : (FuzzOutcome.WrongContent, $"read {Describe(read)}, expected {Describe(verdict.Content)}");
        return (FuzzOutcome.AcceptedValid, "");
    }

    private static string Describe(object? x)
    {
        string s = x?.ToString() ?? "null";
        return s.Length > 200 ? s[..200] + "…" : s;
    }

    /// <summary>The outcome table: one row per target, one column per outcome that occurred, and totals.</summary>
    public string Table()
    {
        var targets = counts.Keys.Select(k => k.Item1).Distinct().ToList();
        var outcomes = Enum.GetValues<FuzzOutcome>();
        var sb = new StringBuilder();
        string Row(string name, IEnumerable<string> cells) => $"{name,-26}" + string.Concat(cells.Select(c => $"{c,12}"));
        sb.AppendLine(Row("target", outcomes.Select(o => o.ToString()).Append("total")));
        foreach (var t in targets)
            sb.AppendLine(Row(t, outcomes.Select(o => Count(t, o).ToString(CultureInfo.InvariantCulture))
                .Append(outcomes.Sum(o => Count(t, o)).ToString(CultureInfo.InvariantCulture))));
        sb.AppendLine(Row("all", outcomes.Select(o => targets.Sum(t => Count(t, o)).ToString(CultureInfo.InvariantCulture))
            .Append(Total.ToString(CultureInfo.InvariantCulture))));
        int bad = Total - targets.Sum(t => Count(t, FuzzOutcome.Rejected) + Count(t, FuzzOutcome.AcceptedValid));
        sb.Append(CultureInfo.InvariantCulture, $"{Total} mutants, {bad} unexpected outcomes");
        return sb.ToString();
    }
}

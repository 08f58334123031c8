using System.Globalization;
using Xunit.Abstractions;

namespace Descent.Tests.Fuzz;

/// <summary>
/// The fuzz campaign: seeded mutants of every input format Descent reads — IDX (raw and gzip), CSV, checkpoints
/// and model files (damaged bytes and edited headers), schedule specs, parameter selectors and groups,
/// initialization schemes, optimizer settings and command-line values — each ending in a
/// <see cref="DescentException"/> with a one-line message naming the input, or read correctly when still
/// valid; never another exception, a hang, an allocation the input cannot justify, or damaged data read
/// silently. CI runs a few thousand mutants in seconds; <c>DESCENT_FUZZ=long</c> (scripts/fuzz.sh) runs
/// <c>DESCENT_FUZZ_MUTANTS</c> per target (default 1,000) with another seed and prints the outcome table.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static bool Long => Environment.GetEnvironmentVariable("DESCENT_FUZZ") == "long";

    private static int PerTarget(int ci) =>
        !Long ? ci : int.TryParse(Environment.GetEnvironmentVariable("DESCENT_FUZZ_MUTANTS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 1000;

    private static int Seed(int ci) =>
        Long && int.TryParse(Environment.GetEnvironmentVariable("DESCENT_FUZZ_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int s) ? s : ci;

    private void Campaign(int ciMutants, int ciSeed, params FuzzTarget[] targets)
    {
        var campaign = new FuzzCampaign();
        foreach (var t in targets) campaign.Run(t, PerTarget(ciMutants), Seed(ciSeed));
        output.WriteLine(campaign.Table());
        foreach (var line in campaign.Unexpected.Take(40)) output.WriteLine(line);
        Assert.True(campaign.Unexpected.Count == 0, string.Join("\n", campaign.Unexpected.Take(10)));
        // The campaign exercised both sides: refusals, and for formats with valid mutants, acceptances.
        Assert.All(targets, t => Assert.True(campaign.Count(t.Name, FuzzOutcome.Rejected) > 0, $"{t.Name}: no mutant was refused"));
    }

    [Fact]
    public void DataFiles() => Campaign(300, 1, new IdxRawTarget(), new IdxGzipTarget(), new CsvTarget());

    [Fact]
    public void CheckpointsAndModelFiles() =>
        Campaign(300, 2, new CheckpointBytesTarget(model: false), new CheckpointBytesTarget(model: true), new SafetensorsStructureTarget());

    [Fact]
    public void ConfigurationText() =>
        Campaign(300, 3, new ScheduleTarget(), new SelectorTarget(), new GroupTarget(), new InitSchemeTarget(), new SettingsTarget());

    [Fact]
    public void CommandLineValues() => Campaign(60, 4, new CommandLineTarget());
}

using System.Globalization;
using System.Text.Json;
using Descent.Cli.Commands;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

public sealed class InitCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string[] Small(params string[] extra) => ["init", "--depth", "3", "--width", "16", "--batch", "64", .. extra];

    [Fact]
    public void Compare_WritesLayersCsvSummaryJsonAndSignalSvg()
    {
        string outDir = dir.File("run");
        var r = CliRunner.Run(Small("--scheme", "glorot_uniform", "--compare", "normal:1,he_normal:fan_out,relu", "--activation", "tanh", "--out", outDir));
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.Code);

        var csv = File.ReadAllLines(Path.Combine(outDir, "layers.csv"));
        Assert.Equal("scheme,layer,units,distinct_units,pre_mean,pre_var,act_mean,act_var,saturated,dead,act_grad_mean,act_grad_var,pre_grad_var,weight_grad_var", csv[0]);
        Assert.Equal(1 + 3 * 3, csv.Length);
        Assert.StartsWith("glorot_uniform,1,16,16,", csv[1]);
        Assert.StartsWith("normal:1,3,16,16,", csv[6]);
        Assert.StartsWith("\"he_normal:fan_out,relu\",1,16,16,", csv[7]); // a scheme with a comma is quoted
        Assert.All(csv.Skip(1), line => Assert.Equal(14, SplitCsv(line).Length));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = json.RootElement;
        Assert.Equal("tanh", root.GetProperty("activation").GetString());
        Assert.Equal(3, root.GetProperty("depth").GetInt32());
        var schemes = root.GetProperty("schemes").EnumerateArray().ToArray();
        Assert.Equal(["glorot_uniform", "normal:1", "he_normal:fan_out,relu"], schemes.Select(s => s.GetProperty("scheme").GetString()!).ToArray());
        // The summary's ratio is the CSV's last/first activation variance.
        double first = double.Parse(SplitCsv(csv[4])[7], CultureInfo.InvariantCulture), last = double.Parse(SplitCsv(csv[6])[7], CultureInfo.InvariantCulture);
        Assert.Equal(last / first, schemes[1].GetProperty("activation_ratio").GetDouble(), 12);
        Assert.Contains("gradients explode", schemes[1].GetProperty("verdict").GetString());

        string svg = File.ReadAllText(Path.Combine(outDir, "signal.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Equal(9, CountOf(svg, "<polyline")); // 3 panels × 3 schemes
        Assert.Contains("Signal propagation: 3 tanh layers of width 16", svg);
        foreach (var label in new[] { ">glorot_uniform<", ">normal:1<", ">he_normal:fan_out,relu<", ">activations<", ">back-propagated gradients<", ">layer<" })
            Assert.Contains(label, svg);

        Assert.Contains("summary: tanh, 3 layers of width 16", r.Out);
        Assert.Equal(3, CountOf(r.Out, "\nverdict: "));
        Assert.Contains("wrote " + Path.Combine(outDir, "layers.csv"), r.Out);
    }

    [Fact]
    public void ConstantInit_ReportsOneDistinctUnitPerLayer()
    {
        var r = CliRunner.Run(Small("--scheme", "constant:0.1"));
        Assert.Equal(0, r.Code);
        // The table's distinct column: "layer  distinct" rows such as "    2       1/16  …".
        var distinct = System.Text.RegularExpressions.Regex.Matches(r.Out, @"(?m)^\s+[1-3]\s+(\d+)/16\s").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["1", "1", "1"], distinct);
        Assert.Contains("every layer has 1 distinct unit of 16", r.Out);
    }

    [Fact]
    public void ZeroWeights_HideTheirZeroVarianceInThePlot()
    {
        string outDir = dir.File("zeros");
        var r = CliRunner.Run(Small("--scheme", "zeros", "--compare", "glorot_uniform", "--out", outDir));
        Assert.Equal(0, r.Code);
        Assert.Contains("every weight gradient is exactly 0", r.Out);
        string svg = File.ReadAllText(Path.Combine(outDir, "signal.svg"));
        Assert.Contains("not drawn (zero): zeros", svg);
        Assert.Equal(3, CountOf(svg, "<polyline")); // glorot in 3 panels; zeros' lone non-zero point (the top layer's gradient) is a marker
    }

    [Fact]
    public void SameSeedSameOutput_OtherSeedOtherOutput()
    {
        var a = CliRunner.Run(Small("--scheme", "lsuv", "--seed", "3"));
        var b = CliRunner.Run(Small("--scheme", "lsuv", "--seed", "3"));
        var c = CliRunner.Run(Small("--scheme", "lsuv", "--seed", "4"));
        Assert.Equal(0, a.Code);
        Assert.Equal(a.Out, b.Out);
        Assert.NotEqual(a.Out, c.Out);
    }

    [Theory]
    [InlineData("Unknown initialization scheme 'glorot'", "--scheme", "glorot")]
    [InlineData("Unknown initialization scheme 'bogus'", "--scheme", "glorot_uniform", "--compare", "he_normal,bogus")]
    [InlineData("Unknown activation 'tanhh'", "--scheme", "glorot_uniform", "--activation", "tanhh")]
    [InlineData("depth must be at least 1", "--scheme", "glorot_uniform", "--depth", "0")]
    [InlineData("width must be at least 1", "--scheme", "glorot_uniform", "--width", "0")]
    [InlineData("no scheme given", "--activation", "relu")]
    [InlineData("--dtype 'half'", "--scheme", "zeros", "--dtype", "half")]
    [InlineData("'abc'", "--scheme", "zeros", "--depth", "abc")]
    public void BadInput_IsOneLineAndExitCode2(string message, params string[] args)
    {
        var r = CliRunner.Run(["init", .. args]);
        Assert.Equal(2, r.Code);
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("descent: error: ", line);
        Assert.Contains(message, line);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Help_ListsTheSchemesAndActivations()
    {
        var r = CliRunner.Run("init", "--help");
        Assert.Equal(0, r.Code);
        foreach (var s in new[] { "--scheme", "--compare", "--activation", "--depth", "--width", "--out", "glorot_uniform[:GAIN]", "he_normal[:", "orthogonal[:GAIN]", "lsuv[:PREINIT]", "constant:V" })
            Assert.Contains(s, r.Out);
        Assert.Contains("Activations (descent init --activation A): sigmoid, logistic, tanh, relu, leaky_relu, elu, softplus, gelu, linear, identity", r.Out);
    }

    [Theory]
    [InlineData("normal:1,he_normal", "normal:1|he_normal")]
    [InlineData("he_normal:fan_out,relu,normal:0,0.5,zeros", "he_normal:fan_out,relu|normal:0,0.5|zeros")]
    [InlineData("orthogonal:leaky_relu,0.2, lsuv", "orthogonal:leaky_relu,0.2|lsuv")]
    [InlineData("glorot_uniform,tanh", "glorot_uniform|tanh")]
    public void CompareListKeepsCommasInsideSchemes(string text, string expected) =>
        Assert.Equal(expected.Split('|'), InitCommand.SplitSchemes(text));

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private static string[] SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char ch in line)
        {
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString());
        return [.. cells];
    }
}

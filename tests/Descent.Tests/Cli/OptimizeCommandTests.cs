using System.Globalization;
using Descent.Tests.Training;

namespace Descent.Tests.Cli;

public sealed class OptimizeCommandTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    // Gradient descent on f(x) = x² from x₀ = 10: x_k = (1 − 2μ)^k·10 (the course's example F).
    [Theory]
    [InlineData("0.2", "0.060466")]
    [InlineData("0.05", "3.486784")]
    [InlineData("1.1", "61.917364")]
    public void GradientDescentOnSquare_EndsWhereTheCourseSays(string lr, string expected)
    {
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", $"lr={lr}", "--start", "10", "--steps", "10");
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        Assert.StartsWith($"x = [{expected}]\n", r.Out);
        double mu = double.Parse(lr, CultureInfo.InvariantCulture);
        Assert.Equal(double.Parse(expected, CultureInfo.InvariantCulture), 10 * Math.Pow(1 - 2 * mu, 10), 6);
    }

    [Fact]
    public void RealProcess_PrintsTheFinalPoint()
    {
        var r = CliRunner.RunProcess("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=0.2", "--start", "10", "--steps", "10");
        Assert.Equal(0, r.Code);
        Assert.Contains("x = [0.060466]", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Trace_HasTheContractHeader_AndRowZeroIsTheStart()
    {
        string trace = dir.File("out/trace.csv");
        var r = CliRunner.Run("optimize", "--function", "rosenbrock", "--optimizer", "momentum", "--set", "lr=0.001", "--set", "momentum=0.9",
            "--start", "-1.2,1", "--steps", "25", "--trace", trace);
        Assert.Equal(0, r.Code);
        var lines = File.ReadAllLines(trace);
        Assert.Equal("step,loss,grad_norm,x0,x1", lines[0]);
        Assert.Equal(27, lines.Length);
        var row0 = lines[1].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([0, 24.2, 0, -1.2, 1], [row0[0], Math.Round(row0[1], 10), 0, row0[3], row0[4]]);
        Assert.Equal(Math.Sqrt(215.6 * 215.6 + 88 * 88), row0[2], 9); // ∇f(−1.2, 1) = (−215.6, −88)
        var last = lines[^1].Split(',');
        Assert.Equal("25", last[0]);
        Assert.Contains($"x = [{double.Parse(last[3], CultureInfo.InvariantCulture).ToString("F6", CultureInfo.InvariantCulture)}, ", r.Out);
        Assert.True(double.Parse(last[1], CultureInfo.InvariantCulture) < 24.2);
    }

    [Fact]
    public void Plot_WritesAnSvgWithContoursPathAndMarkers()
    {
        string svg = dir.File("plot.svg");
        var r = CliRunner.Run("optimize", "--function", "himmelblau", "--optimizer", "adam", "--set", "lr=0.1", "--start", "0,0", "--steps", "60", "--plot", svg);
        Assert.Equal(0, r.Code);
        string text = File.ReadAllText(svg);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", text);
        Assert.True(text.Split("<path d=\"M").Length > 8, "contour lines");
        Assert.Contains("<polyline", text);
        Assert.Contains("himmelblau: adam, 60 steps", text);
        Assert.Equal(4 * 2, text.Split('\n').Count(l => l.StartsWith("<line", StringComparison.Ordinal) && l.Contains("stroke=\"black\""))); // four minima, crossed
        Assert.EndsWith("</svg>\n", text);
    }

    [Fact]
    public void Divergence_KeepsThePathSoFar_AndIsOneLineWithExitCode2()
    {
        string csv = dir.File("diverge.csv");
        string svg = dir.File("diverge.svg");
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--set", "lr=1.1", "--start", "10,10",
            "--steps", "10000", "--trace", csv);
        Assert.Equal(2, r.Code);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Contains("Lower the learning rate", r.Err);
        var rows = File.ReadAllLines(csv);
        Assert.Equal("step,loss,grad_norm,x0,x1", rows[0]);
        Assert.InRange(rows.Length, 100, 10000);       // |x| grows by 1.2× a step until it overflows
        Assert.All(rows.Skip(1), row => Assert.All(row.Split(',').Skip(3), x => Assert.True(double.IsFinite(double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)))));

        var p = CliRunner.Run("optimize", "--function", "beale", "--optimizer", "momentum", "--set", "lr=0.01", "--start", "1,1.5",
            "--steps", "300", "--plot", svg);
        Assert.Equal(2, p.Code);
        Assert.Contains("<svg", File.ReadAllText(svg));
    }

    [Fact]
    public void Plot_OfAOneDimensionalFunction_IsAnError()
    {
        var r = CliRunner.Run("optimize", "--function", "square", "--optimizer", "gd", "--start", "1", "--steps", "2", "--plot", dir.File("p.svg"));
        Assert.Equal(2, r.Code);
        Assert.Contains("2-D", r.Err);
        Assert.False(File.Exists(dir.File("p.svg")));
    }

    [Fact]
    public void SearchMethodsAndSchedulesAndNoise_Run()
    {
        var r = CliRunner.Run("optimize", "--function", "quadratic:kappa=10", "--optimizer", "nesterov", "--set", "lr=0.05", "--set", "momentum=0.9",
            "--set", "form=lookahead", "--start", "1,1", "--steps", "100", "--schedule", "cosine:T=100", "--noise", "0.01", "--seed", "3");
        Assert.Equal(0, r.Code);
        Assert.Contains("      nit: 100\n", r.Out);
        var x = r.Out.Split('\n')[0]["x = [".Length..^1].Split(", ").Select(s => double.Parse(s, CultureInfo.InvariantCulture));
        Assert.All(x, v => Assert.True(Math.Abs(v) < 0.1, $"{v}"));
    }
}

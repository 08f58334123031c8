using System.Text.Json;
using System.Xml.Linq;
using Descent.Training.Compare;

namespace Descent.Tests.Cli;

/// <summary>The SVG figures parse as XML and hold the expected series: one group per optimizer (or scheme) named by
/// its <c>data-series</c>, with a line through the right number of points and, over several seeds, a band.</summary>
public sealed class FigureTests(ComparisonFixture fixture) : IClassFixture<ComparisonFixture>
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    internal static Dictionary<string, XElement> Series(string file, string kind = "series")
    {
        var doc = XDocument.Load(file);
        Assert.Equal(S + "svg", doc.Root!.Name);
        return doc.Descendants(S + "g").Where(g => (string?)g.Attribute("class") == kind)
            .ToDictionary(g => (string)g.Attribute("data-series")!, g => g);
    }

    internal static int Points(XElement group) =>
        group.Elements(S + "polyline").Where(p => (string?)p.Attribute("class") == "line")
            .Sum(p => ((string)p.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

    private (string Sgd, string Adam) Labels()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Directory, ResultFiles.JsonFileName)));
        string Label(string name) => $"{name} (lr {LearningRateGrid.Format(doc.RootElement.GetProperty("optimizers").EnumerateArray().Single(o => o.GetProperty("optimizer").GetString() == name).GetProperty("lr").GetDouble())})";
        return (Label("sgd"), Label("adam"));
    }

    [Theory]
    [InlineData("loss_epochs.svg")]
    [InlineData("loss_seconds.svg")]
    [InlineData("test_metric.svg")]
    public void CurveFigures_HoldOneMeanLineAndBandPerOptimizer(string file)
    {
        var series = Series(Path.Combine(fixture.Directory, file));
        var (sgd, adam) = Labels();
        Assert.Equal([sgd, adam], series.Keys);
        foreach (var g in series.Values)
        {
            Assert.Equal(2, Points(g)); // two epochs
            Assert.Single(g.Elements(S + "path"), p => (string?)p.Attribute("class") == "band"); // two seeds: their range
        }
        var doc = XDocument.Load(Path.Combine(fixture.Directory, file));
        Assert.Contains(doc.Descendants(S + "text"), t => t.Value is "epoch" or "seconds");
    }

    [Fact]
    public void LearningRateSensitivity_PlotsEverySearchedRate_AndRingsTheChosenOne()
    {
        var series = Series(Path.Combine(fixture.Directory, "lr_sensitivity.svg"));
        Assert.Equal(["sgd", "adam"], series.Keys);
        foreach (var g in series.Values)
        {
            Assert.Equal(3, Points(g));
            Assert.Single(g.Elements(S + "circle"), c => (string?)c.Attribute("class") == "highlight");
        }
        var text = XDocument.Load(Path.Combine(fixture.Directory, "lr_sensitivity.svg")).Descendants(S + "text").Select(t => t.Value).ToList();
        Assert.Contains("10⁻²", text); // a log axis labelled in powers of ten
    }

    [Fact]
    public void OptimizerPaths_OneGroupPerOptimizer_StaticAndAnimated()
    {
        string plot = fixture.Scratch("paths.svg"), anim = fixture.Scratch("paths-anim.svg");
        var r = CliRunner.Run("optimize", "--function", "beale", "--optimizer", "sgd,momentum,adam", "--set", "lr=0.001", "--set", "adam:lr=0.05",
            "--start", "1,1.5", "--steps", "40", "--plot", plot, "--animate", anim);
        Assert.True(r.Code == 0, r.Err);
        var stat = Series(plot, "path");
        Assert.Equal(["sgd (lr 0.001)", "momentum (lr 0.001)", "adam (lr 0.05)"], stat.Keys);
        Assert.All(stat.Values, g => Assert.Equal(41, Points(g)));
        var moving = Series(anim, "path");
        Assert.Equal(stat.Keys, moving.Keys);
        foreach (var g in moving.Values)
        {
            var animations = g.Descendants(S + "animate").ToList();
            Assert.Equal(3, animations.Count); // the line's reveal, and the marker's x and y
            foreach (var a in animations)
                Assert.Equal(((string)a.Attribute("keyTimes")!).Split(';').Length, ((string)a.Attribute("values")!).Split(';').Length);
            var xs = ((string)animations.Single(a => (string?)a.Attribute("attributeName") == "cx").Attribute("values")!).Split(';');
            Assert.Equal(41, xs.Length); // every step a frame
            Assert.Equal("0", ((string)animations[0].Attribute("values")!).Split(';')[^1]); // fully drawn at the end
        }
    }

    [Fact]
    public void InitFigure_HoldsEachSchemeInEachPanel()
    {
        string outDir = fixture.Scratch("init");
        var r = CliRunner.Run("init", "--scheme", "glorot_uniform", "--compare", "he_normal,normal:1", "--activation", "tanh", "--depth", "5", "--width", "32", "--out", outDir);
        Assert.True(r.Code == 0, r.Err);
        var doc = XDocument.Load(Path.Combine(outDir, "signal.svg"));
        var groups = doc.Descendants(S + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        Assert.Equal(9, groups.Count); // 3 panels × 3 schemes
        Assert.Equal(["glorot_uniform", "he_normal", "normal:1"], groups.Take(3).Select(g => (string)g.Attribute("data-series")!));
        Assert.All(groups, g => Assert.Equal(5, Points(g)));
    }
}

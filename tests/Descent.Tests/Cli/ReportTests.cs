using System.Text.RegularExpressions;
using Descent.Cli.Reports;

namespace Descent.Tests.Cli;

/// <summary>
/// A comparison's <c>report.html</c> is self-contained: rendered in headless Chromium (when installed) it is not
/// blank and makes no network request; without Chromium (CI) the HTML itself is checked for anything that could
/// load from elsewhere. Run reports and escaping are checked too.
/// </summary>
public sealed class ReportTests(ComparisonFixture fixture) : IClassFixture<ComparisonFixture>
{
    private string Report => Path.Combine(fixture.Directory, "report.html");

    /// <summary>Every way an HTML page could load something: no src/href but data: URIs and relative links, no
    /// url(…) or @import in styles, no script, and a policy that forbids all loads.</summary>
    internal static void AssertSelfContained(string html)
    {
        Assert.Contains($"content=\"{HtmlReport.ContentSecurityPolicy}\"", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"url\(\s*['""]?(?!#|data:)", RegexOptions.IgnoreCase), html);
        foreach (Match m in Regex.Matches(html, @"\b(src|href|xlink:href)\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase))
        {
            string v = m.Groups[2].Value;
            bool local = m.Groups[1].Value.Equals("src", StringComparison.OrdinalIgnoreCase)
                ? v.StartsWith("data:", StringComparison.Ordinal)
                : !v.Contains(':', StringComparison.Ordinal) && !v.StartsWith("//", StringComparison.Ordinal);
            Assert.True(local, $"{m.Value} could load from elsewhere");
        }
    }

    [Fact]
    public void ComparisonReport_RendersOffline_NotBlank_WithoutNetworkRequests()
    {
        string html = File.ReadAllText(Report);
        AssertSelfContained(html);
        Assert.Contains("<svg", html);
        Assert.Contains("report.html\">runs/sgd/", html); // links to each run's own report
        if (!HeadlessChromium.Available)
            return; // CI without Chromium: the static check above is the whole test

        // Chromium calls its own services whatever the flags; the page's requests are those to any other host.
        string scratch = fixture.Scratch("chromium");
        Directory.CreateDirectory(scratch);
        var browser = HeadlessChromium.BrowserHosts(scratch);
        // The detector works: a page with an external image is seen making its request.
        string control = Path.Combine(scratch, "control.html");
        File.WriteAllText(control, "<!DOCTYPE html><html><body><img src=\"http://descent-test.invalid/x.png\"></body></html>");
        Assert.Contains("descent-test.invalid", HeadlessChromium.Screenshot(control, Path.Combine(scratch, "control.png"), 400, 300));

        string png = Path.Combine(scratch, "report.png");
        var requests = HeadlessChromium.Screenshot(Report, png).Where(h => !browser.Contains(h) && !HeadlessChromium.IsBrowserService(h)).ToList();
        Assert.Empty(requests);
        var image = PngImage.Load(png);
        Assert.Equal(1200, image.Width);
        int nonWhite = 0, coloured = 0, total = image.Width * image.Height;
        var colours = new HashSet<int>();
        for (int y = 0; y < image.Height; y += 2)
            for (int x = 0; x < image.Width; x += 2)
            {
                var (r, g, b) = image[x, y];
                if (r < 240 || g < 240 || b < 240) nonWhite++;
                if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 60) coloured++;
                colours.Add((r << 16) | (g << 8) | b);
            }
        Assert.True(nonWhite > total / 4 / 100, $"only {nonWhite} of {total / 4} sampled pixels are not white: the page looks blank");
        Assert.True(coloured > 200, $"only {coloured} sampled pixels are coloured: the figures did not render");
        Assert.True(colours.Count > 50, $"only {colours.Count} distinct colours");
    }

    [Fact]
    public void RunReport_ShowsCurvesConfigurationAndEnvironment()
    {
        string html = File.ReadAllText(Path.Combine(fixture.Directory, "runs", "adam", "lr-0.001-seed-0", "report.html"));
        AssertSelfContained(html);
        foreach (var part in new[] { "Learning curves", "Resolved experiment", "command: train", "Environment", ".NET", "fmnist_logreg", "class=\"series\"" })
            Assert.Contains(part, html);
    }

    [Fact]
    public void UserText_IsEscaped_AndForeignFiguresAreEmbeddedAsImages()
    {
        string dir = fixture.Scratch("<b>odd & name</b>");
        var r = CliRunner.Run("train", "--problem", "two_layer_linear", "--optimizer", "sgd", "--epochs", "2", "--out", dir);
        Assert.True(r.Code == 0, r.Err);
        Directory.CreateDirectory(Path.Combine(dir, "hessian"));
        File.WriteAllText(Path.Combine(dir, "hessian", "spectrum.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>");
        Assert.Equal(0, CliRunner.Run("report", dir).Code);
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("&lt;b&gt;odd &amp; name&lt;/b&gt;", html);
        Assert.DoesNotContain("<b>odd", html);
        Assert.Contains("hessian/spectrum.svg", html);
        Assert.Contains("src=\"data:image/svg+xml;base64,", html);
        Assert.DoesNotContain("alert(1)", html); // the foreign SVG is base64 inside an image, never inline
        AssertSelfContained(html);
    }
}

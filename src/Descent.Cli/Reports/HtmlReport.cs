using System.Net;
using System.Text;

namespace Descent.Cli.Reports;

/// <summary>
/// A self-contained HTML report: headings, paragraphs, tables, figures and preformatted text in one file with
/// its style inline and no external resource. Figures made by Descent are inlined as SVG; other SVG files (e.g.
/// from <c>descent hessian</c>) are embedded as <c>data:</c> images, which browsers render without running
/// scripts or fetching anything. A Content-Security-Policy forbids every network request. All text is escaped.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder body = new();

    /// <summary>The policy in every report: nothing may be loaded from anywhere; inline style and data images only.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    /// <summary>Escapes text for HTML.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A heading (level 2 by default).</summary>
    public HtmlReport Heading(string text, int level = 2)
    {
        body.Append($"<h{level}>{E(text)}</h{level}>\n");
        return this;
    }

    /// <summary>A paragraph of text.</summary>
    public HtmlReport Paragraph(string text, string? cssClass = null)
    {
        body.Append(cssClass is null ? "<p>" : $"<p class=\"{cssClass}\">").Append(E(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A table; the row <paramref name="highlight"/> (0-based) is emphasized.</summary>
    public HtmlReport Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int? highlight = null, string? caption = null)
    {
        body.Append("<table>");
        if (caption is not null) body.Append("<caption>").Append(E(caption)).Append("</caption>");
        body.Append("<thead><tr>");
        foreach (var h in headers) body.Append("<th>").Append(E(h)).Append("</th>");
        body.Append("</tr></thead><tbody>\n");
        int i = 0;
        foreach (var row in rows)
        {
            body.Append(i == highlight ? "<tr class=\"best\">" : "<tr>");
            foreach (var c in row) body.Append("<td>").Append(E(c)).Append("</td>");
            body.Append("</tr>\n");
            i++;
        }
        body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>Key–value pairs.</summary>
    public HtmlReport Definitions(IEnumerable<(string Key, string Value)> items)
    {
        body.Append("<dl>");
        foreach (var (k, v) in items) body.Append("<dt>").Append(E(k)).Append("</dt><dd>").Append(E(v)).Append("</dd>");
        body.Append("</dl>\n");
        return this;
    }

    /// <summary>An SVG document made by Descent, inlined (its XML declaration dropped), with a caption.</summary>
    public HtmlReport Svg(string svg, string caption)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        body.Append("<figure>").Append(start >= 0 ? svg[start..] : "").Append("<figcaption>").Append(E(caption)).Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>An SVG file from elsewhere, embedded as a <c>data:</c> image.</summary>
    public HtmlReport Image(string svgPath, string caption)
    {
        string data = Convert.ToBase64String(File.ReadAllBytes(svgPath));
        body.Append($"<figure><img alt=\"{E(caption)}\" src=\"data:image/svg+xml;base64,{data}\"><figcaption>{E(caption)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>Preformatted text (a configuration, a log).</summary>
    public HtmlReport Code(string text)
    {
        body.Append("<pre>").Append(E(text)).Append("</pre>\n");
        return this;
    }

    /// <summary>A link to a relative path (e.g. a run's own report).</summary>
    public static string Link(string href, string text) => $"<a href=\"{E(href)}\">{E(text)}</a>";

    /// <summary>Raw markup made by the caller (already escaped).</summary>
    public HtmlReport Raw(string html)
    {
        body.Append(html).Append('\n');
        return this;
    }

    /// <summary>The whole document.</summary>
    public string ToHtml() =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
        $"<meta http-equiv=\"Content-Security-Policy\" content=\"{ContentSecurityPolicy}\">\n" +
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
        $"<title>{E(title)}</title>\n<style>{Style}</style>\n</head>\n<body>\n<main>\n<h1>{E(title)}</h1>\n{body}</main>\n</body>\n</html>\n";

    /// <summary>Writes the report.</summary>
    public void Save(string path) => OutputFile.Write(path, ToHtml());

    private const string Style =
        "body{margin:0;background:#fafafa;color:#1a1a1a;font:15px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif}" +
        "main{max-width:1100px;margin:0 auto;padding:24px 32px 48px;background:#fff}" +
        "h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}" +
        "table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}" +
        "caption{text-align:left;color:#555;padding:4px 0}" +
        "th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f0f0f0}" +
        "td:first-child,th:first-child{text-align:left}tr.best td{font-weight:bold;background:#eef6ee}" +
        "figure{margin:12px 0 20px}figure svg,figure img{max-width:100%;height:auto;border:1px solid #eee}" +
        "figcaption{color:#555;font-size:13px}pre{background:#f5f5f5;padding:10px;overflow:auto;font-size:13px}" +
        "dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#555}dd{margin:0}" +
        "p.note{background:#fff6e0;border-left:4px solid #e6a700;padding:6px 10px}";
}

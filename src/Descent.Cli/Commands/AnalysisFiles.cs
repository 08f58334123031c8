using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Descent.Cli.Commands;

/// <summary>Writing the output directories of <c>descent hessian</c> and <c>descent landscape</c>: files written
/// atomically and listed, JSON with non-finite numbers as null, CSV numbers that round-trip.</summary>
internal sealed class AnalysisFiles(string directory)
{
    /// <summary>The names written so far, in order.</summary>
    public List<string> Names { get; } = [];

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the directory.</summary>
    public void Put(string name, string text)
    {
        OutputFile.Write(Path.Combine(directory, name), text);
        Names.Add(name);
    }

    /// <summary>A number for a CSV cell (round-trip; empty for NaN).</summary>
    public static string Cell(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A text CSV cell, quoted when it holds a comma or a quote.</summary>
    public static string Cell(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>A JSON number, or null when not finite.</summary>
    public static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>An indented JSON document written by <paramref name="body"/>.</summary>
    public static string Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}

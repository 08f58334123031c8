using System.Text;
using Descent.Training;

namespace Descent.Cli;

/// <summary>Writes output files (traces, plots) atomically, creating their directory.</summary>
public static class OutputFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/>.</summary>
    public static void Write(string path, string text)
    {
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        var bytes = Encoding.UTF8.GetBytes(text);
        AtomicFile.Write(full, s => s.Write(bytes));
    }
}

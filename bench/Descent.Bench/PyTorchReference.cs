using System.Diagnostics;
using System.Globalization;

namespace Descent.Bench;

/// <summary>Runs a Python script with Debian's python3-torch (/usr/bin/python3) and reads the numbers it prints.</summary>
public static class PyTorchReference
{
    /// <summary>The interpreter that has torch, or null.</summary>
    public static string? Python { get; } = Find();

    /// <summary>Runs <paramref name="script"/>; returns the whitespace-separated numbers of its last output line, or
    /// null when PyTorch is not installed or the script failed (the error is printed).</summary>
    public static double[]? Run(string script)
    {
        if (Python is null) return null;
        var path = Path.Combine(Path.GetTempPath(), $"descent-bench-{Environment.ProcessId}.py");
        File.WriteAllText(path, script);
        try
        {
            var psi = new ProcessStartInfo(Python, path) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                Console.WriteLine($"  PyTorch reference failed: {error.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            var last = output.Trim().Split('\n').Last();
            return last.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string? Find()
    {
        foreach (var candidate in new[] { "/usr/bin/python3" })
        {
            if (!File.Exists(candidate)) continue;
            try
            {
                using var p = Process.Start(new ProcessStartInfo(candidate, "-c \"import torch\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
                p.WaitForExit();
                if (p.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }
        return null;
    }
}

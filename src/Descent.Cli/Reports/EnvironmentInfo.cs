using System.Reflection;
using System.Runtime.InteropServices;

namespace Descent.Cli.Reports;

/// <summary>Where a report was made: machine, processor, operating system, .NET and Descent versions.</summary>
public static class EnvironmentInfo
{
    /// <summary>The Descent version (the command's informational version).</summary>
    public static string DescentVersion =>
        typeof(EnvironmentInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The processor model from <c>/proc/cpuinfo</c>, or the architecture.</summary>
    public static string Processor
    {
        get
        {
            try
            {
                if (File.Exists("/proc/cpuinfo"))
                    foreach (var line in File.ReadLines("/proc/cpuinfo"))
                        if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
            }
            catch (IOException)
            {
            }
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>The facts as (name, value) pairs.</summary>
    public static IEnumerable<(string, string)> Items()
    {
        yield return ("machine", Environment.MachineName);
        yield return ("processor", $"{Processor}, {Environment.ProcessorCount} logical cores");
        yield return ("operating system", RuntimeInformation.OSDescription);
        yield return (".NET", RuntimeInformation.FrameworkDescription);
        yield return ("Descent", DescentVersion);
        yield return ("report written", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
    }
}

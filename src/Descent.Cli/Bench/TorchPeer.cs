using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Descent.Cli.Bench;

/// <summary>
/// The PyTorch peer of <c>descent bench</c>: Debian's python3-torch running <c>bench/peer/torch_problems.py</c>
/// (embedded in this assembly) as a long-lived process that trains the same problems with the same recipes
/// and timing protocol. The bench sends it one window of steps at a time, alternating with its own windows,
/// so both see the same machine conditions (a shared, noisy machine makes only such same-run ratios
/// meaningful). Line protocol on stdin/stdout: <c>load PROBLEM BATCH</c> → <c>ready</c>,
/// <c>window STEPS</c> → <c>window step forward backward optimizer data</c> (seconds per step),
/// <c>tta PROBLEM TARGET EPOCHS</c> → <c>tta seconds epochs accuracy</c>, <c>quit</c>.
/// </summary>
internal sealed class TorchPeer : IDisposable
{
    private readonly Process process;
    private readonly string scriptPath;

    private TorchPeer(Process process, string scriptPath, string banner)
    {
        this.process = process;
        this.scriptPath = scriptPath;
        Banner = banner;
    }

    /// <summary>What the peer reported about itself (torch version, threads, data).</summary>
    public string Banner { get; }

    /// <summary>The peer script's text (for the record and the tests).</summary>
    public static string Script
    {
        get
        {
            using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("Descent.Cli.Bench.torch_problems.py")
                ?? throw new InvalidOperationException("the PyTorch peer script is not embedded in Descent.Cli");
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
    }

    /// <summary>Starts the peer with <paramref name="python"/>; returns null and the reason when that interpreter
    /// or its torch package is missing or the script fails to start.</summary>
    public static (TorchPeer? Peer, string? Reason) Start(string python, int threads, string? dataDir)
    {
        if (!File.Exists(python)) return (null, $"{python} not found (install python3-torch for the PyTorch reference)");
        string path = Path.Combine(Path.GetTempPath(), $"descent-bench-peer-{Environment.ProcessId}-{Guid.NewGuid():N}.py");
        File.WriteAllText(path, Script);
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(path);
        psi.ArgumentList.Add("--serve");
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        if (dataDir is not null)
        {
            psi.ArgumentList.Add("--data");
            psi.ArgumentList.Add(dataDir);
        }
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            File.Delete(path);
            return (null, $"{python} could not be started: {e.Message}");
        }
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        string? hello = p.StandardOutput.ReadLine();
        if (hello is null || !hello.StartsWith("hello ", StringComparison.Ordinal))
        {
            p.WaitForExit(5000);
            File.Delete(path);
            string err;
            lock (stderr) err = stderr.ToString().Trim().Split('\n').LastOrDefault() ?? "";
            return (null, err.Contains("No module named 'torch'", StringComparison.Ordinal)
                ? $"{python} has no torch module (apt-get install python3-torch)"
                : $"the PyTorch peer did not start: {err}");
        }
        return (new TorchPeer(p, path, hello["hello ".Length..]), null);
    }

    /// <summary>Builds the problem's model and optimizer in the peer (seed 0) and warms it up.</summary>
    public void Load(string problem, int batchSize, int warmupSteps)
    {
        Expect(Send($"load {problem} {batchSize} {warmupSteps}"), "ready");
        WaitUntilIdle();
    }

    /// <summary>Times <paramref name="steps"/> steps in the peer; the mean per step, by phase.</summary>
    public PhaseTimes Window(int steps)
    {
        var v = Numbers(Send($"window {steps}"), "window", 5);
        WaitUntilIdle();
        return new PhaseTimes(v[0], v[1], v[2], v[3], v[4]);
    }

    /// <summary>Trains the problem in the peer until the test accuracy reaches <paramref name="target"/> (evaluated
    /// after every epoch) or <paramref name="maxEpochs"/> pass: wall seconds, epochs and the last accuracy.</summary>
    public (double Seconds, int Epochs, double Accuracy) TimeToAccuracy(string problem, double target, int maxEpochs, int limitTrain)
    {
        var v = Numbers(Send(FormattableString.Invariant($"tta {problem} {target} {maxEpochs} {limitTrain}")), "tta", 3);
        WaitUntilIdle();
        return (v[0], (int)v[1], v[2]);
    }

    /// <summary>
    /// Waits until the peer stops using the CPU. PyTorch's OpenMP and OpenBLAS threads keep spinning after the
    /// last operation (about 0.1 s of one core on the development machine after each window), which would steal
    /// a core from whatever runs next: measured so, Descent's fmnist_mlp step read 5.7 ms instead of 3.7 ms.
    /// Polls the peer's processor time until it stays unchanged for two polls in a row (at most 2 s).
    /// </summary>
    private void WaitUntilIdle()
    {
        var limit = Stopwatch.StartNew();
        TimeSpan last = CpuTime();
        int still = 0;
        while (still < 2 && limit.Elapsed.TotalSeconds < 2)
        {
            Thread.Sleep(20);
            var now = CpuTime();
            still = now - last < TimeSpan.FromMilliseconds(2) ? still + 1 : 0;
            last = now;
        }
    }

    private TimeSpan CpuTime()
    {
        try
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return TimeSpan.Zero;   // exited or not observable: nothing left to wait for
        }
    }

    private string Send(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
        return process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the PyTorch peer exited during '{command}'");
    }

    private static void Expect(string line, string expected)
    {
        if (line != expected) throw new InvalidOperationException($"the PyTorch peer answered '{line}', expected '{expected}'");
    }

    private static double[] Numbers(string line, string tag, int count)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count + 1 || parts[0] != tag)
            throw new InvalidOperationException($"the PyTorch peer answered '{line}', expected '{tag}' and {count} numbers");
        return parts[1..].Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Stops the peer and deletes its script.</summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Flush();
                if (!process.WaitForExit(5000)) process.Kill();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }
        process.Dispose();
        File.Delete(scriptPath);
    }
}

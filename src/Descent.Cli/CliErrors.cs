namespace Descent.Cli;

/// <summary>
/// Exit codes and the one-line error format of the <c>descent</c> command (docs/architecture.md, "Errors users can act on"): every
/// user error — a <see cref="DescentException"/> or a command-line parse error — is printed as
/// <c>descent: error: …</c> on one line of stderr with exit code 2, never as a stack trace.
/// </summary>
public static class CliErrors
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected failure (a bug or an I/O error); still one line.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: options, names, hyperparameters, shapes, files.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C after saving a checkpoint (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Writes <paramref name="message"/> as one <c>descent: error:</c> line and returns <see cref="Usage"/>.</summary>
    public static int Report(TextWriter error, string message)
    {
        error.WriteLine("descent: error: " + OneLine(message));
        error.Flush();
        return Usage;
    }

    /// <summary>Writes an unexpected exception as one line (the type and message; the stack trace only with
    /// <c>DESCENT_DEBUG=1</c>) and returns <see cref="Failure"/>.</summary>
    public static int Unexpected(TextWriter error, Exception e)
    {
        string what = e is IOException or UnauthorizedAccessException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        error.WriteLine("descent: error: " + OneLine(what));
        if (Environment.GetEnvironmentVariable("DESCENT_DEBUG") == "1") error.WriteLine(e);
        error.Flush();
        return Failure;
    }

    /// <summary>Collapses line breaks so a message stays on one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>Long work (a comparison) was interrupted by Ctrl-C after saving what it had; the message says how to
/// continue. The command exits with <see cref="CliErrors.Interrupted"/>.</summary>
/// <param name="message">What happened and how to continue.</param>
public sealed class InterruptedException(string message) : Exception(message);

namespace Descent;

/// <summary>
/// Base class of every error caused by the user's input (files, shapes, hyperparameters, names).
/// The CLI prints its message as one line on stderr and exits with code 2; anything else is a bug.
/// The message is always one line: control characters that user input brings into it (a line break
/// inside an option's value, say) are shown escaped, as <c>\r</c>, <c>\n</c>, <c>\t</c> or <c>\u0001</c>.
/// </summary>
public class DescentException : Exception
{
    /// <summary>Creates the error with a message that names the problem and, where possible, the fix.</summary>
    public DescentException(string message) : base(Visible(message)) { }

    /// <summary>Creates the error with a message and the low-level exception that revealed it.</summary>
    public DescentException(string message, Exception inner) : base(Visible(message), inner) { }

    /// <summary><paramref name="message"/> with its control characters escaped, so that it is one line and
    /// shows what the input held.</summary>
    public static string Visible(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 8);
        foreach (char c in message)
            sb.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return sb.ToString();
    }
}

/// <summary>Tensor shapes that do not fit an operation. The message names both shapes.</summary>
public sealed class ShapeException : DescentException
{
    /// <summary>Creates the error.</summary>
    public ShapeException(string message) : base(message) { }
}

/// <summary>A file that is corrupt, truncated or not in the expected format. The message names the file.</summary>
public sealed class DataFormatException : DescentException
{
    /// <summary>Creates the error.</summary>
    public DataFormatException(string message) : base(message) { }

    /// <summary>Creates the error with the exception that revealed it.</summary>
    public DataFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An invalid setting: an unknown name, a negative learning rate, a β outside [0, 1), an unknown key.</summary>
public sealed class ConfigurationException : DescentException
{
    /// <summary>Creates the error.</summary>
    public ConfigurationException(string message) : base(message) { }
}

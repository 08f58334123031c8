namespace Descent;

/// <summary>
/// Base class of every error caused by the user's input (files, shapes, hyperparameters, names).
/// The CLI prints its message as one line on stderr and exits with code 2; anything else is a bug.
/// </summary>
public class DescentException : Exception
{
    /// <summary>Creates the error with a message that names the problem and, where possible, the fix.</summary>
    public DescentException(string message) : base(message) { }

    /// <summary>Creates the error with a message and the low-level exception that revealed it.</summary>
    public DescentException(string message, Exception inner) : base(message, inner) { }
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

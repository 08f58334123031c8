namespace Descent.Cli.Commands;

/// <summary>The syntax of <c>train</c>'s data and initialization options, for its help.</summary>
public static class TrainRecipeHelp
{
    /// <summary>The help text.</summary>
    public static string Text() => "";
}

namespace Descent.Cli.Plots;

/// <summary>Line colours that stay apart in grayscale and for colour-blind readers (black, then the Okabe-Ito
/// orange, blue, gray, vermilion and sky blue: lightness alternates between neighbours).</summary>
public static class SafeColours
{
    /// <summary>The colours in order.</summary>
    public static IReadOnlyList<string> All { get; } = ["#000000", "#e69f00", "#0072b2", "#999999", "#d55e00", "#56b4e9"];

    /// <summary>Colour <paramref name="index"/> (cycling).</summary>
    public static string At(int index) => All[index % All.Count];
}

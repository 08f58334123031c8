using System.Text.RegularExpressions;

namespace Descent.Tests;

/// <summary>
/// The library's folders form layers and depend only downwards (docs/architecture.md):
/// Tensors and Autograd (one layer) → Nn and Data → Problems and Curvature → Optim and Distributed → Training.
/// The test reads every source file, strips comments and string literals, and fails on any reference
/// (a <c>using</c>, a qualified name, or a bare <c>Optim.X</c> from inside another Descent namespace)
/// from a folder to a folder of a higher layer.
/// </summary>
public class LayeringTests
{
    /// <summary>The layer of each folder of src/Descent; a folder may use its own layer and those below.</summary>
    public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>
    {
        ["Tensors"] = 0, ["Autograd"] = 0,
        ["Nn"] = 1, ["Data"] = 1,
        ["Problems"] = 2, ["Curvature"] = 2,
        ["Optim"] = 3, ["Distributed"] = 3,
        ["Training"] = 4,
    };

    internal static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Descent");
            if (File.Exists(Path.Combine(candidate, "Descent.csproj"))) return candidate;
        }
        throw new InvalidOperationException($"src/Descent not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The source with comments, string and character literals blanked out.</summary>
    internal static string CodeOnly(string source)
    {
        var pattern = new Regex(@"//[^\n]*|/\*.*?\*/|@""(?:""""|[^""])*""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])+'",
            RegexOptions.Singleline);
        return pattern.Replace(source, m => new string(' ', m.Length));
    }

    /// <summary>Every higher-layer folder that <paramref name="code"/> (from <paramref name="folder"/>) refers to.</summary>
    internal static IEnumerable<string> UpwardReferences(string folder, string code)
    {
        int own = Layers[folder];
        foreach (var (other, layer) in Layers)
        {
            if (layer <= own) continue;
            // "Descent.Optim", "using Descent.Optim;", or a bare "Optim.Something" (resolved inside namespace Descent).
            var reference = new Regex($@"\bDescent\.{other}\b|(?<![\w.]){other}\.[A-Z]");
            if (reference.IsMatch(code)) yield return other;
        }
    }

    [Fact]
    public void EveryFolderOfTheLibraryHasALayer()
    {
        var root = SourceRoot();
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj")).ToArray();
        var unknown = folders.Where(f => !Layers.ContainsKey(f!)).ToArray();
        Assert.True(unknown.Length == 0, $"folders without a layer (add them to LayeringTests.Layers and docs/architecture.md): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void NoFolderUsesAHigherLayer()
    {
        var root = SourceRoot();
        var violations = new List<string>();
        foreach (var (folder, _) in Layers)
        {
            var dir = Path.Combine(root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
                foreach (var up in UpwardReferences(folder, CodeOnly(File.ReadAllText(file))))
                    violations.Add($"{Path.GetRelativePath(root, file)} ({folder}, layer {Layers[folder]}) uses {up} (layer {Layers[up]})");
            }
        }
        Assert.True(violations.Count == 0, "upward dependencies:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheCheckCatchesAnUpwardUse()
    {
        // The detector itself: a using, a qualified name and a bare namespace-relative name are caught;
        // comments, strings and same-layer names are not.
        Assert.Equal(["Optim"], UpwardReferences("Nn", CodeOnly("using Descent.Optim;\nclass A {}")));
        Assert.Equal(["Optim"], UpwardReferences("Nn", CodeOnly("class A { Optim.ParameterGroups g; }")));
        Assert.Equal(["Training"], UpwardReferences("Tensors", CodeOnly("var x = new Descent.Training.Trainer();")));
        Assert.Empty(UpwardReferences("Nn", CodeOnly("/// see <c>Optim.ParameterGroups</c>\n// Optim.X\nvar s = \"Descent.Optim\";")));
        Assert.Empty(UpwardReferences("Optim", CodeOnly("using Descent.Nn;\nusing Descent.Tensors;")));
        Assert.Empty(UpwardReferences("Nn", CodeOnly("bool t = model.Training.Equals(true);")));
    }
}

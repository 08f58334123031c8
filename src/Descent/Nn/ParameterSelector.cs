using System.Text.RegularExpressions;

namespace Descent.Nn;

/// <summary>
/// Chooses parameters by a rule: by <see cref="ParameterKind"/>, dotted name (a glob), rank, the type of the
/// module that owns them, or layer position, combined with <c>&amp;</c> (and), <c>|</c> (or) and <c>!</c>
/// (not). One selector concept serves every place that picks parameters: the parameters a
/// <see cref="Penalty"/> regularizes, the rules of an initialization plan (<c>Init.InitPlan</c>) and
/// optimizer parameter groups (<c>Optim.ParameterGroups</c>). It is evaluated on a
/// <see cref="ParameterSite"/>. The text form is documented once, in <see cref="Syntax"/>, and read by
/// <see cref="Parse"/>; <see cref="Text"/> writes it back (parsing <see cref="Text"/> gives an equivalent
/// selector, except for <see cref="Where"/>).
/// <code>
/// var noDecay = ParameterSelector.Kind(ParameterKind.Bias, ParameterKind.NormScale) | ParameterSelector.Rank(1);
/// var same = ParameterSelector.Parse("kind:bias/norm_scale | rank:1");
/// var outputBias = ParameterSelector.Parse("layer:last &amp; kind:bias");
/// </code>
/// </summary>
public sealed class ParameterSelector
{
    /// <summary>
    /// The text grammar of selectors, used everywhere a selector is written (<c>--l2-on</c>, <c>--group</c>,
    /// initialization rules):
    /// <code>
    /// all (or *), none      every parameter / no parameter
    /// kind:K[/K...]         K = weight, bias, norm_scale, norm_shift, other, e.g. kind:bias/norm_scale
    /// name:GLOB             the dotted name; * any run of characters (dots too), ? one, e.g. name:*forget_bias
    /// rank:N                parameters with N dimensions, e.g. rank:1 (biases, normalization scales)
    /// owner:TYPE            owned by a module of class TYPE or a subclass (case-insensitive), e.g. owner:linear
    /// layer:first|last|N    the owner's position among the layers (modules that own a weight); N from 0,
    ///                       negative counts from the end
    /// A&amp;B  A|B  !A  (A)     and, or, not, grouping; ! binds tightest, then &amp;, then |
    /// </code>
    /// <c>key=value</c> means the same as <c>key:value</c>, and <c>type:</c> the same as <c>owner:</c>; kind names
    /// ignore case, <c>_</c> and <c>-</c> (<c>normscale</c>, <c>NormScale</c>). Spaces between terms are allowed.
    /// </summary>
    public const string Syntax =
        "Parameter selectors (--l2-on, the SELECTOR of --group, initialization rules):\n" +
        "  all (or *), none        every parameter / no parameter\n" +
        "  kind:K[/K...]           K = weight, bias, norm_scale, norm_shift, other; e.g. kind:bias/norm_scale\n" +
        "  name:GLOB               dotted parameter name; * any characters (dots too), ? one; e.g. name:*forget_bias\n" +
        "  rank:N                  parameters with N dimensions; e.g. rank:1 (biases, normalization scales)\n" +
        "  owner:TYPE              owned by a module of class TYPE or a subclass (any case); e.g. owner:linear\n" +
        "  layer:first|last|N      position among the layers (modules owning a weight), N from 0, negative from the end\n" +
        "  A&B  A|B  !A  (A)       and, or, not, grouping (! binds tightest, then &, then |); e.g. layer:last&kind:bias\n" +
        "  key=value means the same as key:value (kind=bias); type:TYPE the same as owner:TYPE.\n";

    /// <summary>Operator precedence of the text form: or &lt; and &lt; not &lt; a single term.</summary>
    internal enum Level { Or, And, Not, Term }

    private readonly Func<ParameterSite, bool> predicate;

    private ParameterSelector(string text, Level level, Func<ParameterSite, bool> predicate)
    {
        Text = text;
        Precedence = level;
        this.predicate = predicate;
    }

    /// <summary>The selector in the text form of <see cref="Syntax"/>, e.g. <c>kind:bias/norm_scale|rank:1</c>.</summary>
    public string Text { get; }

    internal Level Precedence { get; }

    /// <summary>Whether the selector chooses <paramref name="site"/>.</summary>
    public bool Matches(ParameterSite site) => predicate(site);

    /// <summary>The parameters of <paramref name="model"/> the selector chooses, in registration order.</summary>
    public IEnumerable<ParameterSite> Select(Module model) => ParameterSite.Of(model).Where(Matches);

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Every parameter (<c>all</c>).</summary>
    public static ParameterSelector All { get; } = new("all", Level.Term, _ => true);

    /// <summary>No parameter (<c>none</c>).</summary>
    public static ParameterSelector None { get; } = new("none", Level.Term, _ => false);

    /// <summary>Parameters of any of the given kinds (<c>kind:K[/K...]</c>).</summary>
    /// <exception cref="ArgumentException">No kind is given.</exception>
    public static ParameterSelector Kind(params ParameterKind[] kinds)
    {
        if (kinds.Length == 0) throw new ArgumentException("Give at least one parameter kind.", nameof(kinds));
        var set = kinds.Distinct().ToArray();
        return new($"kind:{string.Join("/", set.Select(KindName))}", Level.Term, s => set.Contains(s.Kind));
    }

    /// <summary>Parameters whose dotted name matches <paramref name="glob"/> (<c>*</c> any run of characters,
    /// dots included; <c>?</c> one character; <c>name:GLOB</c>).</summary>
    public static ParameterSelector Name(string glob)
    {
        ArgumentException.ThrowIfNullOrEmpty(glob);
        var re = new Regex("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        return new($"name:{glob}", Level.Term, s => re.IsMatch(s.Name));
    }

    /// <summary>Parameters with <paramref name="rank"/> dimensions (<c>rank:N</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rank is negative.</exception>
    public static ParameterSelector Rank(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        return new($"rank:{rank}", Level.Term, s => s.Rank == rank);
    }

    /// <summary>Parameters registered by a module of type <typeparamref name="TModule"/> or a subclass
    /// (<c>owner:TYPE</c>).</summary>
    public static ParameterSelector Owner<TModule>() where TModule : Module =>
        new($"owner:{typeof(TModule).Name.ToLowerInvariant()}", Level.Term, s => s.Owner is TModule);

    /// <summary>Parameters registered by a module whose class, or a base class, is named
    /// <paramref name="typeName"/> (case-insensitive; <c>owner:TYPE</c>).</summary>
    public static ParameterSelector Owner(string typeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        return new($"owner:{typeName.ToLowerInvariant()}", Level.Term, s =>
        {
            for (var t = s.Owner.GetType(); t is not null; t = t.BaseType)
                if (string.Equals(t.Name, typeName, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        });
    }

    /// <summary>Parameters of layer <paramref name="index"/> (see <see cref="ParameterSite.Layer"/>; negative
    /// counts from the end, −1 being the last; <c>layer:N</c>).</summary>
    public static ParameterSelector Layer(int index) =>
        new($"layer:{index}", Level.Term, s => s.Layer >= 0 && s.Layer == (index >= 0 ? index : s.LayerCount + index));

    /// <summary>Parameters of the first layer (<c>layer:first</c>).</summary>
    public static ParameterSelector FirstLayer { get; } = new("layer:first", Level.Term, s => s.Layer == 0);

    /// <summary>Parameters of the last layer, the output layer (<c>layer:last</c>).</summary>
    public static ParameterSelector LastLayer { get; } = new("layer:last", Level.Term, s => s.Layer >= 0 && s.Layer == s.LayerCount - 1);

    /// <summary>A selector from any predicate; <paramref name="description"/> stands in for the text form
    /// (it cannot be parsed back).</summary>
    public static ParameterSelector Where(string description, Func<ParameterSite, bool> predicate)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentNullException.ThrowIfNull(predicate);
        return new(description, Level.Term, predicate);
    }

    /// <summary>Parameters both selectors choose (<c>A&amp;B</c>).</summary>
    public static ParameterSelector operator &(ParameterSelector a, ParameterSelector b) =>
        new($"{Wrap(a, Level.And)}&{Wrap(b, Level.And)}", Level.And, s => a.Matches(s) && b.Matches(s));

    /// <summary>Parameters either selector chooses (<c>A|B</c>).</summary>
    public static ParameterSelector operator |(ParameterSelector a, ParameterSelector b) =>
        new($"{a.Text}|{b.Text}", Level.Or, s => a.Matches(s) || b.Matches(s));

    /// <summary>Parameters the selector does not choose (<c>!A</c>).</summary>
    public static ParameterSelector operator !(ParameterSelector a) =>
        new($"!{Wrap(a, Level.Not)}", Level.Not, s => !a.Matches(s));

    /// <summary>Reads a selector written as <see cref="Syntax"/> describes, e.g. <c>kind:weight</c>,
    /// <c>kind=bias/normscale|rank=1</c> or <c>layer:last&amp;!name:*.scale</c>.</summary>
    /// <exception cref="ConfigurationException">The text is not a selector; the message names the bad term and
    /// lists the valid ones.</exception>
    public static ParameterSelector Parse(string text) => ParameterSelectorParser.Parse(text);

    /// <summary>
    /// Reads the selector at the start of <paramref name="text"/> and stops before the first character that
    /// cannot continue it (such as the <c>:</c> before a parameter group's settings or the <c>=</c> before an
    /// initialization scheme); <paramref name="end"/> is that character's index.
    /// </summary>
    /// <exception cref="ConfigurationException">No selector starts <paramref name="text"/>.</exception>
    public static ParameterSelector ParsePrefix(string text, out int end) => ParameterSelectorParser.ParsePrefix(text, out end);

    /// <summary>The text form's name of a kind: <c>weight</c>, <c>bias</c>, <c>norm_scale</c>, <c>norm_shift</c>, <c>other</c>.</summary>
    public static string KindName(ParameterKind kind) => ParameterSelectorParser.KindNames[(int)kind];

    private static string Wrap(ParameterSelector s, Level level) => s.Precedence < level ? $"({s.Text})" : s.Text;
}

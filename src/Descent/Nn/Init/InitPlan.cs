using Descent.Tensors;

namespace Descent.Nn.Init;

/// <summary>
/// An ordered list of rules that initialize a model's parameters. Each parameter gets the scheme of the
/// <b>last</b> rule that matches it (write general rules first and exceptions after, as in CSS); parameters
/// no rule matches keep their current values (the layer's own default). Every parameter draws from its own
/// stream <c>Rng.Stream(seed, "init:" + name)</c>, so a parameter's values depend only on the seed, its name
/// and its scheme — not on the order of the rules or on the other parameters.
/// <code>
/// var plan = new InitPlan()
///     .Add(ParameterSelector.Kind(ParameterKind.Weight), InitScheme.GlorotUniform())
///     .Add(ParameterSelector.Kind(ParameterKind.Bias), InitScheme.Zeros)
///     .Add(ParameterSelector.LastLayer &amp; ParameterSelector.Kind(ParameterKind.Bias),
///          OutputBias.Scheme(OutputLoss.SoftmaxCrossEntropy, labels, classes: 10))
///     .Add("name:*forget_bias=constant:1");
/// plan.Apply(model, seed: 42);
/// </code>
/// </summary>
public sealed class InitPlan
{
    private readonly List<InitRule> rules = new();

    /// <summary>The rules, in order.</summary>
    public IReadOnlyList<InitRule> Rules => rules;

    /// <summary>Appends a rule.</summary>
    public InitPlan Add(InitRule rule)
    {
        rules.Add(rule);
        return this;
    }

    /// <summary>Appends "parameters matching <paramref name="selector"/> get <paramref name="scheme"/>".</summary>
    public InitPlan Add(ParameterSelector selector, InitScheme scheme) => Add(new InitRule(selector, scheme));

    /// <summary>Appends a rule written as text (see <see cref="InitRule.Parse"/>).</summary>
    public InitPlan Add(string rule, string? activation = null) => Add(InitRule.Parse(rule, activation));

    /// <summary>Parses rules separated by ';' or newlines, e.g.
    /// <c>kind:weight=he_normal; kind:bias=constant:0.01; layer:last&amp;kind:bias=zeros</c>.</summary>
    public static InitPlan Parse(string text, string? activation = null)
    {
        var plan = new InitPlan();
        foreach (var r in text.Split([';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            plan.Add(r, activation);
        return plan;
    }

    /// <summary>
    /// The usual plan: <paramref name="weights"/> on every weight, <paramref name="hiddenBias"/> on every
    /// bias (0, or a small positive constant such as 0.01 before ReLUs against dead units) except the output
    /// layer's (0), and <paramref name="forgetBias"/> for parameters named <c>*forget_bias</c> (an LSTM's forget
    /// gate starts open, so the cell remembers: Gers, Schmidhuber &amp; Cummins 2000; Jozefowicz et al. 2015).
    /// Normalization parameters keep their layers' defaults (BatchNorm's γ = 1, β = 0; weight normalization's
    /// g = ‖v‖ must not be reset independently of v).
    /// </summary>
    public static InitPlan Standard(InitScheme weights, double hiddenBias = 0, double forgetBias = 1) =>
        new InitPlan()
            .Add(ParameterSelector.Kind(ParameterKind.Weight), weights)
            .Add(ParameterSelector.Kind(ParameterKind.Bias), InitScheme.Constant(hiddenBias))
            .Add(ParameterSelector.LastLayer & ParameterSelector.Kind(ParameterKind.Bias), InitScheme.Zeros)
            .Add(ParameterSelector.Name("*forget_bias"), InitScheme.Constant(forgetBias));

    /// <summary>Which scheme each parameter would get (parameters no rule matches are left out).</summary>
    public IReadOnlyList<InitAssignment> Resolve(Module model)
    {
        var result = new List<InitAssignment>();
        foreach (var site in ParameterSite.Of(model))
        {
            InitScheme? scheme = null;
            foreach (var r in rules)
                if (r.Selector.Matches(site)) scheme = r.Scheme;
            if (scheme is null) continue;
            if (scheme.NeedsMatrix && site.Parameter.Rank < 2)
                throw new ShapeException(
                    $"Initialization '{scheme.Text}' needs a weight of at least 2 dimensions, but '{site.Name}' has shape {site.Parameter.Shape}; " +
                    "restrict the rule, e.g. with kind:weight.");
            result.Add(new InitAssignment(site.Name, site.Kind, site.Parameter.Shape, scheme));
        }
        return result;
    }

    /// <summary>Initializes <paramref name="model"/> in place and returns what was done to which parameter.</summary>
    public IReadOnlyList<InitAssignment> Apply(Module model, ulong seed)
    {
        var assignments = Resolve(model);
        var byName = model.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter);
        foreach (var a in assignments)
            a.Scheme.Apply(byName[a.Name], ParameterStream(seed, a.Name));
        return assignments;
    }

    /// <summary>The random stream parameter <paramref name="name"/> is initialized from.</summary>
    public static Rng ParameterStream(ulong seed, string name) => Rng.Stream(seed, "init:" + name);
}

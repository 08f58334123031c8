using Descent.Tensors;

namespace Descent.Nn;

/// <summary>The activation functions a network can use between layers.</summary>
public enum Activation
{
    /// <summary>f(x) = x.</summary>
    Identity,
    /// <summary>The logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>tanh.</summary>
    Tanh,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>Leaky ReLU (slope 0.01 by default).</summary>
    LeakyRelu,
    /// <summary>ELU (α = 1 by default).</summary>
    Elu,
    /// <summary>log(1 + eˣ).</summary>
    Softplus,
    /// <summary>x·Φ(x).</summary>
    Gelu,
}

/// <summary>Looks activations up by name and builds their modules.</summary>
public static class Activations
{
    private static readonly (string Name, Activation Kind)[] Names =
    [
        ("sigmoid", Activation.Sigmoid), ("logistic", Activation.Sigmoid),
        ("tanh", Activation.Tanh),
        ("relu", Activation.Relu),
        ("leaky_relu", Activation.LeakyRelu),
        ("elu", Activation.Elu),
        ("softplus", Activation.Softplus),
        ("gelu", Activation.Gelu),
        ("linear", Activation.Identity), ("identity", Activation.Identity),
    ];

    /// <summary>The accepted names (lowercase; hyphens may replace underscores).</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>The activation called <paramref name="name"/> (<c>sigmoid</c>/<c>logistic</c>, <c>tanh</c>,
    /// <c>relu</c>, <c>leaky_relu</c>, <c>elu</c>, <c>softplus</c>, <c>gelu</c>, <c>linear</c>/<c>identity</c>).</summary>
    /// <exception cref="ConfigurationException">For an unknown name; the message lists the valid ones.</exception>
    public static Activation Parse(string name)
    {
        var key = (name ?? "").Trim().ToLowerInvariant().Replace('-', '_');
        foreach (var (n, kind) in Names)
            if (n == key) return kind;
        throw new ConfigurationException($"Unknown activation '{name}'. Valid names: {string.Join(", ", ValidNames)}.");
    }

    /// <summary>A module for the activation called <paramref name="name"/> (see <see cref="Parse"/>).</summary>
    public static Module Create(string name) => Create(Parse(name));

    /// <summary>A module computing <paramref name="activation"/>; <paramref name="parameter"/> overrides the
    /// leaky ReLU's slope or ELU's α.</summary>
    public static Module Create(Activation activation, double? parameter = null) => activation switch
    {
        Activation.Identity => new Identity(),
        Activation.Sigmoid => new Sigmoid(),
        Activation.Tanh => new Tanh(),
        Activation.Relu => new ReLU(),
        Activation.LeakyRelu => new LeakyReLU(parameter ?? 0.01),
        Activation.Elu => new ELU(parameter ?? 1.0),
        Activation.Softplus => new Softplus(),
        Activation.Gelu => new GELU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>Applies <paramref name="activation"/> to <paramref name="x"/> (default parameters).</summary>
    public static Tensor Apply(Activation activation, Tensor x) => Create(activation).Forward(x);

    /// <summary>The lowercase name of <paramref name="activation"/> (as accepted by <see cref="Parse"/>).</summary>
    public static string NameOf(Activation activation) => activation switch
    {
        Activation.Identity => "linear",
        Activation.LeakyRelu => "leaky_relu",
        _ => activation.ToString().ToLowerInvariant(),
    };
}

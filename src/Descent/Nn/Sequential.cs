using Descent.Tensors;

namespace Descent.Nn;

/// <summary>Applies its modules one after the other. Children are named "0", "1", … .</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> layers = new();

    /// <summary>Creates the chain.</summary>
    public Sequential(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module.</summary>
    public Sequential Add(Module module)
    {
        AddModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<Module> Layers => layers;

    /// <summary>Module i.</summary>
    public Module this[int i] => layers[i];

    /// <summary>Applies the layers in order; runs that have a fused op (see <see cref="Fusion"/>, e.g.
    /// Conv2d → ReLU → MaxPool2d(2)) are computed by it, with the same values and gradients.</summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count;)
        {
            int fused = Fusion.TryForward(layers, i, x, out var y);
            if (fused > 0)
            {
                x = y;
                i += fused;
            }
            else x = layers[i++].Forward(x);
        }
        return x;
    }
}

namespace Descent.Optim.SecondOrder;

/// <summary>
/// The registry of the line-search and second-order methods for <see cref="OptimizerFactory"/>: each
/// method's description (name, update, citation, keys for <c>--help</c>) and how to create it from
/// validated settings.
/// </summary>
public static class SecondOrderMethods
{
    /// <summary>Every method, in the order <c>--help</c> lists them.</summary>
    internal static IEnumerable<(OptimizerInfo Info, Func<OptimizerSettings, Optimizer> Create)> Entries()
    {
        yield return (ConjugateGradient.Definition, s => new ConjugateGradient(s));
        yield return (Bfgs.Definition, s => new Bfgs(s));
        yield return (Lbfgs.Definition, s => new Lbfgs(s));
        yield return (Newton.Definition, s => new Newton(s));
        yield return (SaddleFreeNewton.Definition, s => new SaddleFreeNewton(s));
        yield return (HessianFree.Definition, s => new HessianFree(s));
        yield return (NaturalGradient.Definition, s => new NaturalGradient(s));
        yield return (Kfac.Definition, s => new Kfac(s));
    }
}

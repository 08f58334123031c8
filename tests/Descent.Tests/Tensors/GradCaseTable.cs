using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>
/// A named table of gradient-check cases: each case is a function of float64 tensors and a recipe for
/// its inputs. Theories take the case name (so every op is its own, readable test case) and run
/// <see cref="GradCheck.Check"/> or <see cref="GradCheck.CheckSecondOrder"/> on it. Inputs come from a
/// random stream named after the case, so they are the same in every run.
/// </summary>
internal sealed class GradCaseTable
{
    private readonly Dictionary<string, (Func<Tensor[], Tensor> F, Func<Rng, Tensor>[] Inputs)> cases = new();

    /// <summary>Adds a case; input recipes draw from the case's own stream.</summary>
    public GradCaseTable Add(string name, Func<Tensor[], Tensor> f, params Func<Rng, Tensor>[] inputs)
    {
        cases.Add(name, (f, inputs));
        return this;
    }

    /// <summary>Member data for a theory: the case names.</summary>
    public TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in cases.Keys) data.Add(name);
        return data;
    }

    /// <summary>The inputs of a case (fresh tensors each call).</summary>
    public Tensor[] Inputs(string name)
    {
        var rng = Rng.Stream(7, name);
        return cases[name].Inputs.Select(make => make(rng)).ToArray();
    }

    /// <summary>Asserts that the first derivatives of the case match central differences.</summary>
    public void AssertFirstOrder(string name, double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5)
    {
        var r = GradCheck.Check(cases[name].F, Inputs(name), eps, atol, rtol);
        Assert.True(r.Passed, $"{name}: {r}");
    }

    /// <summary>Asserts that the derivatives of the (recorded) gradient match central differences.</summary>
    public void AssertSecondOrder(string name, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4)
    {
        var r = GradCheck.CheckSecondOrder(cases[name].F, Inputs(name), eps, atol, rtol);
        Assert.True(r.Passed, $"{name} (second order): {r}");
    }
}

/// <summary>Input recipes for gradient checks (all float64).</summary>
internal static class Gen
{
    /// <summary>Standard normal values.</summary>
    public static Func<Rng, Tensor> N(params int[] shape) => rng => Tensor.Randn(shape, rng, dtype: DType.Float64);

    /// <summary>Uniform values on [lo, hi).</summary>
    public static Func<Rng, Tensor> U(double lo, double hi, params int[] shape) =>
        rng => Tensor.Rand(shape, rng, lo, hi, DType.Float64);

    /// <summary>Positive values on [0.5, 2) (for Log, Sqrt, Pow bases, divisors).</summary>
    public static Func<Rng, Tensor> Pos(params int[] shape) => U(0.5, 2, shape);

    /// <summary>Values with |x| in [0.2, 1.5) and a random sign: away from the kink at 0.</summary>
    public static Func<Rng, Tensor> Away(params int[] shape) => AwayIn(0.2, 1.5, shape);

    /// <summary>Values with |x| in [<paramref name="lo"/>, <paramref name="hi"/>) and a random sign.</summary>
    public static Func<Rng, Tensor> AwayIn(double lo, double hi, params int[] shape) => rng =>
    {
        var t = Tensor.Rand(shape, rng, lo, hi, DType.Float64);
        var d = t.Doubles;
        for (int i = 0; i < d.Length; i++) if (rng.NextDouble() < 0.5) d[i] = -d[i];
        return t;
    };

    /// <summary>Normal values pushed at least <paramref name="margin"/> away from each of <paramref name="kinks"/>.</summary>
    public static Func<Rng, Tensor> Avoiding(double[] kinks, double margin, params int[] shape) => rng =>
    {
        var t = Tensor.Randn(shape, rng, dtype: DType.Float64);
        var d = t.Doubles;
        for (int i = 0; i < d.Length; i++)
            foreach (var k in kinks)
                if (Math.Abs(d[i] - k) < margin) d[i] = k + (d[i] >= k ? margin : -margin);
        return t;
    };

    /// <summary>A permutation of evenly spaced distinct values (no ties, gaps of 0.1): for Max/Min.</summary>
    public static Func<Rng, Tensor> Distinct(params int[] shape) => rng =>
    {
        var t = Tensor.Empty(shape, DType.Float64);
        var v = t.Doubles;
        var p = rng.Permutation(v.Length);
        for (int i = 0; i < v.Length; i++) v[i] = (p[i] - v.Length / 2.0) * 0.1 + 0.01 * rng.NextDouble();
        return t;
    };

    /// <summary>Values k·0.2 + <paramref name="offset"/> + [0, 0.02) for random integers k in [−8, 8]:
    /// two tensors with offsets 0 and 0.1 are never within 0.06 of each other (Maximum/Minimum away from ties).</summary>
    public static Func<Rng, Tensor> Grid(double offset, params int[] shape) => rng =>
    {
        var t = Tensor.Empty(shape, DType.Float64);
        var v = t.Doubles;
        for (int i = 0; i < v.Length; i++) v[i] = (rng.NextInt(17) - 8) * 0.2 + offset + 0.02 * rng.NextDouble();
        return t;
    };
}

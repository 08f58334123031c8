using Descent.Optim;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

/// <summary>
/// Each optimizer's first steps on the quadratic f(x) = ½(x₁² + 10x₂²) from (1.5, −2), in float64, against
/// the update written out here from the paper's formula (per coordinate, since the problem is separable:
/// gᵢ = aᵢxᵢ). The expected numbers come from these few lines, not from the code under test.
/// </summary>
public class FirstStepsTests
{
    private static readonly double[] X0 = [1.5, -2.0];
    private static readonly double[] A = [1.0, 10.0];

    /// <summary>Per-coordinate expected trajectory: <paramref name="step"/> maps (x, a, t, state) to the new x,
    /// with the gradient computed inside (so look-ahead methods can take it elsewhere).</summary>
    private static double[][] Expected(int steps, Func<double, double, int, double[], double> step, int stateSize = 4)
    {
        var result = new double[steps][];
        var x = (double[])X0.Clone();
        var state = X0.Select(_ => new double[stateSize]).ToArray();
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = step(x[i], A[i], t, state[i]);
            result[t - 1] = (double[])x.Clone();
        }
        return result;
    }

    private static void Check(string name, Dictionary<string, string> settings, double[][] expected)
    {
        var (_, objective) = Quadratic(X0, A);
        var opt = OptimizerFactory.Create(name, settings, objective.Parameters);
        var actual = Run(opt, objective, expected.Length);
        for (int t = 0; t < expected.Length; t++)
            for (int i = 0; i < X0.Length; i++)
                Close(expected[t][i], actual[t][i], 1e-12, $"{name} step {t + 1} x{i}");
    }

    [Fact]
    public void GradientDescent() => Check("gd", S("lr=0.05"), Expected(3, (x, a, t, s) => x - 0.05 * a * x));

    [Fact]
    public void SgdWithWeightDecay() => Check("sgd", S("lr=0.05", "weight_decay=0.1"), Expected(3, (x, a, t, s) => x - 0.05 * (a * x + 0.1 * x)));

    [Fact]
    public void SgdWithDampenedMomentumBuffer() => Check("sgd", S("lr=0.05", "momentum=0.9", "dampening=0.5"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = t == 1 ? g : 0.9 * s[0] + 0.5 * g;
        return x - 0.05 * s[0];
    }));

    [Fact]
    public void MomentumCourseForm() => Check("momentum", S(), Expected(3, (x, a, t, s) =>
    {
        s[0] = 0.9 * s[0] - 0.01 * a * x;
        return x + s[0];
    }));

    [Fact]
    public void NesterovReformulated() => Check("nesterov", S("lr=0.02"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.9 * s[0] - 0.02 * g;
        return x + 0.9 * s[0] - 0.02 * g;
    }));

    [Fact]
    public void NesterovLookAheadTakesTheGradientAtTheLookAheadPoint() => Check("nesterov", S("lr=0.02", "form=lookahead"), Expected(3, (x, a, t, s) =>
    {
        double g = a * (x + 0.9 * s[0]);
        s[0] = 0.9 * s[0] - 0.02 * g;
        return x + s[0];
    }));

    [Fact]
    public void AdaGrad() => Check("adagrad", S(), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] += g * g;
        return x - 0.01 / (1e-7 + Math.Sqrt(s[0])) * g;
    }));

    [Fact]
    public void AdaGradPytorchWithLrDecayAndInitialAccumulator() => Check("adagrad",
        S("variant=pytorch", "lr=0.1", "lr_decay=0.5", "initial_accumulator_value=0.2"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        if (t == 1) s[0] = 0.2;
        s[0] += g * g;
        return x - 0.1 / (1 + (t - 1) * 0.5) * g / (Math.Sqrt(s[0]) + 1e-10);
    }));

    [Fact]
    public void RmsProp() => Check("rmsprop", S(), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g * g;
        return x - 0.001 / (1e-6 + Math.Sqrt(s[0])) * g;
    }));

    [Fact]
    public void RmsPropWithDeltaInsideTheRoot() => Check("rmsprop", S("eps_inside=true", "eps=0.01"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g * g;
        return x - 0.001 / Math.Sqrt(0.01 + s[0]) * g;
    }));

    [Fact]
    public void RmsPropCenteredWithMomentum() => Check("rmsprop", S("centered=true", "momentum=0.5", "lr=0.01"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g * g;
        s[1] = 0.9 * s[1] + 0.1 * g;
        s[2] = 0.5 * s[2] - 0.01 * g / (Math.Sqrt(s[0] - s[1] * s[1]) + 1e-6);
        return x + s[2];
    }));

    [Fact]
    public void RmsPropPytorchMomentumBuffer() => Check("rmsprop", S("variant=pytorch", "momentum=0.9"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.99 * s[0] + 0.01 * g * g;
        s[1] = 0.9 * s[1] + g / (Math.Sqrt(s[0]) + 1e-8);
        return x - 0.01 * s[1];
    }));

    [Fact]
    public void RmsPropNesterov() => Check("rmsprop-nesterov", S("lr=0.01"), Expected(3, (x, a, t, s) =>
    {
        double g = a * (x + 0.9 * s[1]);
        s[0] = 0.9 * s[0] + 0.1 * g * g;
        s[1] = 0.9 * s[1] - 0.01 / (1e-6 + Math.Sqrt(s[0])) * g;
        return x + s[1];
    }));

    [Fact]
    public void AdaDelta() => Check("adadelta", S(), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.95 * s[0] + 0.05 * g * g;
        double d = Math.Sqrt((s[1] + 1e-6) / (s[0] + 1e-6)) * g;
        s[1] = 0.95 * s[1] + 0.05 * d * d;
        return x - d;
    }));

    private static double AdamStep(double x, double g, int t, double[] s, double lr, double b1, double b2, double eps)
    {
        s[0] = b1 * s[0] + (1 - b1) * g;
        s[1] = b2 * s[1] + (1 - b2) * g * g;
        double mhat = s[0] / (1 - Math.Pow(b1, t)), vhat = s[1] / (1 - Math.Pow(b2, t));
        return x - lr * mhat / (Math.Sqrt(vhat) + eps);
    }

    [Fact]
    public void Adam() => Check("adam", S(), Expected(3, (x, a, t, s) => AdamStep(x, a * x, t, s, 0.001, 0.9, 0.999, 1e-8)));

    [Fact]
    public void AdamWithL2Penalty() => Check("adam", S("weight_decay=0.5", "lr=0.1"), Expected(3, (x, a, t, s) => AdamStep(x, a * x + 0.5 * x, t, s, 0.1, 0.9, 0.999, 1e-8)));

    [Fact]
    public void AdamWDecouplesTheDecay() => Check("adamw", S("lr=0.1", "weight_decay=0.5"), Expected(3, (x, a, t, s) =>
        AdamStep(x * (1 - 0.1 * 0.5), a * x, t, s, 0.1, 0.9, 0.999, 1e-8)));

    [Fact]
    public void AmsGradPaperFormHasNoBiasCorrection() => Check("amsgrad", S("lr=0.1", "beta2=0.5"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g;
        s[1] = 0.5 * s[1] + 0.5 * g * g;
        s[2] = Math.Max(s[2], s[1]);
        return x - 0.1 * s[0] / (Math.Sqrt(s[2]) + 1e-8);
    }));

    [Fact]
    public void AdaMax() => Check("adamax", S(), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g;
        s[1] = Math.Max(0.999 * s[1], Math.Abs(g) + 1e-8);
        return x - 0.002 / (1 - Math.Pow(0.9, t)) * s[0] / s[1];
    }));

    [Fact]
    public void NAdam() => Check("nadam", S(), Expected(3, (x, a, t, s) =>
    {
        double Mu(int k) => 0.9 * (1 - 0.5 * Math.Pow(0.96, k * 0.004));
        double prod = 1;
        for (int k = 1; k <= t; k++) prod *= Mu(k);
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g;
        s[1] = 0.999 * s[1] + 0.001 * g * g;
        double denom = Math.Sqrt(s[1] / (1 - Math.Pow(0.999, t))) + 1e-8;
        return x - 0.002 * ((1 - Mu(t)) / (1 - prod) * g + Mu(t + 1) / (1 - prod * Mu(t + 1)) * s[0]) / denom;
    }));

    [Fact]
    public void RAdamSwitchesFromMomentumToTheRectifiedStep()
    {
        // ρₜ ≈ t early on, so the paper's threshold 4 is crossed at step 5 (with β₂ = 0.9: ρ∞ = 19).
        Check("radam", S("lr=0.1", "beta2=0.9"), Expected(8, (x, a, t, s) =>
        {
            double g = a * x;
            s[0] = 0.9 * s[0] + 0.1 * g;
            s[1] = 0.9 * s[1] + 0.1 * g * g;
            double mhat = s[0] / (1 - Math.Pow(0.9, t));
            double rhoInf = 2 / (1 - 0.9) - 1, bt = Math.Pow(0.9, t), rho = rhoInf - 2 * t * bt / (1 - bt);
            if (rho <= 4) return x - 0.1 * mhat;
            double r = Math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
            return x - 0.1 * r * mhat * Math.Sqrt(1 - bt) / (Math.Sqrt(s[1]) + 1e-8);
        }));
    }

    [Fact]
    public void Yogi() => Check("yogi", S(), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        if (t == 1) s[1] = 1e-6;
        s[0] = 0.9 * s[0] + 0.1 * g;
        s[1] -= 0.001 * Math.Sign(s[1] - g * g) * g * g;
        return x - 0.01 * s[0] / (Math.Sqrt(s[1]) + 1e-3);
    }));

    [Fact]
    public void Lion() => Check("lion", S("lr=0.01", "weight_decay=0.5"), Expected(3, (x, a, t, s) =>
    {
        double g = a * x;
        double c = 0.9 * s[0] + 0.1 * g;
        s[0] = 0.99 * s[0] + 0.01 * g;
        return x - 0.01 * (Math.Sign(c) + 0.5 * x);
    }));

    [Fact]
    public void AdaBelief() => Check("adabelief", S("lr=0.1", "eps=1e-8"), Expected(3, (x, a, t, s) =>
    {
        // Zhuang et al. 2020, Alg. 2: m ← β₁m + (1−β₁)g; s ← β₂s + (1−β₂)(g − m)² + ε; θ ← θ − μ m̂/(√ŝ + ε).
        double g = a * x;
        s[0] = 0.9 * s[0] + 0.1 * g;
        s[1] = 0.999 * s[1] + 0.001 * (g - s[0]) * (g - s[0]) + 1e-8;
        double mhat = s[0] / (1 - Math.Pow(0.9, t)), shat = s[1] / (1 - Math.Pow(0.999, t));
        return x - 0.1 * mhat / (Math.Sqrt(shat) + 1e-8);
    }));

    [Fact]
    public void LookaheadPullsTheFastWeightsBackEveryKSteps()
    {
        var slow = (double[])X0.Clone();
        Check("lookahead", S("inner=sgd", "lr=0.05", "k=2", "alpha=0.5"), Expected(4, (x, a, t, s) =>
        {
            // s[0] holds the slow weight (starts at x₀).
            if (t == 1) s[0] = x;
            double fast = x - 0.05 * a * x;
            if (t % 2 != 0) return fast;
            s[0] += 0.5 * (fast - s[0]);
            return s[0];
        }));
    }
}

using Descent.Optim;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

/// <summary>The course's example F (docs/course.md): gradient descent on f(x) = x² from x₀ = 10, ten steps.</summary>
public class CourseExampleTests
{
    [Theory]
    [InlineData("0.2", 0.060466)]
    [InlineData("0.05", 3.486784)]
    [InlineData("1.1", 61.917364)]
    public void GradientDescentOnXSquared(string lr, double expected)
    {
        // f(x) = x² is ½·a·x² with a = 2.
        var (_, objective) = Quadratic([10.0], [2.0]);
        var opt = OptimizerFactory.Create("gd", S($"lr={lr}"), objective.Parameters);
        var xs = Run(opt, objective, 10);
        Assert.Equal(expected, xs[^1][0], 6);
        Assert.Equal(10, opt.StepCount);
    }

    [Fact]
    public void TheDivergingRateGrowsByTheFactorOneMinusTwoEtaInMagnitude()
    {
        // x ← (1 − 2η)x: with η = 1.1 every step multiplies x by −1.2.
        var (_, objective) = Quadratic([10.0], [2.0]);
        var opt = OptimizerFactory.Create("gd", S("lr=1.1"), objective.Parameters);
        var xs = Run(opt, objective, 3);
        Assert.Equal(-12.0, xs[0][0], 10);
        Assert.Equal(14.4, xs[1][0], 10);
        Assert.Equal(-17.28, xs[2][0], 10);
    }
}

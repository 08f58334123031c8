using Descent.Optim.Schedules;

namespace Descent.Tests.Optim;

public class ScheduleTests
{
    private static void Factor(string spec, long step, double expected) =>
        Assert.Equal(expected, Schedule.Parse(spec).Factor(step), 12);

    [Fact]
    public void LinearDecayIsTheCourseFormulaThenConstant()
    {
        // μᵢ = (1 − i/τ)μ₀ + (i/τ)μ_τ with μ_τ/μ₀ = 0.1, τ = 100.
        Factor("linear:tau=100,end=0.1", 0, 1);
        Factor("linear:tau=100,end=0.1", 25, 0.75 + 0.25 * 0.1);
        Factor("linear:tau=100,end=0.1", 100, 0.1);
        Factor("linear:100", 1000, 0.01);
    }

    [Fact]
    public void InverseTimeStepAndMultiStep()
    {
        Factor("inverse-time:gamma=0.5", 4, 1 / 3.0);
        Factor("1/t:0.1", 10, 0.5);
        Factor("step:size=30,gamma=0.1", 29, 1);
        Factor("step:size=30,gamma=0.1", 30, 0.1);
        Factor("step:30", 65, 0.01);
        Factor("multistep:at=10/20,gamma=0.5", 9, 1);
        Factor("multistep:at=10/20,gamma=0.5", 10, 0.5);
        Factor("multistep:at=10/20,gamma=0.5", 25, 0.25);
    }

    [Fact]
    public void ExponentialAndPolynomial()
    {
        Factor("exponential:alpha=0.1", 10, Math.Exp(-1));
        Factor("exp:0.01", 0, 1);
        Factor("poly:T=10,power=2", 5, 0.25);
        Factor("polynomial:T=10,power=1,end=0.2", 5, 0.6);
        Factor("poly:T=10", 12, 0);
    }

    [Fact]
    public void CosineWithAndWithoutRestarts()
    {
        Factor("cosine:T=100", 0, 1);
        Factor("cosine:T=100", 50, 0.5);
        Factor("cosine:T=100,min=0.2", 100, 0.2);
        Factor("cosine:T=100,min=0.2", 150, 0.2);
        Factor("cosine:T=100,restarts=true", 100, 1);
        Factor("cosine:T=100,restarts=true", 150, 0.5);
        // Periods 10, 20, 40: step 30 starts the third period; step 20 is the middle of the second.
        Factor("cosine:T=10,restarts=true,mult=2", 30, 1);
        Factor("cosine:T=10,restarts=true,mult=2", 20, 0.5);
    }

    [Fact]
    public void WarmupThenCosineStartsTheCosineWhereTheWarmupEnds()
    {
        var s = Schedule.Parse("warmup:500+cosine:T=1000");
        Assert.Equal(0, s.Factor(0), 12);
        Assert.Equal(0.5, s.Factor(250), 12);
        Assert.Equal(1, s.Factor(500), 12);
        Assert.Equal(0.5, s.Factor(1000), 12);
        Assert.Equal(0, s.Factor(1500), 12);
        Assert.Equal(1500, s.Length);
        Assert.Equal(0.5, Schedule.Parse("warmup:steps=10,start=0.5").Factor(0), 12);
    }

    [Fact]
    public void ThenJoinsInCode()
    {
        var s = new WarmupSchedule(10).Then(new StepDecaySchedule(5, 0.5));
        Assert.Equal(0.5, s.Factor(5), 12);
        Assert.Equal(1, s.Factor(14), 12);
        Assert.Equal(0.5, s.Factor(15), 12);
    }

    [Fact]
    public void TriangularCyclesBetweenLowAndOne()
    {
        Factor("cyclic:half=10,low=0.2", 0, 0.2);
        Factor("cyclic:half=10,low=0.2", 5, 0.6);
        Factor("cyclic:half=10,low=0.2", 10, 1);
        Factor("cyclic:half=10,low=0.2", 20, 0.2);
        Factor("cyclic:half=10,low=0.2", 30, 1);
        // triangular2 halves the amplitude each cycle.
        Factor("cyclic:half=10,low=0,mode=triangular2", 30, 0.5);
    }

    [Fact]
    public void OneCycleRisesToThePeakThenAnnealsToTheFloor()
    {
        var s = Schedule.Parse("onecycle:total=101,pct=0.3,div=25,final_div=1e4");
        Assert.Equal(1 / 25.0, s.Factor(0), 12);
        // The peak is at step pct·total − 1 = 29.3; at step 29 the cosine has nearly reached 1.
        Assert.True(s.Factor(29) > 0.999);
        Assert.Equal(1 / 25.0 / 1e4, s.Factor(100), 12);
        Assert.True(s.Factor(60) < s.Factor(40));
    }

    [Fact]
    public void ReduceOnPlateauWaitsForPatienceAndItsStateRoundTrips()
    {
        var s = (ReduceOnPlateau)Schedule.Parse("plateau:factor=0.5,patience=2");
        foreach (var loss in new[] { 1.0, 0.9, 0.95, 0.91 }) s.Report(loss);
        Assert.Equal(1, s.Factor(0));
        s.Report(0.92); // third report without improvement > patience
        Assert.Equal(0.5, s.Factor(0));
        var copy = (ReduceOnPlateau)Schedule.Parse(s.Spec);
        copy.LoadState(s.State);
        foreach (var loss in new[] { 0.93, 0.94, 0.95 }) { s.Report(loss); copy.Report(loss); }
        Assert.Equal(0.25, s.Factor(0));
        Assert.Equal(s.Factor(0), copy.Factor(0));
        Assert.Equal(s.State, copy.State);
    }

    [Fact]
    public void MaxModeCountsIncreasesAsImprovements()
    {
        var s = Schedule.Parse("plateau:factor=0.1,patience=0,mode=max");
        s.Report(0.5);
        s.Report(0.6);
        Assert.Equal(1, s.Factor(0));
        s.Report(0.55);
        Assert.Equal(0.1, s.Factor(0), 12);
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("linear:tau=100,end=0.1")]
    [InlineData("warmup:500+cosine:T=1000,min=0.1")]
    [InlineData("cosine:T=10,restarts=true,mult=2")]
    [InlineData("multistep:at=3/7,gamma=0.5")]
    [InlineData("cyclic:half=10,low=0.2,mode=exp_range,gamma=0.99")]
    [InlineData("onecycle:total=100")]
    [InlineData("plateau:factor=0.5")]
    [InlineData("constant:steps=10+exponential:alpha=1e-3")]
    public void SpecRoundTrips(string text)
    {
        var s = Schedule.Parse(text);
        var again = Schedule.Parse(s.Spec);
        Assert.Equal(s.Spec, again.Spec);
        foreach (long t in new long[] { 0, 1, 5, 17, 99, 250, 1234 }) Assert.Equal(s.Factor(t), again.Factor(t));
    }

    [Fact]
    public void ExponentsWithPlusSignsAreNotPartSeparators()
    {
        var s = Schedule.Parse("exponential:alpha=1e+0");
        Assert.Equal(Math.Exp(-2), s.Factor(2), 12);
    }

    [Theory]
    [InlineData("cosin:T=10", "did you mean 'cosine'")]
    [InlineData("cosine", "needs T")]
    [InlineData("cosine:T=10,gama=2", "has no key 'gama'")]
    [InlineData("step:size=abc", "size must be an integer")]
    [InlineData("step:size=10+cosine:T=5", "never ends")]
    [InlineData("multistep:at=30/20", "increasing")]
    [InlineData("warmup:10+", "Empty part")]
    [InlineData("cosine:T=10,5", "needs a key")]
    public void BadSchedulesAreClearErrors(string text, string fragment)
    {
        var e = Assert.Throws<ConfigurationException>(() => Schedule.Parse(text));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void HelpListsEverySchedule()
    {
        var help = ScheduleParser.Help();
        foreach (var name in new[] { "constant", "linear", "inverse-time", "step", "multistep", "exponential", "polynomial", "cosine", "warmup", "cyclic", "onecycle", "plateau" })
            Assert.Contains(name, help);
    }

    [Theory]
    [InlineData("step:size=30,gamma=5", "gamma")]
    [InlineData("multistep:at=10/20,gamma=1.5", "gamma")]
    [InlineData("cyclic:half=10,mode=exp_range,gamma=1.01", "gamma")]
    public void DecayFactorAboveOne_IsRefused(string spec, string key)
    {
        // Found by the fuzz campaign: step:gamma=5 was accepted and its factor reached infinity.
        var e = Assert.Throws<ConfigurationException>(() => Schedule.Parse(spec));
        Assert.Contains($"{key} must be a number in [0, 1]", e.Message);
        // The same schedule with the factor at its bound 1 (no decay) is accepted.
        var atBound = System.Text.RegularExpressions.Regex.Replace(spec, key + "=[0-9.]+", key + "=1");
        Assert.True(double.IsFinite(Schedule.Parse(atBound).Factor(1000)));
    }
}

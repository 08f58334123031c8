using Descent.Optim;
using Descent.Tensors;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

public class SettingsTests
{
    private static string Error(string name, params string[] settings) =>
        Assert.Throws<ConfigurationException>(() => OptimizerFactory.Create(name, S(settings))).Message;

    [Fact]
    public void InvalidValuesNameTheOptimizerTheKeyAndTheRange()
    {
        Assert.Equal("adam: lr must be a number ≥ 0, got '-0.1'.", Error("adam", "lr=-0.1"));
        Assert.Contains("adam: beta1 must be a number in [0, 1), got '1'", Error("adam", "beta1=1"));
        Assert.Contains("rmsprop: eps must be a number > 0, got '0'", Error("rmsprop", "eps=0"));
        Assert.Contains("adam: amsgrad must be true|false, got 'maybe'", Error("adam", "amsgrad=maybe"));
        Assert.Contains("variant must be paper|pytorch", Error("sgd", "variant=keras"));
        Assert.Contains("lr must be a number ≥ 0, got 'fast'", Error("sgd", "lr=fast"));
        Assert.Contains("got 'Infinity'", Error("sgd", "lr=Infinity"));
        Assert.Contains("lookahead: k must be an integer ≥ 1", Error("lookahead", "k=0"));
    }

    [Fact]
    public void UnknownKeysAndNamesSuggestTheNearestAndListTheValidOnes()
    {
        var e = Error("sgd", "momentun=0.9");
        Assert.Contains("sgd has no setting 'momentun' (did you mean 'momentum'?)", e);
        Assert.Contains("valid keys: lr, momentum, dampening, nesterov, weight_decay, variant", e);
        var n = Assert.Throws<ConfigurationException>(() => OptimizerFactory.Create("adma")).Message;
        Assert.Contains("Unknown optimizer 'adma' (did you mean 'adam'?)", n);
        Assert.Contains("rmsprop-nesterov", n);
        Assert.Contains("yogi has no torch.optim counterpart", Error("yogi", "variant=pytorch"));
    }

    [Fact]
    public void VariantSpecificKeysAndCombinationsAreChecked()
    {
        Assert.Contains("'dampening' only applies with variant=pytorch", Error("momentum", "dampening=0.1"));
        Assert.Contains("'form' only applies with variant=paper", Error("nesterov", "variant=pytorch", "form=lookahead"));
        Assert.Contains("nesterov=true needs momentum > 0 and dampening = 0", Error("sgd", "nesterov=true"));
        Assert.Contains("'rho' is given twice ('alpha' is another name for 'rho')", Error("rmsprop", "rho=0.9", "alpha=0.9"));
        Assert.Contains("inner=lookahead is not allowed", Error("lookahead", "inner=lookahead"));
        Assert.Contains("adam has no setting 'momentum'", Error("lookahead", "inner=adam", "momentum=0.9"));
        Assert.Contains("must be key=value", Assert.Throws<ConfigurationException>(() => OptimizerFactory.Create("adam", ["lr0.1"])).Message);
    }

    [Fact]
    public void DefaultsFollowThePaperOrTorchOptim()
    {
        var paper = OptimizerFactory.Create("rmsprop").Settings;
        var torch = OptimizerFactory.Create("rmsprop", S("variant=pytorch")).Settings;
        Assert.Equal((0.001, 0.9, 1e-6), (paper.Real("lr"), paper.Real("rho"), paper.Real("eps")));
        Assert.Equal((0.01, 0.99, 1e-8), (torch.Real("lr"), torch.Real("rho"), torch.Real("eps")));
        Assert.Equal(0.95, OptimizerFactory.Create("adadelta").Settings.Real("rho"));
        Assert.Equal(0.9, OptimizerFactory.Create("adadelta", S("variant=pytorch")).Settings.Real("rho"));
        Assert.Equal(1e-10, OptimizerFactory.Create("adagrad", S("variant=pytorch")).Settings.Real("eps"));
        Assert.Equal(0.01, OptimizerFactory.Create("adamw").Settings.Real("weight_decay"));
        Assert.Equal(0.004, OptimizerFactory.Create("nadam").Settings.Real("momentum_decay"));
        Assert.Equal(0.99, OptimizerFactory.Create("rmsprop", S("variant=pytorch", "alpha=0.99")).Settings.Real("rho"));
    }

    [Fact]
    public void KindsAndExplicitSettings()
    {
        Assert.Equal(OptimizerKind.UpdateRule, OptimizerFactory.Create("nesterov").Kind);
        Assert.Equal(OptimizerKind.SearchMethod, OptimizerFactory.Create("nesterov", S("form=lookahead")).Kind);
        Assert.Equal(OptimizerKind.SearchMethod, OptimizerFactory.Create("rmsprop-nesterov").Kind);
        Assert.True(OptimizerFactory.Describe("gd").FullBatch);
        var s = OptimizerFactory.Create("adam", S("LR=0.5", "beta2=0.99")).Settings;
        Assert.Equal(new Dictionary<string, string> { ["lr"] = "0.5", ["beta2"] = "0.99" }, s.Explicit);
    }

    [Fact]
    public void SearchMethodsRefuseTheGradientOnlyStep()
    {
        var (_, objective) = Quadratic([1.0], [1.0]);
        var opt = OptimizerFactory.Create("rmsprop-nesterov", S(), objective.Parameters);
        Assert.Contains("call Step(objective)", Assert.Throws<InvalidOperationException>(() => opt.Step()).Message);
        opt.Step(objective);
        Assert.Equal(1, objective.GradientEvaluations);
    }

    [Fact]
    public void SetChangesHyperparametersByKeyWithTheSameChecks()
    {
        var (_, objective) = Quadratic([1.0, 2.0], [1.0, 1.0]);
        var opt = OptimizerFactory.Create("adam", S(), objective.Parameters);
        opt.Set("lr", "0.25");
        Assert.Equal(0.25, opt.LearningRate);
        Assert.Contains("adam: lr must be a number ≥ 0", Assert.Throws<ConfigurationException>(() => opt.Set("lr", "-1")).Message);
        Assert.Equal(0.25, opt.LearningRate);
        Assert.Contains("needs different state buffers", Assert.Throws<ConfigurationException>(() => opt.Set("amsgrad", "true")).Message);
        Assert.Contains("has no parameter group 'head'", Assert.Throws<ConfigurationException>(() => opt.Set("lr", "1", "head")).Message);
        Assert.Contains("did you mean 'beta1'", Assert.Throws<ConfigurationException>(() => opt.Set("beta_1", "0.5")).Message);
        var nesterov = OptimizerFactory.Create("nesterov");
        Assert.Contains("would turn an update rule into a search method", Assert.Throws<ConfigurationException>(() => nesterov.Set("form", "lookahead")).Message);
    }

    [Fact]
    public void HelpDescribesEveryOptimizerAndItsKeys()
    {
        var help = OptimizerFactory.Help();
        foreach (var name in OptimizerFactory.Names) Assert.Contains(name + " — ", help);
        Assert.Contains("momentum_decay", help);
        Assert.Contains("clip_norm", help);
        Assert.Contains("Kingma & Ba 2015", OptimizerFactory.Describe("adam").Help());
        Assert.Contains("eps_inside", OptimizerFactory.Describe("rmsprop").Help());
    }

    [Fact]
    public void FloatAndDoubleParametersAreBothSupported()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var m = new FreeParameters(Tensor.From(new[] { 1.0, -2.0 }, 2).To(dtype));
            var opt = OptimizerFactory.Create("adam", S("lr=0.1"), m.Flat);
            m.Flat.Grads.Fill(1);
            opt.Step();
            Assert.Equal(0.9, m.Flat.Values[0], 5);
            Assert.Equal(-2.1, m.Flat.Values[1], 5);
        }
    }
}

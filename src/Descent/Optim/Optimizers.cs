using Descent.Optim.Rules;
using static Descent.Optim.OptimizerDefinition;

namespace Descent.Optim;

/// <summary>
/// Every named first-order optimizer, each a chain of rules (Optim/Rules) with its defaults. Adding one is a
/// rule file (if its arithmetic is new) plus one entry here. Search methods that are not element-wise
/// (Lookahead, line searches, second-order methods) are registered in <see cref="OptimizerFactory"/>.
/// </summary>
public static class Optimizers
{
    /// <summary>The definitions, in the order help lists them.</summary>
    public static IReadOnlyList<OptimizerDefinition> All { get; } =
    [
        Define("gd", "gradient descent on the full batch")
            .Rule<Chain<AddDecayedWeights, Descend>>().SameInPytorch().FullBatch(),
        Define("sgd", "stochastic gradient descent (torch.optim.SGD: optional momentum buffer)")
            .Rule<Chain<AddDecayedWeights, MomentumBuffer, Descend>>().SameInPytorch().Check(NesterovNeedsMomentum),
        Define("momentum", "gradient descent with (heavy-ball) momentum")
            .Rule<Chain<AddDecayedWeights, Descend, Velocity>>().Pytorch<Chain<AddDecayedWeights, MomentumBuffer, Descend>>()
            .FixedInPytorch("nesterov=false").Defaults("momentum=0.9"),
        Define("nesterov", "Nesterov's accelerated gradient")
            .Rule<Chain<AddDecayedWeights, Descend, NesterovVelocity>>().Pytorch<Chain<AddDecayedWeights, MomentumBuffer, Descend>>()
            .FixedInPytorch("nesterov=true,dampening=0").Defaults("momentum=0.9").Check(MomentumPositive),
        Define("adagrad", "AdaGrad: per-coordinate rates from accumulated squared gradients")
            .Rule<Chain<AddDecayedWeights, ScaleByRss, InverseTimeDescend>>().SameInPytorch().PytorchDefaults("eps=1e-10"),
        Define("rmsprop", "RMSProp: rates from a moving average of squared gradients")
            .Rule<Chain<AddDecayedWeights, ScaleByRms, Descend, Velocity>>()
            .Pytorch<Chain<AddDecayedWeights, ScaleByRms, MomentumBuffer, Descend>>()
            .Defaults("lr=0.001,momentum=0").PytorchDefaults("lr=0.01,rho=0.99,eps=1e-8")
            .FixedInPytorch("eps_inside=false,dampening=0,nesterov=false"),
        Define("rmsprop-nesterov", "RMSProp with Nesterov momentum (a search method: gradient at θ + αv)")
            .Rule<Chain<AddDecayedWeights, ScaleByRms, Descend, NesterovVelocity>>()
            .Defaults("lr=0.001").Fixed("form=lookahead").Check(MomentumPositive),
        Define("adadelta", "AdaDelta: unit-correct steps without a learning rate")
            .Rule<Chain<AddDecayedWeights, ScaleByAdadelta, Descend>>().SameInPytorch().Defaults("lr=1").PytorchDefaults("rho=0.9"),
        Define("adam", "Adam: bias-corrected first and second moment estimates")
            .Rule<Chain<AddDecayedWeights, ScaleByAdam, Descend>>().SameInPytorch().Defaults("lr=0.001"),
        Define("adamw", "Adam with decoupled weight decay")
            .Rule<Chain<DecoupledWeightDecay, ScaleByAdam, Descend>>().SameInPytorch().Defaults("lr=0.001,weight_decay=0.01"),
        Define("amsgrad", "AMSGrad: Adam with a non-decreasing second moment")
            .Rule<Chain<AddDecayedWeights, ScaleByAmsgrad, Descend>>().Pytorch<Chain<AddDecayedWeights, ScaleByAdam, Descend>>()
            .FixedInPytorch("amsgrad=true").Defaults("lr=0.001"),
        Define("adamax", "AdaMax: Adam with the infinity norm")
            .Rule<Chain<AddDecayedWeights, ScaleByAdamax, Descend>>().SameInPytorch().Defaults("lr=0.002"),
        Define("nadam", "NAdam: Adam with Nesterov momentum")
            .Rule<Chain<AddDecayedWeights, ScaleByNadam, Descend>>().SameInPytorch().Defaults("lr=0.002"),
        Define("radam", "RAdam: Adam with a rectified adaptive rate")
            .Rule<Chain<AddDecayedWeights, ScaleByRadam, Descend>>().SameInPytorch().Defaults("lr=0.001"),
        Define("yogi", "Yogi: Adam with an additive, sign-controlled second moment")
            .Rule<Chain<AddDecayedWeights, ScaleByYogi, Descend>>(),
        Define("lion", "Lion: sign of interpolated momentum (evolved by program search)")
            .Rule<Chain<DecoupledWeightDecay, ScaleByLion, Descend>>().Defaults("lr=0.0001"),
        Define("adabelief", "AdaBelief: Adam with the gradient's variance around its mean as second moment")
            .Rule<Chain<AddDecayedWeights, ScaleByBelief, Descend>>().Defaults("lr=0.001"),
    ];

    private static void NesterovNeedsMomentum(OptimizerSettings s)
    {
        if (s.Flag("nesterov") && (s.Real("momentum") <= 0 || s.Real("dampening") != 0))
            throw new ConfigurationException($"{s.Optimizer}: nesterov=true needs momentum > 0 and dampening = 0 (got momentum={s["momentum"]}, dampening={s["dampening"]}).");
    }

    private static void MomentumPositive(OptimizerSettings s)
    {
        if (s.Real("momentum") == 0)
            throw new ConfigurationException($"{s.Optimizer}: momentum must be > 0 (with momentum 0 it is {(s.Optimizer == "nesterov" ? "plain sgd" : "rmsprop")}).");
    }
}

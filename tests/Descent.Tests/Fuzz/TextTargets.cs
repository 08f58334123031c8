using System.Globalization;
using System.Text;
using Descent.Nn;
using Descent.Nn.Init;
using Descent.Optim;
using Descent.Optim.Schedules;
using Descent.Tensors;
using Descent.Tests.Training;

namespace Descent.Tests.Fuzz;

/// <summary>
/// Text without an independent grammar to judge it (schedule specs, parameter groups and selectors,
/// initialization schemes, optimizer settings): a mutant may be refused — with a one-line
/// <see cref="DescentException"/> — or accepted, but what is accepted must be usable: <see cref="Use"/> puts
/// it to work and returns null when all is well, or what is wrong (a NaN or infinite learning-rate factor, a
/// non-finite setting, a non-finite initial weight).
/// </summary>
internal abstract class TextTarget(string name, string separators, params string[] seeds) : FuzzTarget
{
    public override string Name => name;

    public override Mutant Mutate(Random rng)
    {
        var (text, what) = Mutators.Text(seeds[rng.Next(seeds.Length)], rng, separators);
        return new Mutant(Encoding.UTF8.GetBytes(text), what);
    }

    public override Verdict Judge(Mutant mutant) => Verdict.Either;

    public override object? Run(Mutant mutant, out string source)
    {
        source = "";
        return Use(Encoding.UTF8.GetString(mutant.Bytes)) ?? "usable";
    }

    /// <summary>Parses <paramref name="text"/> and uses the result; null when usable, else what is wrong.</summary>
    protected abstract string? Use(string text);

    public override bool SameContent(object? read, object? expected) => read is "usable";

    public override long AllocationBudget(Mutant mutant) => 4L << 20;

    protected static string? Finite(string what, double value) => double.IsFinite(value) ? null : $"{what} = {value}";

    /// <summary>A small model with weights, biases, a norm layer and several layers.</summary>
    protected static Sequential Model() =>
        new(new Linear(4, 8, rng: new Rng(1)), new ReLU(), new BatchNorm1d(8), new Linear(8, 3, rng: new Rng(2)));
}

internal sealed class ScheduleTarget() : TextTarget("schedule spec", ",:=+/",
    "constant", "linear:tau=100,end=0.1", "step:size=30,gamma=0.5", "multistep:at=30/60/90,gamma=0.1", "exponential:alpha=0.01",
    "cosine:T=1000,min=0.1,restarts=true,mult=2", "warmup:500+cosine:T=10000", "cyclic:half=100,low=0.1,mode=exp_range,gamma=0.99",
    "onecycle:total=1000,pct=0.3,div=25,final_div=1e4", "plateau:factor=0.5,patience=2,mode=max", "inverse-time:gamma=0.1", "polynomial:T=100,power=2,end=0.01",
    "warmup:steps=10,start=0.1+step:20+exp:0.001")
{
    protected override string? Use(string text)
    {
        var s = Schedule.Parse(text);
        Schedule.Parse(s.Spec); // its own text reads back
        foreach (long step in new long[] { 0, 1, 2, 10, 99, 100, 101, 1000, 12345, 1_000_000, 1L << 40, long.MaxValue / 4 })
        {
            double f = s.Factor(step);
            if (!double.IsFinite(f) || f < 0) return $"'{s.Spec}': factor {f} at step {step}";
        }
        s.Report(1.0);
        s.Report(0.5);
        return Finite($"'{s.Spec}': factor after reports", s.Factor(10));
    }
}

internal sealed class SelectorTarget() : TextTarget("parameter selector", "&|!():=/",
    "kind:weight", "kind:bias/norm_scale|rank:1", "name:0.*&!kind:bias", "layer:last", "layer:-2|owner:BatchNorm", "(kind:weight&layer:first)|none", "all", "rank:2&name:?.weight")
{
    protected override string? Use(string text)
    {
        var selector = ParameterSelector.Parse(text);
        ParameterSelector.Parse(selector.Text);
        _ = selector.Select(Model()).Count();
        return null;
    }
}

internal sealed class GroupTarget() : TextTarget("parameter groups", ",:=@;|&",
    "nodecay@kind:bias/norm_scale|rank:1:weight_decay=0", "head@layer:last:lr=0.01", "a@kind:weight:lr=0.1,weight_decay=0.01;b@kind:bias:lr=0.2",
    "x@name:0.*:beta1=0.8")
{
    protected override string? Use(string text)
    {
        var groups = ParameterGroups.Parse(text);
        var model = Model();
        var opt = OptimizerFactory.Create("adamw", new Dictionary<string, string> { ["lr"] = "0.001" });
        opt.Init(model.Flat, groups);
        foreach (var g in opt.Groups)
            foreach (var (key, value) in g.Settings.All)
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !double.IsFinite(v))
                    return $"group {g.Name}: {key} = {value}";
        return null;
    }
}

internal sealed class InitSchemeTarget() : TextTarget("init scheme", ",:",
    "zeros", "constant:0.1", "normal:0.01", "normal:0.5,0.02", "uniform:-0.1,0.1", "truncated_normal:0.02", "glorot_uniform:tanh",
    "he_normal:fan_out,leaky_relu,0.2", "orthogonal:relu", "identity:2", "lecun_normal", "kaiming_uniform:fan_in")
{
    protected override string? Use(string text)
    {
        var scheme = InitSchemeParser.Parse(text);
        var t = Tensor.Zeros(new Shape(6, 4));
        scheme.Apply(t, new Rng(3));
        foreach (float x in t.Floats)
            if (!float.IsFinite(x)) return $"'{text}' gives weight {x}";
        return null;
    }
}

internal sealed class SettingsTarget() : TextTarget("optimizer --set", ",=",
    "lr=0.01", "lr=0.001,beta1=0.9,beta2=0.999,eps=1e-8", "lr=0.1,momentum=0.9,nesterov=true", "lr=0.01,weight_decay=0.01,clip_norm=1",
    "lr=0.5,average=ema,average_decay=0.99", "lr=0.01,variant=pytorch", "rho=0.95,eps=1e-6")
{
    private static readonly string[] Optimizers = ["sgd", "momentum", "adam", "adamw", "rmsprop", "adadelta", "nadam", "yogi", "adagrad"];

    protected override string? Use(string text)
    {
        var settings = Descent.Cli.SettingsParser.Parse([text]);
        string? problem = null;
        foreach (var name in Optimizers)
        {
            Optimizer opt;
            try
            {
                opt = OptimizerFactory.Create(name, settings);
            }
            catch (ConfigurationException)
            {
                continue; // a key this optimizer lacks, or a value out of its range
            }
            var model = Model();
            opt.Init(model.Flat);
            foreach (var (key, value) in opt.Settings.All)
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !double.IsFinite(v))
                    problem ??= $"{name}: {key} = {value}";
        }
        return problem;
    }
}

/// <summary>
/// Command-line values: one option of a cheap <c>descent optimize</c>, <c>init</c> or <c>train</c> command (run
/// in-process) replaced by a mutant of its value. The command must end with exit code 0, or 2 with one line
/// <c>descent: error: …</c> on stderr — never exit code 1 (an unexpected exception), a hang or a huge allocation.
/// </summary>
internal sealed class CommandLineTarget : FuzzTarget
{
    private TempDirectory? dir;

    public override string Name => "command-line values";

    private static readonly (string[] Args, string[] Mutable)[] Commands =
    [
        (["optimize", "--function", "rosenbrock", "--optimizer", "adam", "--set", "lr=0.01", "--start", "-1.2,1", "--steps", "20", "--schedule", "cosine:T=20", "--noise", "0.1"],
            ["--function", "--optimizer", "--set", "--start", "--steps", "--schedule", "--noise"]),
        (["optimize", "--function", "quadratic:kappa=100", "--optimizer", "momentum", "--set", "lr=0.01,momentum=0.9", "--start", "1,1", "--steps", "10"],
            ["--function", "--set", "--start", "--steps"]),
        (["init", "--scheme", "he_normal", "--compare", "glorot_uniform:tanh,zeros", "--activation", "relu", "--depth", "3", "--width", "16", "--batch", "32", "--input-std", "1"],
            ["--scheme", "--compare", "--activation", "--depth", "--width", "--batch", "--input-std"]),
        (["train", "--problem", "two_layer_tanh", "--optimizer", "momentum", "--set", "lr=0.05", "--epochs", "3", "--max-steps", "40", "--batch-size", "1",
          "--seed", "1", "--schedule", "warmup:2+cosine:T=10", "--l2", "0.01", "--l2-on", "kind:weight", "--group", "g@layer:last:lr=0.1",
          "--clip-norm", "1", "--average", "ema:0.9", "--early-stopping", "2", "--monitor", "val_loss", "--checkpoint-every", "2", "--sampler", "shuffle",
          "--val-fraction", "0.1", "--log-every", "1", "--eval-batch-size", "10"],
            ["--optimizer", "--set", "--epochs", "--max-steps", "--batch-size", "--seed", "--schedule", "--l2", "--l2-on", "--group", "--clip-norm",
             "--average", "--early-stopping", "--monitor", "--checkpoint-every", "--sampler", "--val-fraction", "--log-every", "--eval-batch-size"]),
    ];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], string[]> ArgsOf = [];

    public override Mutant Mutate(Random rng)
    {
        var (args, mutable) = Commands[rng.Next(Commands.Length)];
        string option = mutable[rng.Next(mutable.Length)];
        int at = Array.IndexOf(args, option) + 1;
        var (value, what) = Mutators.Text(args[at], rng, ",:=+/@");
        var mutated = (string[])args.Clone();
        mutated[at] = value;
        // Keep a mutated epoch count from running for ever: the step limit stays unless it is the mutated option.
        var m = new Mutant(Encoding.UTF8.GetBytes(string.Join('\u0001', mutated)), $"{args[0]} {option} '{args[at]}' -> '{value}' ({what})");
        ArgsOf.AddOrUpdate(m.Bytes, mutated);
        return m;
    }

    public override Verdict Judge(Mutant mutant) => Verdict.Either;

    public override object? Run(Mutant mutant, out string source)
    {
        source = "descent: error: ";
        var args = ArgsOf.TryGetValue(mutant.Bytes, out var a) ? a : throw new InvalidOperationException("unknown mutant");
        if (args[0] == "train") args = [.. args, "--out", (dir ??= new TempDirectory()).File("run"), "--overwrite"];
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Descent.Cli.Cli.Run(args, output, error);
        string err = error.ToString();
        if (code == 0) return "usable";
        if (code == 2)
        {
            string line = err.TrimEnd('\n', '\r');
            throw new DescentException(line.StartsWith("descent: error: ", StringComparison.Ordinal) ? line : "(no descent: error: prefix) " + line);
        }
        throw new InvalidOperationException($"exit code {code}: {err.Trim()}");
    }

    public override bool SameContent(object? read, object? expected) => read is "usable";

    public override long AllocationBudget(Mutant mutant) => 256L << 20;

    public override void Teardown()
    {
        dir?.Dispose();
        dir = null;
    }
}

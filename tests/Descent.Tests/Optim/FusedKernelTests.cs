using Descent.Optim;
using Descent.Optim.Fused;
using Descent.Optim.Rules;
using Descent.Tensors;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

/// <summary>
/// The fused single-pass kernels against each optimizer's reference chain of small rules (a separate,
/// plain scalar implementation), on random gradients: float64 and float32, AVX-512 and AVX2 widths, lengths
/// with ragged tails, and a buffer long enough to be split across threads.
/// </summary>
public class FusedKernelTests
{
    public static TheoryData<string, string> Configurations() => new()
    {
        { "sgd", "" }, { "sgd", "momentum=0.9;dampening=0.3;weight_decay=0.01" }, { "sgd", "momentum=0.8;nesterov=true" },
        { "momentum", "" }, { "momentum", "variant=pytorch;dampening=0.2" }, { "nesterov", "" }, { "nesterov", "variant=pytorch" },
        { "adagrad", "lr_decay=0.1;initial_accumulator_value=0.5;weight_decay=0.1" },
        { "rmsprop", "" }, { "rmsprop", "eps_inside=true;momentum=0.5" }, { "rmsprop", "centered=true;momentum=0.9;weight_decay=0.1" },
        { "rmsprop", "variant=pytorch;centered=true;momentum=0.9" },
        { "adadelta", "weight_decay=0.1" }, { "adam", "weight_decay=0.1" }, { "adam", "amsgrad=true" }, { "adamw", "" },
        { "amsgrad", "" }, { "amsgrad", "variant=pytorch" }, { "adamax", "weight_decay=0.1" }, { "nadam", "weight_decay=0.1" },
        { "nadam", "variant=pytorch" }, { "radam", "beta2=0.9" }, { "radam", "variant=pytorch;beta2=0.9" }, { "yogi", "weight_decay=0.1" },
        { "lion", "weight_decay=0.1" },
    };

    private static Dictionary<string, string> Parse(string settings) =>
        settings.Length == 0 ? [] : S(settings.Split(';'));

    /// <summary>Runs the fused rule and the reference chain side by side for a few steps.</summary>
    private static (double[] Fused, double[] Reference) RunBoth(string name, string settings, int n, DType dtype, int steps = 6)
    {
        var rng = new Rng(42);
        var x0 = Tensor.Randn(new Shape(n), rng, dtype: dtype);
        var model = new FreeParameters(x0);
        var flat = model.Flat;
        var opt = (FirstOrderOptimizer)OptimizerFactory.Create(name, Parse(settings), flat);
        var rule = opt.Rules[0].Reference();
        var refX = x0.CloneUnscoped();
        var refState = rule.Init(n, dtype);
        // Buffers that start at a non-zero value (AdaGrad's initial accumulator) come from the rule itself.
        for (int step = 1; step <= steps; step++)
        {
            var g = Tensor.Randn(new Shape(n), rng, std: 1 + step, dtype: dtype);
            flat.Grads.CopyFrom(g);
            opt.Step();
            var u = g.CloneUnscoped();
            if (dtype == DType.Float32) rule.Update(u.Floats, refState, refX.Floats, step);
            else rule.Update(u.Doubles, refState, refX.Doubles, step);
            refX.AddInPlace(u);
        }
        return (flat.Values.ToDoubleArray(), refX.ToDoubleArray());
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void FusedKernelEqualsTheReferenceChainInDouble(string name, string settings)
    {
        foreach (int n in new[] { 1, 7, 37 })
        {
            var (fused, reference) = RunBoth(name, settings, n, DType.Float64);
            for (int i = 0; i < n; i++) Close(reference[i], fused[i], 1e-11, $"{name}({settings}) n={n} [{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void FusedKernelEqualsTheReferenceChainInFloat(string name, string settings)
    {
        var (fused, reference) = RunBoth(name, settings, 53, DType.Float32);
        for (int i = 0; i < fused.Length; i++)
        {
            // Different operation order; float32 rounding over six steps. Lion's sign may flip on a tie-close value.
            double tol = name == "lion" ? 1e-3 : 2e-5;
            Close(reference[i], fused[i], tol, $"{name}({settings}) [{i}]");
        }
    }

    [Fact]
    public void Avx2WidthGivesTheSameBitsAsAvx512()
    {
        foreach (var (name, settings) in new[] { ("adam", "weight_decay=0.1"), ("rmsprop", "centered=true;momentum=0.9"), ("yogi", ""), ("nadam", "variant=pytorch") })
        {
            double[] wide, narrow;
            try
            {
                FusedLoop.ForcedWidth = 0;
                wide = RunBoth(name, settings, 45, DType.Float32).Fused;
                FusedLoop.ForcedWidth = 256;
                narrow = RunBoth(name, settings, 45, DType.Float32).Fused;
            }
            finally
            {
                FusedLoop.ForcedWidth = 0;
            }
            Assert.Equal(wide, narrow);
        }
    }

    [Fact]
    public void ALargeBufferSplitAcrossThreadsGivesTheSameBitsAsElementwiseSmallRuns()
    {
        // Elementwise kernels must not depend on where the threads split the buffer or where the tail starts.
        int n = FusedLoop.ParallelThreshold + 1234;
        var (big, _) = RunBoth("adam", "amsgrad=true", n, DType.Float32, steps: 2);
        var rng = new Rng(42);
        var x0 = Tensor.Randn(new Shape(n), rng);
        var g1 = Tensor.Randn(new Shape(n), rng, std: 2);
        var g2 = Tensor.Randn(new Shape(n), rng, std: 3);
        foreach (int at in new[] { 0, 17, n - 5, n - 1 })
        {
            var small = new FreeParameters(Tensor.From(new[] { (float)x0[at] }, 1));
            var opt = OptimizerFactory.Create("adam", S("amsgrad=true"), small.Flat);
            small.Flat.Grads[0] = g1[at];
            opt.Step();
            small.Flat.Grads[0] = g2[at];
            opt.Step();
            Assert.Equal(big[at], small.Flat.Values[0]);
        }
    }
}

/// <summary>Runs alone (no other test may hold the kernel threads, which would make the step fall back to
/// Parallel.For and allocate).</summary>
[CollectionDefinition("Optim allocation", DisableParallelization = true)]
public class OptimAllocationCollection
{
}

[Collection("Optim allocation")]
public class FusedAllocationTests
{
    [Fact]
    public void ASteadyStateStepDoesNotAllocate()
    {
        var model = new FreeParameters(Tensor.Randn(new Shape(FusedLoop.ParallelThreshold + 100), new Rng(1)));
        var opt = OptimizerFactory.Create("adam", S("clip_norm=1"), model.Flat);
        model.Flat.Grads.Fill(0.5);
        for (int i = 0; i < 3; i++) opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"five steps allocated {allocated} bytes");
    }
}

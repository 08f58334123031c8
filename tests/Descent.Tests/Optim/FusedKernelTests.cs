using Descent.Optim;
using Descent.Optim.Fused;
using Descent.Tensors;
using static Descent.Tests.Optim.OptimTestKit;

namespace Descent.Tests.Optim;

/// <summary>
/// The fused pass of every named optimizer at every vector width: AVX-512, AVX2 and the plain scalar loop
/// (one element at a time, the reference) must give the same bits, in float and double, for lengths with
/// ragged tails (which run through zero-padded vectors) and for a buffer long enough to be split across
/// threads. The arithmetic itself is checked against formulas written out independently in
/// <see cref="FirstStepsTests"/> and against torch.optim in <see cref="PytorchTrajectoryTests"/>.
/// </summary>
public class FusedKernelTests
{
    public static TheoryData<string, string> Configurations() => new()
    {
        { "gd", "weight_decay=0.1" },
        { "sgd", "" }, { "sgd", "momentum=0.9;dampening=0.3;weight_decay=0.01" }, { "sgd", "momentum=0.8;nesterov=true" },
        { "momentum", "" }, { "momentum", "variant=pytorch;dampening=0.2" }, { "nesterov", "" }, { "nesterov", "variant=pytorch" },
        { "adagrad", "lr_decay=0.1;initial_accumulator_value=0.5;weight_decay=0.1" },
        { "rmsprop", "" }, { "rmsprop", "eps_inside=true;momentum=0.5" }, { "rmsprop", "centered=true;momentum=0.9;weight_decay=0.1" },
        { "rmsprop", "variant=pytorch;centered=true;momentum=0.9" },
        { "adadelta", "weight_decay=0.1" }, { "adam", "weight_decay=0.1" }, { "adam", "amsgrad=true" }, { "adamw", "" },
        { "amsgrad", "" }, { "amsgrad", "variant=pytorch" }, { "adamax", "weight_decay=0.1" }, { "nadam", "weight_decay=0.1" },
        { "nadam", "variant=pytorch" }, { "radam", "beta2=0.9" }, { "radam", "variant=pytorch;beta2=0.9" }, { "yogi", "weight_decay=0.1" },
        { "lion", "weight_decay=0.1" }, { "adabelief", "weight_decay=0.1" },
    };

    private static Dictionary<string, string> Parse(string settings) =>
        settings.Length == 0 ? [] : S(settings.Split(';'));

    /// <summary>Six steps on random gradients at one width; the parameters after the last.</summary>
    private static double[] Run(string name, string settings, int n, DType dtype, SimdWidth width, int steps = 6)
    {
        var rng = new Rng(42);
        var model = new FreeParameters(Tensor.Randn(new Shape(n), rng, dtype: dtype));
        var flat = model.Flat;
        var definition = OptimizerFactory.Definition(name);
        var opt = new FirstOrderOptimizer(definition, definition.Parse(Parse(settings))) { Width = width };
        opt.Init(flat);
        for (int step = 1; step <= steps; step++)
        {
            flat.Grads.CopyFrom(Tensor.Randn(new Shape(n), rng, std: 1 + step, dtype: dtype));
            opt.Step();
        }
        return flat.Values.ToDoubleArray();
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EveryWidthGivesTheScalarLoopsBits(string name, string settings)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            foreach (int n in new[] { 1, 7, 37, 53 })
            {
                var reference = Run(name, settings, n, dtype, SimdWidth.Scalar);
                Assert.All(reference, x => Assert.True(double.IsFinite(x)));
                Assert.Equal(reference, Run(name, settings, n, dtype, SimdWidth.Avx2));
                if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                    Assert.Equal(reference, Run(name, settings, n, dtype, SimdWidth.Avx512));
                Assert.Equal(reference, Run(name, settings, n, dtype, SimdWidth.Auto));
            }
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void TheStepMovesTheParameters(string name, string settings)
    {
        // A width-independent pass that did nothing would pass the test above; this one would not.
        var before = new FreeParameters(Tensor.Randn(new Shape(7), new Rng(42))).Flat.Values.ToDoubleArray();
        var after = Run(name, settings, 7, DType.Float32, SimdWidth.Auto);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void ALargeBufferSplitAcrossThreadsGivesTheSameBitsAsElementwiseSmallRuns()
    {
        // Element-wise passes must not depend on where the threads split the buffer or where the tail starts.
        int n = FusedRunner.ParallelThreshold + 1234;
        var rng = new Rng(42);
        var x0 = Tensor.Randn(new Shape(n), rng);
        var g1 = Tensor.Randn(new Shape(n), rng, std: 2);
        var g2 = Tensor.Randn(new Shape(n), rng, std: 3);
        var big = new FreeParameters(x0);
        var bigOpt = OptimizerFactory.Create("adam", S("amsgrad=true"), big.Flat);
        big.Flat.Grads.CopyFrom(g1);
        bigOpt.Step();
        big.Flat.Grads.CopyFrom(g2);
        bigOpt.Step();
        foreach (int at in new[] { 0, 17, n - 5, n - 1 })
        {
            var small = new FreeParameters(Tensor.From(new[] { (float)x0[at] }, 1));
            var opt = OptimizerFactory.Create("adam", S("amsgrad=true"), small.Flat);
            small.Flat.Grads[0] = g1[at];
            opt.Step();
            small.Flat.Grads[0] = g2[at];
            opt.Step();
            Assert.Equal(big.Flat.Values[at], small.Flat.Values[0]);
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
        var model = new FreeParameters(Tensor.Randn(new Shape(FusedRunner.ParallelThreshold + 100), new Rng(1)));
        var opt = OptimizerFactory.Create("adam", S("clip_norm=1"), model.Flat);
        model.Flat.Grads.Fill(0.5);
        for (int i = 0; i < 3; i++) opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"five steps allocated {allocated} bytes");
    }
}

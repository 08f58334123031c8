using System.Diagnostics;
using Descent.Autograd;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Bench;

/// <summary>
/// Cost of a Hessian-vector product (double backward) relative to a gradient (forward + backward) on the
/// DeepOBS fmnist_mlp network (784-1000-500-100-10, ReLU) with a batch of 1000, next to PyTorch's ratio
/// measured in the same run when python3-torch is installed; and bytes allocated per training step.
/// </summary>
public static class HvpBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 11);
        int batch = BenchArgs.Int(args, "--batch", 1000);
        var model = new FashionMnistMlp().BuildModel(0);
        var flat = model.Flat;
        var parameters = flat.Parameters;
        var rng = new Rng(1);
        var x = Tensor.Rand(new Shape(batch, 784), rng);
        var labels = Enumerable.Range(0, batch).Select(_ => rng.NextInt(10)).ToArray();
        var loss = new CrossEntropy();
        var v = flat.Split(Tensor.Randn(new Shape(flat.Count), rng));

        double Gradient()
        {
            using var scope = TensorScope.Begin();
            model.ZeroGrad();
            var l = loss.Compute(model.Forward(x), labels);
            l.Backward();
            return l.Item();
        }

        double Hvp()
        {
            using var scope = TensorScope.Begin();
            var l = loss.Compute(model.Forward(x), labels);
            var hv = Derivatives.Hvp(l, parameters, v);
            return hv[0].Floats[0];
        }

        double tg = Median(reps, () => Gradient());
        double th = Median(reps, () => Hvp());
        Console.WriteLine($"fmnist_mlp (1.33M parameters), batch {batch}, {Tensors.Kernels.KernelThreads.MaxThreads} threads; medians of {reps}");
        Console.WriteLine($"  gradient (forward + backward)        {tg * 1e3,8:F1} ms");
        Console.WriteLine($"  Hessian-vector product (double bwd)  {th * 1e3,8:F1} ms");
        Console.WriteLine($"  hvp/gradient = {th / tg:F2}   (target ≤ 2.5; PyTorch 1.13 measured 2.96 here when this issue was filed)");

        var torch = PyTorchReference.Run(HvpScript(batch, reps));
        if (torch is null) Console.WriteLine("  PyTorch: not installed (apt-get install python3-torch): no reference");
        else
        {
            var (pg, ph) = (torch[0], torch[1]);
            Console.WriteLine($"  PyTorch gradient {pg * 1e3:F1} ms, hvp {ph * 1e3:F1} ms, hvp/gradient = {ph / pg:F2}");
            Console.WriteLine($"  ratio_vs_pytorch gradient={pg / tg:F2}x faster, hvp={ph / th:F2}x faster");
        }

        // Bytes allocated per SGD training step (batch 128) once the pool is warm, all threads counted.
        var opt = OptimizerFactory.Create("sgd", new Dictionary<string, string> { ["lr"] = "0.01" });
        opt.Init(flat);
        var xb = Tensor.Rand(new Shape(128, 784), rng);
        var yb = labels.Take(128).ToArray();
        void Step()
        {
            using var scope = TensorScope.Begin();
            model.ZeroGrad();
            loss.Compute(model.Forward(xb), yb).Backward();
            opt.Step();
        }
        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        const int steps = 20;
        for (int i = 0; i < steps; i++) Step();
        long perStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / steps;
        Console.WriteLine($"  bytes allocated per training step (batch 128, sgd): {perStep:N0} (the step touches {(long)flat.Count * 4 * 3 + 128L * 1610 * 4 * 4:N0} bytes of tensors)");
    }

    internal static double Median(int reps, Action run)
    {
        run();
        run();
        var t = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            t[i] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(t);
        return t[reps / 2];
    }

    private static string HvpScript(int batch, int reps) => $$"""
import time, statistics, torch
torch.manual_seed(0)
torch.set_num_threads(2)
net = torch.nn.Sequential(torch.nn.Linear(784,1000), torch.nn.ReLU(), torch.nn.Linear(1000,500), torch.nn.ReLU(),
                          torch.nn.Linear(500,100), torch.nn.ReLU(), torch.nn.Linear(100,10))
x = torch.rand({{batch}}, 784); y = torch.randint(0, 10, ({{batch}},))
ps = list(net.parameters()); v = [torch.randn_like(p) for p in ps]
lossf = torch.nn.CrossEntropyLoss()
def grad():
    net.zero_grad(); lossf(net(x), y).backward()
def hvp():
    g = torch.autograd.grad(lossf(net(x), y), ps, create_graph=True)
    torch.autograd.grad(g, ps, v)
def med(f):
    f(); f(); ts = []
    for _ in range({{reps}}):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
print(med(grad), med(hvp))
""";
}

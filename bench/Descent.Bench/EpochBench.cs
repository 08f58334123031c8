using System.Diagnostics;
using Descent.Data;
using Descent.Nn;
using Descent.Nn.Losses;
using Descent.Optim;
using Descent.Problems;
using Descent.Tensors;

namespace Descent.Bench;

/// <summary>
/// Wall time of one training epoch of fmnist_mlp with Adam (batch 128, shuffled) on the Fashion-MNIST
/// training split, next to PyTorch 1.13's time for the same recipe measured in the same run.
/// </summary>
public static class EpochBench
{
    public static void Run(string[] args)
    {
        int reps = BenchArgs.Int(args, "--reps", 3);
        var data = FashionMnist.Load();
        var train = Dataset.FashionMnistTrain(data);
        var problem = new FashionMnistMlp();
        Console.WriteLine($"fmnist_mlp, adam lr=0.001, batch 128, {train.Count} images ({data.Source}), {Tensors.Kernels.KernelThreads.MaxThreads} threads");
        var times = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            var model = problem.BuildModel((ulong)r);
            var opt = OptimizerFactory.Create("adam", new Dictionary<string, string>());
            opt.Init(model.Flat);
            var sampler = new ShuffledSampler(train.Count, 128, (ulong)r);
            var objective = new Objective(model, problem.Loss);   // the trainer's step: gradients land in the flat buffer
            var sw = Stopwatch.StartNew();
            double last = 0;
            foreach (var idx in sampler.Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var batch = train.Batch(idx);
                objective.SetBatch(batch.Inputs, Targets.FromClasses(batch.Labels!));
                last = opt.Step(objective).Loss;
            }
            times.Add(sw.Elapsed.TotalSeconds);
            Console.WriteLine($"  run {r + 1}: {times[^1]:F2} s (last batch loss {last:F3})");
        }
        times.Sort();
        double ours = times[times.Count / 2];
        Console.WriteLine($"  Descent: median {ours:F2} s per epoch");
        var torch = PyTorchReference.Run(Script(data.IsSample ? null : "/usr/share/datasets/fashion-mnist", reps));
        if (torch is null) Console.WriteLine("  PyTorch: not installed (apt-get install python3-torch): no reference");
        else Console.WriteLine($"  PyTorch 1.13: median {torch[0]:F2} s per epoch; ratio_vs_pytorch = {ours / torch[0]:F2} (Descent time / PyTorch time)");
    }

    private static string Script(string? dir, int reps) => dir is null
        ? "raise SystemExit('full data set not installed; skipping the PyTorch reference')"
        : $$"""
import gzip, time, statistics, numpy as np, torch
torch.set_num_threads(2)
def read(p, off):
    with gzip.open(p) as f: return np.frombuffer(f.read(), dtype=np.uint8, offset=off)
x = torch.tensor(read('{{dir}}/train-images-idx3-ubyte.gz', 16).reshape(-1, 784), dtype=torch.float32) / 255
y = torch.tensor(read('{{dir}}/train-labels-idx1-ubyte.gz', 8).astype(np.int64))
ts = []
for r in range({{reps}}):
    torch.manual_seed(r)
    net = torch.nn.Sequential(torch.nn.Linear(784,1000), torch.nn.ReLU(), torch.nn.Linear(1000,500), torch.nn.ReLU(),
                              torch.nn.Linear(500,100), torch.nn.ReLU(), torch.nn.Linear(100,10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    perm = torch.randperm(x.shape[0])
    t = time.perf_counter()
    for i in range(0, x.shape[0], 128):
        idx = perm[i:i+128]
        opt.zero_grad(); loss = lossf(net(x[idx]), y[idx]); loss.backward(); opt.step()
    ts.append(time.perf_counter() - t)
print(statistics.median(ts))
""";
}

using Descent.Bench;

// Benchmark dispatcher: `dotnet run -c Release --project bench/Descent.Bench -- <name>... | all | list`.
// To add a benchmark, add one line: ["name"] = ("description", Class.Run).
var benchmarks = new SortedDictionary<string, (string Description, Action<string[]> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["checkpoint"] = ("fmnist_mlp checkpoint (Adam, 16 MB): save and load with CRC-32 checksums vs without, CRC-32 GB/s (options: --reps N)", CheckpointBench.Run),
    ["curvature"] = ("Lanczos extreme eigenvalues and Hutchinson's trace of a 2,549-parameter MLP Hessian vs its dense eigen-decomposition (options: --hidden1 48 --hidden2 32 --k 5 --probes 100)", CurvatureBench.Run),
    ["conv"] = ("fmnist_2c2d conv layers (batch 128) and 2x2 max pooling: forward and forward+backward ms vs GEMM-only (options: --reps N --threads T --chunk-mb M)", ConvBench.Run),
    ["epoch"] = ("one fmnist_mlp Adam epoch (batch 128) on Fashion-MNIST vs PyTorch 1.13 in the same run (options: --reps N)", EpochBench.Run),
    ["gemm"] = ("SGEMM/DGEMM GFLOP/s vs OpenBLAS (options: --sizes 256,1024,64x128x784 --threads 1,2 --reps 9 --kernel avx512|avx2|scalar --trans NN|NT|TN|TT --kc N --nc N --quick)", GemmBench.Run),
    ["hvp"] = ("Hessian-vector product vs gradient on fmnist_mlp, batch 1000, vs PyTorch; bytes allocated per training step (options: --reps N --batch B)", HvpBench.Run),
    ["membw"] = ("memory-copy bandwidth, 256 MB buffer (GB/s)", MemoryBandwidth.Run),
    ["optim"] = ("optimizer step ns/param on 10M float32 parameters vs memory-copy bandwidth (options: --params N --reps R --optimizers adam,sgd,...|all)", OptimizerBench.Run),
};

if (args.Length == 0 || args[0] is "list" or "-h" or "--help")
{
    Console.WriteLine("usage: Descent.Bench <benchmark> [options] | all | list");
    foreach (var (name, (description, _)) in benchmarks) Console.WriteLine($"  {name,-12} {description}");
    return args.Length == 0 ? 2 : 0;
}

string[] options = args[1..];
if (args[0] == "all")
{
    foreach (var (name, (_, run)) in benchmarks)
    {
        Console.WriteLine($"=== {name} ===");
        run(options);
        Console.WriteLine();
    }
    return 0;
}
if (!benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; try 'list'");
    return 2;
}
benchmark.Run(options);
return 0;

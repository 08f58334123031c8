"""PyTorch 1.13 reference for fmnist-mlp-sgd-one-epoch.sh: one epoch of SGD (lr 0.1, batch 128) on the
784-1000-500-100-10 ReLU MLP (PyTorch's default initialization), test accuracy per seed.
Usage: /usr/bin/python3 torch_mlp_sgd.py N_TRAIN SEEDS..."""
import gzip, statistics, sys
import torch

DIR = "/usr/share/datasets/fashion-mnist/"

def read_idx(name):
    with gzip.open(DIR + name) as f:
        raw = f.read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]
    return torch.frombuffer(bytearray(raw[4 + 4 * len(dims):]), dtype=torch.uint8).reshape(dims)

x_train = read_idx("train-images-idx3-ubyte.gz").reshape(-1, 784).float() / 255
y_train = read_idx("train-labels-idx1-ubyte.gz").long()
x_test = read_idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).float() / 255
y_test = read_idx("t10k-labels-idx1-ubyte.gz").long()
n_train = int(sys.argv[1])
torch.set_num_threads(2)
accuracies = []
for seed in map(int, sys.argv[2:]):
    torch.manual_seed(seed)
    keep = torch.randperm(60000)[:n_train]          # a random n_train-image subset (all when 60,000)
    x, y = x_train[keep], y_train[keep]
    net = torch.nn.Sequential(torch.nn.Linear(784, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 500), torch.nn.ReLU(),
                              torch.nn.Linear(500, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    order = torch.randperm(n_train)
    for i in range(0, n_train, 128):
        batch = order[i:i + 128]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
        opt.step()
    with torch.no_grad():
        accuracies.append((net(x_test).argmax(1) == y_test).float().mean().item())
print(" ".join(f"{a:.4f}" for a in accuracies))

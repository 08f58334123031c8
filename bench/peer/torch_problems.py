"""PyTorch peer of `descent bench`: the same problems, recipes and timing protocol, measured with
Debian's python3-torch 1.13 on the CPU. Prints one line per problem:

    problem step_s forward_s backward_s optimizer_s data_s

(medians over windows of the per-step mean), then `ok`. Usage:

    python3 torch_problems.py --problems fmnist_mlp,lstm_adding --steps 30 --windows 5 --threads 2 [--data DIR]

Without --data (or when the directory lacks the files) the Fashion-MNIST problems use uniform noise of the
same shape; timing does not depend on the pixel values.
"""
import argparse, gzip, os, statistics, time
import numpy as np
import torch
import torch.nn as nn


def fashion(data_dir, n_min):
    if data_dir and os.path.exists(os.path.join(data_dir, 'train-images-idx3-ubyte.gz')):
        with gzip.open(os.path.join(data_dir, 'train-images-idx3-ubyte.gz')) as f:
            x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
        with gzip.open(os.path.join(data_dir, 'train-labels-idx1-ubyte.gz')) as f:
            y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        return torch.tensor(x, dtype=torch.float32) / 255, torch.tensor(y.astype(np.int64))
    g = torch.Generator().manual_seed(0)
    return torch.rand(n_min, 784, generator=g), torch.randint(0, 10, (n_min,), generator=g)


def adding(n, t, seed=0):
    g = np.random.default_rng(seed)
    x = np.zeros((n, t, 2), dtype=np.float32)
    x[:, :, 0] = g.random((n, t), dtype=np.float32)
    half = t // 2
    a = g.integers(0, half, n); b = half + g.integers(0, t - half, n)
    x[np.arange(n), a, 1] = 1; x[np.arange(n), b, 1] = 1
    y = x[np.arange(n), a, 0] + x[np.arange(n), b, 0]
    return torch.tensor(x), torch.tensor(y).unsqueeze(1)


class LstmRegressor(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(2, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1])


def deep(width=64, depth=16, batch_norm=True):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            layers = [nn.Linear(width, width)]
            if batch_norm: layers.append(nn.BatchNorm1d(width))
            layers.append(nn.ReLU())
            self.body = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.body(x)
    return nn.Sequential(nn.Linear(784, width), nn.ReLU(), *[Block() for _ in range(depth)], nn.Linear(width, 10))


class Reshape(nn.Module):
    def forward(self, x):
        return x.view(-1, 1, 28, 28)


def problem(name):
    """(model, loss, optimizer factory, batch size, images?)"""
    ce = nn.CrossEntropyLoss()
    if name == 'fmnist_logreg':
        return nn.Linear(784, 10), ce, lambda p: torch.optim.SGD(p, lr=0.1), 128, 'fashion'
    if name == 'fmnist_mlp':
        m = nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 500), nn.ReLU(),
                          nn.Linear(500, 100), nn.ReLU(), nn.Linear(100, 10))
        return m, ce, lambda p: torch.optim.Adam(p, lr=1e-3), 128, 'fashion'
    if name == 'fmnist_2c2d':
        m = nn.Sequential(Reshape(), nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(64 * 7 * 7, 1024), nn.ReLU(), nn.Linear(1024, 10))
        return m, ce, lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9), 128, 'fashion'
    if name == 'deep_skip_bn':
        return deep(), ce, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), 128, 'fashion'
    if name == 'lstm_adding':
        return LstmRegressor(), nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=1e-2), 64, 'adding'
    raise SystemExit(f'unknown problem {name}')


def measure(name, steps, windows, data_dir):
    torch.manual_seed(0)
    model, lossf, make_opt, batch, kind = problem(name)
    opt = make_opt(model.parameters())
    x, y = fashion(data_dir, 60000) if kind == 'fashion' else adding(10000, 50)
    n = x.shape[0]
    perm = torch.randperm(n)
    cursor = 0
    means = {k: [] for k in ('step', 'forward', 'backward', 'optimizer', 'data')}

    def window(count, record):
        nonlocal cursor, perm
        acc = dict.fromkeys(means, 0.0)
        for _ in range(count):
            t0 = time.perf_counter()
            if cursor + batch > n:
                perm = torch.randperm(n); cursor = 0
            idx = perm[cursor:cursor + batch]; cursor += batch
            xb, yb = x[idx], y[idx]
            t1 = time.perf_counter()
            opt.zero_grad(set_to_none=False)
            loss = lossf(model(xb), yb)
            t2 = time.perf_counter()
            loss.backward()
            t3 = time.perf_counter()
            opt.step()
            t4 = time.perf_counter()
            acc['data'] += t1 - t0; acc['forward'] += t2 - t1; acc['backward'] += t3 - t2
            acc['optimizer'] += t4 - t3; acc['step'] += t4 - t0
        if record:
            for k in acc: means[k].append(acc[k] / count)

    window(max(3, steps // 3), False)
    for _ in range(windows):
        window(steps, True)
    return [statistics.median(means[k]) for k in ('step', 'forward', 'backward', 'optimizer', 'data')]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--problems', required=True)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--windows', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--data', default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for name in a.problems.split(','):
        r = measure(name, a.steps, a.windows, a.data)
        print(name, ' '.join(f'{v:.6e}' for v in r), flush=True)
    print('ok')


if __name__ == '__main__':
    main()

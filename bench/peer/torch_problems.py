"""PyTorch peer of `descent bench`: the same problems, recipes and timing protocol, measured with
Debian's python3-torch 1.13 on the CPU.

`descent bench` embeds this file and runs it with --serve: it then answers commands on stdin, so the bench
can alternate windows of its own steps with windows of these (see src/Descent.Cli/Bench/TorchPeer.cs):

    load PROBLEM BATCH WARMUP      -> ready
    window STEPS                   -> window step forward backward optimizer data   (seconds per step)
    tta PROBLEM TARGET EPOCHS N    -> tta seconds epochs accuracy
    quit

Standalone, it prints one line per problem (medians over windows of the per-step means):

    python3 torch_problems.py --problems fmnist_mlp,lstm_adding --steps 30 --windows 5 --threads 2 [--data DIR]

Without --data (or when the directory lacks the files) the Fashion-MNIST problems use uniform noise of the
same shape; step times do not depend on the pixel values.
"""
import argparse, gzip, os, statistics, sys, time
import numpy as np
import torch
import torch.nn as nn


def fashion(data_dir, n_min, split='train'):
    if data_dir and os.path.exists(os.path.join(data_dir, f'{split}-images-idx3-ubyte.gz')):
        with gzip.open(os.path.join(data_dir, f'{split}-images-idx3-ubyte.gz')) as f:
            x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
        with gzip.open(os.path.join(data_dir, f'{split}-labels-idx1-ubyte.gz')) as f:
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


class Runner:
    """Trains one problem step by step, timing each phase like Descent's StepRunner."""

    def __init__(self, name, batch, data):
        torch.manual_seed(0)
        self.model, self.lossf, make_opt, _, kind = problem(name)
        self.opt = make_opt(self.model.parameters())
        self.x, self.y = data(kind)
        self.batch = min(batch, self.x.shape[0])
        self.perm = torch.randperm(self.x.shape[0])
        self.cursor = 0

    def window(self, steps):
        acc = [0.0] * 5  # step, forward, backward, optimizer, data
        for _ in range(steps):
            t0 = time.perf_counter()
            if self.cursor + self.batch > self.x.shape[0]:
                self.perm = torch.randperm(self.x.shape[0]); self.cursor = 0
            idx = self.perm[self.cursor:self.cursor + self.batch]; self.cursor += self.batch
            xb, yb = self.x[idx], self.y[idx]
            t1 = time.perf_counter()
            self.opt.zero_grad(set_to_none=False)
            loss = self.lossf(self.model(xb), yb)
            t2 = time.perf_counter()
            loss.backward()
            t3 = time.perf_counter()
            self.opt.step()
            t4 = time.perf_counter()
            for i, d in enumerate((t4 - t0, t2 - t1, t3 - t2, t4 - t3, t1 - t0)):
                acc[i] += d
        return [a / max(1, steps) for a in acc]


def time_to_accuracy(name, target, max_epochs, limit_train, data_dir):
    """Wall seconds from the start until the test accuracy (evaluated after each epoch) reaches target."""
    torch.manual_seed(0)
    model, lossf, make_opt, batch, _ = problem(name)
    opt = make_opt(model.parameters())
    x, y = fashion(data_dir, 60000, 'train')
    if limit_train > 0: x, y = x[:limit_train], y[:limit_train]
    xt, yt = fashion(data_dir, 10000, 't10k')
    start = time.perf_counter()
    acc = 0.0
    for epoch in range(1, max_epochs + 1):
        model.train()
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad(set_to_none=False)
            lossf(model(x[idx]), y[idx]).backward()
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, xt.shape[0], 1000):
                correct += (model(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item()
        acc = correct / xt.shape[0]
        if acc >= target:
            return time.perf_counter() - start, epoch, acc
    return time.perf_counter() - start, max_epochs, acc


def serve(a):
    cache = {}

    def data(kind):
        if kind not in cache:
            cache[kind] = fashion(a.data, 60000, 'train') if kind == 'fashion' else adding(10000, 50)
        return cache[kind]

    print(f'hello torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'data {a.data if a.data and os.path.exists(os.path.join(a.data, "train-images-idx3-ubyte.gz")) else "synthetic"}', flush=True)
    runner = None
    for line in sys.stdin:
        cmd = line.split()
        if not cmd: continue
        if cmd[0] == 'quit': break
        if cmd[0] == 'load':
            runner = Runner(cmd[1], int(cmd[2]), data)
            runner.window(int(cmd[3]))
            print('ready', flush=True)
        elif cmd[0] == 'window':
            print('window ' + ' '.join(f'{v:.6e}' for v in runner.window(int(cmd[1]))), flush=True)
        elif cmd[0] == 'tta':
            s, e, acc = time_to_accuracy(cmd[1], float(cmd[2]), int(cmd[3]), int(cmd[4]), a.data)
            print(f'tta {s:.6e} {e} {acc:.6f}', flush=True)
        else:
            print(f'error unknown command {cmd[0]}', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--serve', action='store_true', help='answer commands on stdin (how descent bench runs it)')
    ap.add_argument('--problems', default='fmnist_logreg,fmnist_mlp,fmnist_2c2d,deep_skip_bn,lstm_adding')
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--windows', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--data', default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.serve:
        serve(a)
        return
    cache = {}
    for name in a.problems.split(','):
        def data(kind):
            if kind not in cache:
                cache[kind] = fashion(a.data, 60000, 'train') if kind == 'fashion' else adding(10000, 50)
            return cache[kind]
        _, _, _, batch, _ = problem(name)
        r = Runner(name, batch, data)
        r.window(max(3, a.steps // 3))
        ws = [r.window(a.steps) for _ in range(a.windows)]
        print(name, ' '.join(f'{statistics.median(w[i] for w in ws):.6e}' for i in range(5)), flush=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""PyTorch reference for `cnnlab train`: the same network, data, optimiser and schedule.

Trains mnist-small (conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 |
dense 10) with SGD, momentum 0.9, on the four IDX files of a folder, exactly as
`cnnlab train --data mnist|fashion|DIR` does: pixels / 255, training on `train-`, accuracy on
`t10k-` after every epoch (for the bundled MNIST sample, `t10k-` is the 500-digit validation
set), a fresh shuffle each epoch, the last batch smaller. Weights use PyTorch's default
initialisation from `--seed`, so single runs of cnnlab and PyTorch differ by the seed's noise;
compare several seeds (scripts/bench-train-vs-torch does).

Usage:
  python scripts/train_torch.py [--data mnist|fashion|DIR] [--epochs 10] [--seed 1]
                                [--threads 2] [--batch 32] [--lr 0.05] [--json]

Prints a line per epoch on stderr and, with --json, one JSON object on stdout with the same
keys `cnnlab train --json` uses for time and accuracy. Needs torch and numpy. Not used by
cnnlab itself or by its tests.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cnnlab_ref import data_folder, read_idx  # noqa: E402


def load(folder):
    def images(stem):
        x = read_idx(folder, stem).astype(np.float32) / 255.0
        return torch.from_numpy(x).unsqueeze(1).contiguous()

    def labels(stem):
        return torch.from_numpy(read_idx(folder, stem).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def mnist_small():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10))


def evaluate(model, x, y):
    model.eval()
    correct = 0
    with torch.inference_mode():
        for i in range(0, len(x), 256):
            correct += int((model(x[i:i + 256]).argmax(1) == y[i:i + 256]).sum())
    model.train()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    folder = data_folder(args.data)
    xtr, ytr, xte, yte = load(folder)
    torch.manual_seed(args.seed)
    model = mnist_small()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    n = len(xtr)
    accuracy = 0.0
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(n)
        loss_sum, steps = 0.0, 0
        for i in range(0, n, args.batch):
            idx = order[i:i + args.batch]
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            steps += 1
        accuracy = evaluate(model, xte, yte)
        elapsed = time.perf_counter() - start
        print(f"epoch {epoch}/{args.epochs}: train loss {loss_sum / steps:.4f}, "
              f"t10k acc {100 * accuracy:.2f}%, {elapsed:.1f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start

    if args.json:
        print(json.dumps({"data": args.data, "seed": args.seed, "epochs": args.epochs,
                          "threads": args.threads, "seconds": seconds,
                          "images_per_second": n * args.epochs / seconds,
                          "validation_accuracy": accuracy, "torch": torch.__version__}))


if __name__ == "__main__":
    main()

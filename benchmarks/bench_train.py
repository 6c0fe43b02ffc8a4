"""Side-by-side timings of GLO training on this machine (ratios matter, not absolute seconds).

Run: ``make bench`` (or ``python benchmarks/bench_train.py [--repeat N]``). Prints a Markdown
table to paste into the README with the machine it came from.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from glo_lib import GLOConfig, load_digits, train


def time_run(cfg: GLOConfig, digits, threads: int, repeat: int) -> float:
    torch.set_num_threads(threads)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        train(cfg, digits, progress=False)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    cfg = GLOConfig(device="cpu")
    digits = load_digits(cfg)
    cases = [
        ("Table 1 run (l1+l2), 1 thread", cfg, 1),
        ("Table 1 run (l1+l2), 2 threads", cfg, 2),
        ("Table 1 run, loss l2, 1 thread", cfg.replace(loss="l2"), 1),
        ("course scale (2,000 images), 1 thread", cfg.replace(n_samples=2000), 1),
    ]
    base = None
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, python {platform.python_version()}\n")
    print("| case | seconds | ratio to Table 1 (1 thread) |\n|---|---|---|")
    for name, c, threads in cases:
        s = time_run(c, load_digits(c) if c.n_samples != cfg.n_samples else digits, threads, args.repeat)
        base = base or s
        print(f"| {name} | {s:.2f} | {s / base:.2f} |", flush=True)


if __name__ == "__main__":
    main()

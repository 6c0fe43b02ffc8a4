"""Side-by-side timings of GLO training on this machine (ratios matter, not absolute seconds).

Run: ``make bench`` (or ``python benchmarks/bench_train.py [--repeat N]``). Prints a Markdown
table to paste into the README with the machine it came from.
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

import torch

from glo_lib import GLOConfig, GLOModel, load_digits, train
from glo_lib.core.losses import content_penalty, l1_l2
from glo_lib.core.model import GENERATORS, count_parameters
from glo_lib.core.judge import judge_or_load
from glo_lib.core.sweep import sweep


def time_run(cfg: GLOConfig, digits, threads: int, repeat: int) -> float:
    torch.set_num_threads(threads)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        train(cfg, digits, progress=False)
        best = min(best, time.perf_counter() - t0)
    return best


def perceptual_ratio(cfg: GLOConfig, digits, threads: int, repeat: int) -> tuple[float, float]:
    """Best seconds of an l1+l2 and a perceptual run of the same config, timed alternately so
    that a busy machine slows both alike. The judge is trained (and cached) beforehand: it is
    shared with the measures, so it is not part of a run's cost."""
    torch.set_num_threads(threads)
    best = {"l1+l2": float("inf"), "perceptual": float("inf")}
    for _ in range(repeat):
        for loss in best:
            t0 = time.perf_counter()
            train(cfg.replace(loss=loss), digits, progress=False)
            best[loss] = min(best[loss], time.perf_counter() - t0)
    return best["l1+l2"], best["perceptual"]


def sweep_seconds(cfg: GLOConfig, workers: int) -> float:
    """Seconds for a 4-run sigma sweep trained from an empty cache with ``workers`` processes."""
    with tempfile.TemporaryDirectory() as root:
        t0 = time.perf_counter()
        sweep(cfg, {"noise_std": [0.0, 0.3, 0.7, 1.0]}, workers=workers, progress=False, root=root)
        return time.perf_counter() - t0


def generator_costs(cfg: GLOConfig, digits, steps: int = 30) -> list[tuple[str, int, float]]:
    """Weights and milliseconds per training step (batch of Table 1, forward + backward + Adam) of each
    generator, measured in turns so that a busy machine slows all alike."""
    torch.set_num_threads(1)
    models = {name: GLOModel(len(digits.labels), 10, cfg.replace(generator=name)) for name in GENERATORS}
    opts = {name: torch.optim.Adam(m.parameters(), lr=1e-3) for name, m in models.items()}
    ids = torch.arange(cfg.batch_size)
    best = {name: float("inf") for name in models}
    for _ in range(3):
        for name, model in models.items():
            t0 = time.perf_counter()
            for _ in range(steps):
                recon, content = model(ids, digits.labels[ids])
                loss = l1_l2(recon, digits.images[ids]) + cfg.content_decay * content_penalty(content)
                opts[name].zero_grad(set_to_none=True)
                loss.backward()
                opts[name].step()
            best[name] = min(best[name], (time.perf_counter() - t0) / steps * 1000)
    return [(name, count_parameters(models[name].generator), best[name]) for name in models]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--perceptual-only", action="store_true", help="only the perceptual/l1+l2 ratio")
    ap.add_argument("--skip-sweep", action="store_true", help="leave out the 1-vs-2-worker sweep case")
    ap.add_argument("--generators-only", action="store_true", help="only the generators' weights and step costs")
    args = ap.parse_args()
    cfg = GLOConfig(device="cpu")
    digits = load_digits(cfg)
    cases = [] if args.perceptual_only else [
        ("Table 1 run (l1+l2), 1 thread", cfg, 1),
        ("Table 1 run (l1+l2), 2 threads", cfg, 2),
        ("Table 1 run, loss l2, 1 thread", cfg.replace(loss="l2"), 1),
        ("course scale (2,000 images), 1 thread", cfg.replace(n_samples=2000), 1),
    ]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, python {platform.python_version()}, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}\n")
    print(f"| generator (class {cfg.class_dim} + content {cfg.content_dim}) | weights | ms per step, 1 thread | ratio |"
          "\n|---|---|---|---|")
    costs = generator_costs(cfg, digits)
    course = next(ms for name, _, ms in costs if name == "course")
    for name, weights, ms in costs:
        print(f"| {name} | {weights:,} | {ms:.1f} | {ms / course:.2f} |", flush=True)
    if args.generators_only:
        return
    base = None
    print()
    if cases:
        print("| case | seconds | ratio to Table 1 (1 thread) |\n|---|---|---|")
    for name, c, threads in cases:
        s = time_run(c, load_digits(c) if c.n_samples != cfg.n_samples else digits, threads, args.repeat)
        base = base or s
        print(f"| {name} | {s:.2f} | {s / base:.2f} |", flush=True)
    if not args.perceptual_only and not args.skip_sweep:
        torch.set_num_threads(2)
        one, two = sweep_seconds(cfg, 1), sweep_seconds(cfg, 2)
        print(f"\n4-run sweep (Table 1, sigma 0/0.3/0.7/1), empty cache: 1 worker with 2 threads {one:.1f} s, "
              f"2 workers with 1 thread each {two:.1f} s (ratio {two / one:.2f})")
    t0 = time.perf_counter()
    judge_or_load(digits, epochs=cfg.perceptual_judge_epochs)
    print(f"\nperceptual loss (judge features) against l1+l2, same Table 1 config, timed alternately "
          f"(its judge ready in {time.perf_counter() - t0:.1f} s, cached for later runs):\n")
    print("| threads | l1+l2 seconds | perceptual seconds | ratio (limit 3) |\n|---|---|---|---|")
    for threads in (1, 2):
        a, b = perceptual_ratio(cfg, digits, threads, args.repeat)
        print(f"| {threads} | {a:.2f} | {b:.2f} | {b / a:.2f} |", flush=True)


if __name__ == "__main__":
    main()

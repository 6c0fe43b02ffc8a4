"""Seconds of the second stage (glo_lib.core.encoders): both phases of the encoders' training, and
encoding new digits, for stage-1 runs of 256 and 2,000 training digits.

Run: ``python benchmarks/bench_encoders.py [--sizes 256 2000] [--threads 1] [--repeat 1]``. The
stage-1 runs are loaded from the run cache (or trained once, untimed); the encoders are trained
afresh, never loaded. Prints a Markdown table to paste into the README with the machine it came from.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import torch

from glo_lib import GLOConfig, load_digits, train_or_load
from glo_lib.core.encoders import EncoderSettings, train_encoders
from glo_lib.core.judge import judge_test_set


def time_encoders(n_samples: int, settings: EncoderSettings, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds of each phase, of the whole training and of encoding the held-out
    digits of the judge's test share (about 950 with the default data)."""
    cfg = GLOConfig(n_samples=n_samples, device="cpu")
    digits = load_digits(cfg)
    run = train_or_load(cfg, digits, progress=False)
    images, _ = judge_test_set(digits)
    best = {"regress": float("inf"), "finetune": float("inf"), "total": float("inf"), "encode": float("inf")}
    for _ in range(repeat):
        enc = train_encoders(run, settings)
        t0 = time.perf_counter()
        enc.model.encode(images)
        encode = time.perf_counter() - t0
        for key, value in (("regress", enc.timings["regress_seconds"]), ("finetune", enc.timings["finetune_seconds"]),
                           ("total", enc.timings["train_seconds"]), ("encode", encode)):
            best[key] = min(best[key], value)
    return {**best, "encoded": len(images)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 2000], help="training digits of the stage-1 runs")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    settings = EncoderSettings()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s), "
          f"torch {torch.__version__}, python {platform.python_version()}; best of {args.repeat}; "
          f"{settings.regress_epochs} regression + {settings.finetune_epochs} fine-tuning epochs\n")
    print("| training digits | regression s | fine-tuning s | total s | s per 1,000 digits and epoch | "
          "encoding held-out digits |\n|---|---|---|---|---|---|")
    for n in args.sizes:
        t = time_encoders(n, settings, args.repeat)
        per = t["total"] / (n / 1000) / (settings.regress_epochs + settings.finetune_epochs)
        print(f"| {n:,} | {t['regress']:.1f} | {t['finetune']:.1f} | {t['total']:.1f} | {per:.2f} | "
              f"{t['encode']:.2f} s for {t['encoded']} |", flush=True)


if __name__ == "__main__":
    main()

"""One training epoch at the course's 2,000 images and at the whole training split (60,000), with
the peak memory of each, each size in a fresh process so that one peak does not hide the other.

Run: ``python benchmarks/bench_scale.py [--dataset fashion-mnist] [--out bench_scale.json]``.
Writes JSON (machine, torch, and per size: seconds to load the data, seconds of the epoch, peak
resident memory) and prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch

from glo_lib import GLOConfig, load_digits, train
from glo_lib.atomic import write_bytes
from glo_lib.core.config import pick_device

SIZES = (2000, 60000)


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_size(dataset: str, n: int, threads: int) -> dict:
    """Load ``n`` training images and train one epoch (the default config otherwise)."""
    torch.set_num_threads(threads)
    cfg = GLOConfig(dataset=dataset, n_samples=n, epochs=1)
    base = peak_mb()
    t0 = time.perf_counter()
    digits = load_digits(cfg)
    loaded = time.perf_counter()
    after_load = peak_mb()
    run = train(cfg, digits, progress=False)
    return {"n_samples": n, "load_s": round(loaded - t0, 2), "epoch_s": round(time.perf_counter() - loaded, 2),
            "peak_mb_before_data": round(base), "peak_mb_after_data": round(after_load),
            "peak_mb": round(peak_mb()), "device": run.timings["device"],
            "precision": getattr(cfg, "resolved_precision", lambda: "fp32")(), "threads": threads}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", default="fashion-mnist", choices=["mnist", "fashion-mnist"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("bench_scale.json"))
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = p.parse_args()
    if args.one:
        print(json.dumps(one_size(args.dataset, args.one, args.threads)))
        return
    rows = []
    for n in SIZES:
        out = subprocess.run([sys.executable, __file__, "--dataset", args.dataset, "--threads", str(args.threads),
                              "--one", str(n)], check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    result = {"cpu": cpu_model(), "cores": os.cpu_count(), "torch": torch.__version__,
              "python": platform.python_version(), "device": str(pick_device("auto")),
              "dataset": args.dataset, "date": time.strftime("%Y-%m-%d"), "sizes": rows}
    write_bytes(args.out, json.dumps(result, indent=2).encode())
    print(f"{result['cpu']}, {result['cores']} cores, torch {result['torch']}, {args.threads} thread(s), "
          f"{args.dataset}")
    print("| training images | load s | one epoch s | peak memory MB: after imports / with the data / after the epoch |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['n_samples']:,} | {r['load_s']} | {r['epoch_s']} | "
              f"{r['peak_mb_before_data']:,} / {r['peak_mb_after_data']:,} / {r['peak_mb']:,} |")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

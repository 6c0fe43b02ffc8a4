"""Where users wait, measured side by side in one run: the trainer against a plain loop, how much of
the CPU's matrix-product peak a training step uses, evaluating a run, and report builds.

Run: ``make bench`` (``python benchmarks/run.py [--skip-builds] [--full] [--out DIR]``). Writes
``bench.json`` and ``bench.md`` (the tables the README quotes) into ``--out`` (default
benchmarks/results/) and prints the Markdown. Timings on a shared machine are noisy: the trainer
and the plain loop run in turns and the best of the repeats counts; read the ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

from glo_lib import GLOConfig, load_digits, train
from glo_lib.atomic import write_bytes
from glo_lib.core.judge import judge_or_load
from glo_lib.core.losses import content_penalty, l1_l2
from glo_lib.core.model import GLOModel
from glo_lib.core.precision import autocast, cpu_flags, native_bf16
from glo_lib.core.train import Run
from glo_lib.measures.evaluate import evaluate
from glo_lib.measures.metrics import class_transfer, reconstruction_error
from glo_lib.paths import cache_dir

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict:
    """What the numbers were measured on."""
    model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                  if l.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"cpu": model, "cores": os.cpu_count(), "torch": torch.__version__,
            "python": platform.python_version(), "capability": torch.backends.cpu.get_cpu_capability(),
            "native_bf16": native_bf16(), "amx": "amx_bf16" in cpu_flags(),
            "threads": torch.get_num_threads(), "date": time.strftime("%Y-%m-%d")}


def plain_loop(cfg: GLOConfig, digits) -> tuple[GLOModel, float]:
    """The course-style loop the trainer is measured against: a DataLoader over (id, image, label),
    the same model, loss, content penalty and Adam; fp32, default layout, the losses read per step."""
    torch.manual_seed(cfg.seed)
    model = GLOModel(len(digits.labels), 10, cfg.replace(precision="fp32"))
    model.to(memory_format=torch.contiguous_format)
    opt = torch.optim.Adam([
        {"params": model.generator.parameters(), "lr": cfg.lr_generator},
        {"params": model.class_codes.parameters(), "lr": cfg.lr_class},
        {"params": model.content_codes.parameters(), "lr": cfg.lr_content}])
    data = DataLoader(TensorDataset(torch.arange(len(digits.labels)), digits.images, digits.labels),
                      batch_size=cfg.batch_size, shuffle=True)
    start = time.perf_counter()
    for _ in range(cfg.epochs):
        model.train()
        total = 0.0
        for ids, images, labels in data:
            recon, content = model(ids, labels)
            rec = l1_l2(recon, images)
            loss = rec + cfg.content_decay * content_penalty(content)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(ids)  # the course printed the epoch's mean loss
    return model.eval(), time.perf_counter() - start


def accuracy(model: GLOModel, digits, judge) -> dict:
    """Final reconstruction MSE (every training image, fp32) and class transfer."""
    recon = model.reconstruct(torch.arange(len(digits.labels)), digits.labels)
    return {"mse": reconstruction_error(recon, digits.images)["mse"],
            "transfer": class_transfer(model, judge)["accuracy"]}


def trainer_vs_plain(n: int, epochs: int, repeat: int, judge_epochs: int = 10) -> dict:
    cfg = GLOConfig(n_samples=n, epochs=epochs, device="cpu")
    digits = load_digits(cfg)
    judge = judge_or_load(digits, epochs=judge_epochs)
    best = {"trainer": float("inf"), "plain": float("inf")}
    for _ in range(repeat):  # in turns, so a busy machine slows both alike
        run = train(cfg, digits, progress=False)
        best["trainer"] = min(best["trainer"], run.timings["train_seconds"])
        plain, seconds = plain_loop(cfg, digits)
        best["plain"] = min(best["plain"], seconds)
    return {"n": n, "epochs": epochs, "precision": run.timings["precision"],
            "trainer_s": best["trainer"], "plain_s": best["plain"], "speedup": best["plain"] / best["trainer"],
            "trainer": accuracy(run.model, digits, judge), "plain": accuracy(plain, digits, judge)}


def matmul_peak(dtype: torch.dtype, size: int = 1024, reps: int = 20) -> float:
    """GFLOP/s of a square matrix product on this CPU (best of three bursts)."""
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * size ** 3 * reps / best / 1e9


def step_flops(cfg: GLOConfig, digits, peak_size: int = 1024) -> dict:
    """FLOPs of one training step (forward + backward, flop_counter) and the share of the matrix
    product peak the trainer reaches with them."""
    model = GLOModel(len(digits.labels), 10, cfg)
    ids = torch.arange(cfg.batch_size)
    counter = FlopCounterMode(display=False)
    with counter:
        with autocast(model.precision, torch.device("cpu")):
            recon, content = model(ids, digits.labels[ids])
        (l1_l2(recon.float(), digits.images[ids]) + cfg.content_decay * content_penalty(content)).backward()
    flops = counter.get_total_flops()
    run = train(cfg, digits, progress=False)
    steps = cfg.epochs * -(-len(digits.labels) // cfg.batch_size)
    achieved = flops * steps / run.timings["train_seconds"] / 1e9
    peak_fp32 = matmul_peak(torch.float32, peak_size)
    peak_bf16 = matmul_peak(torch.bfloat16, peak_size) if native_bf16() else float("nan")
    peak = peak_bf16 if run.timings["precision"] == "bf16" else peak_fp32
    return {"mflop_per_step": flops / 1e6, "achieved_gflops": achieved, "peak_fp32_gflops": peak_fp32,
            "peak_bf16_gflops": peak_bf16, "precision": run.timings["precision"], "share_of_peak": achieved / peak}


def evaluation_seconds(repeat: int = 3) -> dict:
    cfg = GLOConfig(device="cpu")
    digits = load_digits(cfg)
    judge = judge_or_load(digits)
    run: Run = train(cfg, digits, progress=False)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        row = evaluate(run, judge)
        best = min(best, time.perf_counter() - t0)
    return {"seconds": best, "mse": row["mse"], "transfer": row["transfer_accuracy"]}


def build_seconds(args: list[str], cache: Path, out: Path) -> float:
    env = {**os.environ, "GLO_CACHE_DIR": str(cache)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "glo_lib.reporting.cli", "build", *args, "--out", str(out)],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def builds(full: bool) -> dict:
    """Smoke build cold (empty caches) and warm (nothing changed); with ``full``, the full report
    once into the user's cache (cold or not) and again with nothing changed."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache, folder = Path(tmp) / "cache", Path(tmp) / "build"
        out["smoke_cold_s"] = build_seconds(["--smoke"], cache, folder)
        out["smoke_warm_s"] = build_seconds(["--smoke"], cache, folder)
        if full:
            out["full_first_s"] = build_seconds([], cache_dir(), Path(tmp) / "full")
            out["full_warm_s"] = build_seconds([], cache_dir(), Path(tmp) / "full")
    return out


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores, torch {m['torch']}, "
             f"CPU capability {m['capability']}, native bf16 {'yes' if m['native_bf16'] else 'no'}, "
             f"{m['threads']} threads).", "",
             "| training images x epochs | trainer s | plain loop s | speed-up | MSE trainer / plain | "
             "class transfer trainer / plain |", "|---|---|---|---|---|---|"]
    for r in result["trainer_vs_plain"]:
        lines.append(f"| {r['n']:,} x {r['epochs']} ({r['precision']}) | {r['trainer_s']:.1f} | {r['plain_s']:.1f} | "
                     f"{r['speedup']:.2f}x | {r['trainer']['mse']:.4f} / {r['plain']['mse']:.4f} | "
                     f"{100 * r['trainer']['transfer']:.1f}% / {100 * r['plain']['transfer']:.1f}% |")
    f = result["flops"]
    lines += ["", f"A training step (batch 32, forward + backward) is {f['mflop_per_step']:.0f} MFLOP; the trainer "
                  f"reaches {f['achieved_gflops']:.1f} GFLOP/s in {f['precision']}, "
                  f"{100 * f['share_of_peak']:.1f}% of this CPU's matrix-product peak measured in the same run "
                  f"(fp32 {f['peak_fp32_gflops']:.0f} GFLOP/s, bf16 {f['peak_bf16_gflops']:.0f} GFLOP/s).",
              "", f"Evaluating one Table 1 run (every measure): {result['evaluation']['seconds']:.2f} s."]
    b = result.get("builds", {})
    if b:
        lines += ["", "| build | seconds |", "|---|---|"]
        names = {"smoke_cold_s": "`--smoke`, empty caches", "smoke_warm_s": "`--smoke`, nothing changed",
                 "full_first_s": "full report, first build", "full_warm_s": "full report, nothing changed"}
        lines += [f"| {names[k]} | {v:.1f} |" for k, v in b.items()]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="turns of trainer and plain loop (best counts)")
    ap.add_argument("--skip-builds", action="store_true", help="leave out the report builds")
    ap.add_argument("--full", action="store_true", help="also build the full report twice (long when cold)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    result = {"machine": machine()}
    result["trainer_vs_plain"] = [trainer_vs_plain(256, 50, args.repeat), trainer_vs_plain(2000, 50, 1)]
    result["flops"] = step_flops(GLOConfig(device="cpu"), load_digits(GLOConfig()))
    result["evaluation"] = evaluation_seconds()
    if not args.skip_builds:
        result["builds"] = builds(args.full)
    text = markdown(result)
    write_bytes(args.out / "bench.json", json.dumps(result, indent=1).encode())
    write_bytes(args.out / "bench.md", (text + "\n").encode())
    print(text)


if __name__ == "__main__":
    main()

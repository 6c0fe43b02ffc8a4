"""Device moves, tested on the CPU (no GPU here): "auto" picks CUDA only when torch sees it, a run
saved by a GPU machine (its config saying "cuda") loads on a CPU and back, worker payloads carry
CPU tensors, and the judge and samplers work on the run's device."""
import json

import pytest
import torch

from glo_lib import GLOConfig, load_digits, train
from glo_lib.core.config import pick_device
from glo_lib.core.judge import train_judge
from glo_lib.core.runs import load_run, run_from_payload, run_payload, save_run
from glo_lib.measures.sampling import sample

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")


#: one arithmetic on every device: a precision of "auto" may pick bf16 on a CPU and fp32 on a GPU,
#: which makes them two different runs (where the config has that field)
SAME_ARITHMETIC = {"precision": "fp32"} if "precision" in GLOConfig().to_dict() else {}


@pytest.fixture(scope="module")
def trained():
    cfg = GLOConfig(n_samples=40, epochs=2, batch_size=16, generator="course", device="cpu", **SAME_ARITHMETIC)
    digits = load_digits(cfg)
    return cfg, digits, train(cfg, digits, progress=False, snapshot_epochs=[1])


def test_auto_is_cuda_exactly_when_torch_sees_it():
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="device must be one of auto, cpu, cuda; got 'tpu'"):
        GLOConfig(device="tpu")


@no_cuda
def test_cuda_without_a_gpu_is_named():
    with pytest.raises(ValueError, match="device='cuda' asked for, but torch sees no CUDA device"):
        pick_device("cuda")


def test_a_run_saved_by_a_gpu_machine_loads_on_this_one_and_back(tmp_path, trained):
    cfg, digits, run = trained
    # what a GPU machine writes: its config says cuda, its timings the GPU; the tensors are stored
    # from the CPU (save_run moves them), so any machine can read them
    run.config, run.timings = cfg.replace(device="cuda"), {**run.timings, "device": "cuda:0"}
    folder = save_run(run, tmp_path)
    run.config = cfg
    assert json.loads((folder / "config.json").read_text())["config"]["device"] == "cuda"
    state = torch.load(folder / "model.pt", map_location="cpu", weights_only=True)
    assert all(t.device.type == "cpu" for t in state["model"].values())
    for device in ("auto", "cpu"):
        back = load_run(cfg.replace(device=device), digits, tmp_path, snapshot_epochs=[1])
        assert back is not None, f"a cuda run did not load for device={device!r}"
        assert back.model.classes.device == pick_device(device)
        assert torch.equal(back.model.content.cpu(), run.model.content.cpu())
        assert back.model_at(1).classes.device == back.model.classes.device
    if not torch.cuda.is_available():  # asked to run on a GPU that is not there: said, not hidden
        with pytest.raises(ValueError, match="no CUDA device"):
            load_run(cfg.replace(device="cuda"), digits, tmp_path)


def test_a_worker_payload_is_cpu_data_placed_on_the_clients_device(trained):
    cfg, digits, run = trained
    payload = run_payload(run)
    tensors = list(payload["model"].values()) + [t for s in payload["snapshots"].values() for t in s.values()]
    assert tensors and all(t.device.type == "cpu" for t in tensors)
    back = run_from_payload(payload, cfg.replace(device="auto"), digits)
    assert back.model.classes.device == pick_device("auto")
    assert torch.equal(back.model.content.cpu(), run.model.content.cpu())
    assert back.history.equals(run.history)
    with pytest.raises(ValueError, match="another run than"):
        run_from_payload(payload, cfg.replace(noise_std=0.9), digits)


def test_judge_and_samplers_follow_the_runs_device(trained):
    cfg, digits, run = trained
    device = run.model.classes.device
    judge = train_judge(digits, epochs=1).to(device)
    assert judge.device == device
    images, asked = sample(run.model, 20, "gaussian", seed=3)
    assert images.device.type == "cpu" and images.shape == (20, 1, 28, 28)
    on_device = judge.predict(images.to(device))
    assert on_device.device.type == "cpu" and torch.equal(on_device, judge.predict(images))
    assert judge.features(images.to(device)).shape == (20, 64)


def test_a_worker_trains_in_the_arithmetic_this_machine_files_the_run_under(trained):
    from glo_lib.core.sweep import as_sent

    cfg, digits, run = trained
    auto = cfg.replace(precision="auto") if "precision" in cfg.to_dict() else cfg
    sent = as_sent(auto)
    assert sent.get("precision", "fp32") in ("fp32", "bf16")  # "auto" resolved here, not on the worker
    assert GLOConfig(**sent).run_name() == auto.run_name()

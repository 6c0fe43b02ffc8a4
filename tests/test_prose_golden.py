"""Golden prose: every sentence, caption and paragraph of ``glo_lib.narrative``, rendered on small
constructed tables and compared with tests/golden/<module>.txt.

A change of wording shows here as a diff of the golden file; when it is meant, re-accept with
``make accept-prose`` (``GLO_ACCEPT=1 pytest tests/test_prose_golden.py``) and commit the file.
The study tests keep checking which branch a number picks; this file pins the words.
"""
import difflib
import inspect
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pandas as pd
import pytest

from glo_lib import GLOConfig, narrative
from glo_lib.core.sweep import SweepResult
from glo_lib.studies import encoders as enc_study
from glo_lib.studies import frontier as frontier_study
from glo_lib.studies import noise_study
from test_content_probe import MEASURES, _means, _rows
from test_encoders import _anchor_table
from test_encoders import _table as _encoder_table
from test_frontier import _rows as _frontier_rows
from test_loss_study import _pixel_race, _with_a_collapse, row, table
from test_noise_study import _judges, _shares, _sweep
from test_noise_study import _sigma_means as _noise_means
from test_sampling_study import _paths
from test_sampling_study import _table as _sampler_table
from test_summary import _probe, _results

GOLDEN = Path(__file__).parent / "golden"
ACCEPT = os.environ.get("GLO_ACCEPT") == "1"


def _result(configs):
    """A SweepResult of runs with these config fields (60 digits, 2 epochs), one of them trained."""
    runs = [SimpleNamespace(config=GLOConfig(n_samples=60, epochs=2, **c)) for c in configs]
    return SweepResult(runs=runs, seconds=2.04, n_cached=len(runs) - 1, n_trained=1)


def _encoder_run(finetune_epochs=10, cached=False):
    history = pd.DataFrame([{"phase": "regression", "class_code_error": 0.041, "content_code_error": 0.22},
                            {"phase": "fine-tuning", "class_code_error": 0.035, "content_code_error": 0.48}])
    return SimpleNamespace(settings=SimpleNamespace(regress_epochs=60, finetune_epochs=finetune_epochs),
                           timings={"regress_seconds": 3.21, "finetune_seconds": 1.5, "device": "cpu"},
                           history=history if finetune_epochs else history.iloc[:1], cached=cached)


def _digits(noun="digits", names=tuple("0123456789")):
    import torch

    return SimpleNamespace(labels=torch.tensor([0, 1, 1, 2] * 10), n_classes=10, noun=noun, class_names=names,
                           heldout_labels=torch.zeros(25))


def _shape_paragraph(rows):
    steps = {m: noise_study.sigma_steps(rows, m) for m in narrative.noise.SHAPED}
    return narrative.noise.shape_paragraph(narrative.noise.shape_claims(steps), narrative.noise.collapse_claim(rows),
                                           steps)


def _noise_verdicts():
    rows = _sweep(mse=(0.01, 0.02, 0.03), acc=(0.5, 0.7, 0.9), div=(0.9, 0.7, 0.6), sigmas=(0.0, 0.3, 1.0),
                  agree=(0.4, 0.7, 0.9))
    steps = {m: noise_study.sigma_steps(rows, m) for m in narrative.noise.SHAPED}
    choice = narrative.noise.choice_claim(noise_study.sigma_means(rows, 0.1), 0.1, 0.3)
    return narrative.noise.noise_verdicts(steps, narrative.noise.shape_claims(steps),
                                          narrative.noise.collapse_claim(rows), rows, choice,
                                          narrative.noise.decay_claims(_shares(sigmas=(0.0, 0.3))), 0.1, 0.3)


CASES: dict[str, dict[str, Callable[[], object]]] = {
    "table1": {
        "data_sentence[digits]": lambda: narrative.table1.data_sentence(_digits()),
        "data_sentence[fashion]": lambda: narrative.table1.data_sentence(_digits("images", tuple("ABCDEFGHIJ"))),
        "training_sentence": lambda: narrative.table1.training_sentence(SimpleNamespace(config=GLOConfig(epochs=50))),
        "DIAGRAM_CAPTION": lambda: narrative.table1.DIAGRAM_CAPTION,
        "TABLE1_CAPTION": lambda: narrative.table1.TABLE1_CAPTION,
        "RECONSTRUCTION_CAPTION": lambda: narrative.table1.RECONSTRUCTION_CAPTION,
        "digits_caption": lambda: narrative.table1.digits_caption(_digits(), 3),
        "curves_caption": lambda: narrative.table1.curves_caption("l1+l2"),
        "STAGE2_CAPTION": lambda: narrative.table1.STAGE2_CAPTION,
    },
    "noise": {
        "sweep_sentence[loaded]": lambda: narrative.noise.sweep_sentence(
            {"noise_std": [0.0, 1.0], "content_decay": [0.0, 0.001], "seed": [0]}, GLOConfig(n_samples=60, epochs=2),
            SweepResult(runs=[None] * 4, seconds=2.04, n_cached=3, n_trained=1), table1_cached=True, seconds=3.26),
        "methods_paragraph": lambda: narrative.noise.methods_paragraph(noise_study.judges_table(_judges(0.984, 0.979))),
        "judges_caption": lambda: narrative.noise.judges_caption(3),
        "reconstruction_caption": lambda: narrative.noise.reconstruction_caption([0.0, 0.3, 1.0], 0, shown=(2, 7)),
        "transfer_caption": lambda: narrative.noise.transfer_caption(4),
        "transfer_sentence": lambda: narrative.noise.transfer_sentence(
            _sweep(acc=(0.5, 0.9, 0.8), sigmas=(0.0, 0.3, 1.0), mse=(1, 1, 1), div=(1, 1, 1))),
        "decay_table_caption": lambda: narrative.noise.decay_table_caption(0.0, 0.001),
        "DECAY_FIGURE_CAPTION": lambda: narrative.noise.DECAY_FIGURE_CAPTION,
        "evolution_caption": lambda: narrative.noise.evolution_caption(
            GLOConfig(epochs=10, noise_std=0.3, content_decay=0.001, seed=2), [1, 5]),
        "table_caption": lambda: narrative.noise.table_caption(0.001, 3),
        "curves_caption": lambda: narrative.noise.curves_caption(3, 0.001),
        "shape_paragraph[every trend]": lambda: _shape_paragraph(
            _sweep(mse=(0.01, 0.02, 0.03), acc=(0.5, 0.7, 0.9), div=(0.9, 0.7, 0.6), sigmas=(0.0, 0.3, 1.0))),
        "shape_paragraph[flat, peak, collapse]": lambda: _shape_paragraph(
            _sweep(mse=(0.01, 0.0102, 0.03), acc=(0.5, 0.9, 0.7), div=(0.9, 0.5, 0.3), sigmas=(0.0, 0.3, 1.0))),
        "shape_phrase[peak]": lambda: narrative.noise.shape_phrase(noise_study.sigma_steps(_sweep(
            mse=(0.01, 0.03, 0.02, 0.01), sigmas=(0.0, 0.1, 0.3, 1.0), acc=(0.5,) * 4, div=(1,) * 4), "mse")),
        "choice_claim[the Table 1 value]": lambda: narrative.noise.choice_claim(
            _noise_means((0.040, 0.043, 0.050), (0.88, 0.91, 0.95)), 0.1, 0.3).statement,
        "choice_claim[another value]": lambda: narrative.noise.choice_claim(
            _noise_means((0.040, 0.050, 0.060), (0.88, 0.8805, 0.95)), 0.1, 0.3).statement,
        "choice_claim[Table 1 not swept]": lambda: narrative.noise.choice_claim(
            _noise_means((0.040, 0.043, 0.050), (0.88, 0.91, 0.95)), 0.1, 0.5).statement,
        "decay_paragraph[small]": lambda: narrative.noise.decay_paragraph(
            narrative.noise.decay_claims(_shares(clear=(False, True)))),
        "decay_paragraph[large]": lambda: narrative.noise.decay_paragraph(
            narrative.noise.decay_claims(_shares(mse=(0.0004, 0.01)))),
        "decay_paragraph[nothing clear]": lambda: narrative.noise.decay_paragraph(
            narrative.noise.decay_claims(_shares(clear=(False, False)))),
        "noise_verdicts": lambda: _noise_verdicts().drop(columns="sentence"),
    },
    "frontier": {
        "frontier_sentence[missed]": lambda: narrative.frontier.frontier_sentence(
            frontier_study.frontier_table(_frontier_rows())),
        "frontier_sentence[reached]": lambda: narrative.frontier.frontier_sentence(
            frontier_study.frontier_table(_frontier_rows().assign(mse=0.02, transfer_accuracy=0.98))),
        "frontier_sentence[no low MSE]": lambda: narrative.frontier.frontier_sentence(
            frontier_study.frontier_table(_frontier_rows().assign(mse=0.5))),
        "frontier_sentence[collapsed]": lambda: narrative.frontier.frontier_sentence(frontier_study.frontier_table(
            _frontier_rows().assign(diversity=lambda d: d["noise_std"].map({0.0: 0.9, 0.3: 0.9, 1.0: 0.3})))),
        "frontier_sentence[all collapsed]": lambda: narrative.frontier.frontier_sentence(
            frontier_study.frontier_table(_frontier_rows().assign(diversity=0.3))),
        "bits_sentence[crossing]": lambda: narrative.frontier.bits_sentence(
            frontier_study.bits_table(_frontier_rows()), ("conv", "normal")),
        "bits_sentence[never]": lambda: narrative.frontier.bits_sentence(
            frontier_study.bits_table(_frontier_rows().assign(content_var=1e6)), ("conv", "normal")),
        "default_sentence[this default]": lambda: narrative.frontier.default_sentence(
            frontier_study.frontier_table(_frontier_rows()), GLOConfig(generator="conv", noise_std=0.3)),
        "default_sentence[another]": lambda: narrative.frontier.default_sentence(
            frontier_study.frontier_table(_frontier_rows()), GLOConfig(generator="course", noise_std=0.3)),
        "default_sentence[not swept]": lambda: narrative.frontier.default_sentence(
            frontier_study.frontier_table(_frontier_rows()), GLOConfig(noise_std=0.5)),
        "default_sentence[none]": lambda: narrative.frontier.default_sentence(
            frontier_study.frontier_table(_frontier_rows().assign(mse=0.5)), GLOConfig(noise_std=0.3)),
        "sizes_sentence": lambda: narrative.frontier.sizes_sentence(pd.DataFrame(
            {"class_dim": [16, 16, 32], "mse": [0.012, 0.014, 0.011], "transfer_accuracy": [0.9, 0.92, 0.95]}), 32),
        "frontier_caption": lambda: narrative.frontier.frontier_caption(frontier_study.frontier_table(_frontier_rows())),
        "BITS_CAPTION": lambda: narrative.frontier.BITS_CAPTION,
        "bits_paragraph": lambda: narrative.frontier.bits_paragraph(
            frontier_study.bits_table(_frontier_rows()), GLOConfig(generator="conv")),
    },
    "losses": {
        "runs_sentence[one loss]": lambda: narrative.losses.runs_sentence(_result([{}])),
        "runs_sentence[losses and seeds]": lambda: narrative.losses.runs_sentence(_result(
            [{"loss": l, "seed": s} for l in ("l1", "l2") for s in (0, 1)])),
        "curves_caption[one seed]": lambda: narrative.losses.curves_caption(1),
        "curves_caption[seeds]": lambda: narrative.losses.curves_caption(3),
        "table_caption[one seed]": lambda: narrative.losses.table_caption(table(row("l1"), row("l2"))),
        "table_caption[degenerate]": lambda: narrative.losses.table_caption(_with_a_collapse()),
        "wins_sentence[clear]": lambda: narrative.losses.wins_sentence(table(
            row("l1", mse=0.1, sharpness=0.9), row("l2", mse=0.2, sharpness=0.5, transfer_accuracy=0.7))),
        "wins_sentence[within the spread]": lambda: narrative.losses.wins_sentence(table(
            row("l1", 0, mse=0.10), row("l1", 1, mse=0.20), row("l2", 0, mse=0.14), row("l2", 1, mse=0.17))),
        "wins_sentence[degenerate]": lambda: narrative.losses.wins_sentence(_with_a_collapse()),
        "wins_sentence[each its own objective]": lambda: narrative.losses.wins_sentence(_pixel_race()),
        "wins_sentence[L1+L2 on both]": lambda: narrative.losses.wins_sentence(_pixel_race(l1_wins_l1=False)),
        "blur_sentence[blurs]": lambda: narrative.losses.blur_sentence(
            table(row("l1", sharpness=0.8), row("l2", sharpness=0.5), row("l1+l2", sharpness=0.7))),
        "blur_sentence[does not]": lambda: narrative.losses.blur_sentence(
            table(row("l1", sharpness=0.1), row("l2", sharpness=0.09 + 0.5))),
        "blur_sentence[within the spread]": lambda: narrative.losses.blur_sentence(
            table(row("l1", 0, sharpness=0.5), row("l1", 1, sharpness=0.7), row("l2", 0, sharpness=0.55),
                  row("l2", 1, sharpness=0.6))),
        "perceptual_sentence[judge]": lambda: narrative.losses.perceptual_sentence(
            table(row("l1"), row("perceptual")), "judge"),
        "perceptual_sentence[vgg16]": lambda: narrative.losses.perceptual_sentence(table(row("perceptual")), "vgg16"),
        "degenerate_sentence[faint l1]": lambda: narrative.losses.degenerate_sentence(_with_a_collapse()),
        "degenerate_sentence[failed optimisation]": lambda: narrative.losses.degenerate_sentence(
            _with_a_collapse().assign(ink=1.0)),
        "reconstruction_caption": lambda: narrative.losses.reconstruction_caption(2),
        "loss_verdicts": lambda: narrative.losses.loss_verdicts(_with_a_collapse()).drop(columns="sentence"),
        "loss_verdicts[L1+L2 on both]": lambda: narrative.losses.loss_verdicts(
            _pixel_race(l1_wins_l1=False)).drop(columns="sentence"),
    },
    "sampling": {
        "setup_sentence": lambda: narrative.sampling.setup_sentence(GLOConfig(noise_std=0.3, seed=1), 0.9412, 988),
        "table_caption": lambda: narrative.sampling.table_caption(200, 988),
        "closeness_phrase[one]": lambda: narrative.sampling.closeness_phrase(pd.Series({"per_class": 12.34})),
        "closeness_phrase[closest]": lambda: narrative.sampling.closeness_phrase(
            pd.Series({"gaussian": 20.0, "per_class": 10.0})),
        "closeness_phrase[equal]": lambda: narrative.sampling.closeness_phrase(
            pd.Series({"gaussian": 449.9, "per_class": 450.5})),
        "fitted_sentence[narrowed]": lambda: narrative.sampling.fitted_sentence(_sampler_table(fd=(449.9, 450.5))),
        "fitted_sentence[kept]": lambda: narrative.sampling.fitted_sentence(_sampler_table(div=(0.9, 0.7))),
        "random_gap_phrase[far, not diverse]": lambda: narrative.sampling.random_gap_phrase(
            _sampler_table(fd=(100.0, 120.0), random=(250.0, 0.05, 3, 0.15))),
        "random_sentence[uneven, about]": lambda: narrative.sampling.random_sentence(
            _sampler_table(fd=(449.9, 450.5), random=(450.3, 0.1, 0, 0.695))),
        "random_sentence[even, far, diverse]": lambda: narrative.sampling.random_sentence(
            _sampler_table(fd=(100.0, 120.0), random=(250.0, 0.95, 3, 0.15))),
        "random_sentence[alone]": lambda: narrative.sampling.random_sentence(_sampler_table().loc[["random", "real"]]),
        "frechet_sentence": lambda: narrative.sampling.frechet_sentence(_sampler_table(fd=(449.9, 450.5))),
        "transfer_sentence": lambda: narrative.sampling.transfer_sentence(0.1217, 60),
        "paths_caption": lambda: narrative.sampling.paths_caption(*_paths([0.9, 0.8, 0.9], [0.9, 0.4, 0.1],
                                                                          [0.05, 0.4, 0.85])),
        "content_path_verdict[undecided]": lambda: narrative.sampling.content_path_verdict(pd.Series([0.08, 0.1, 0.11])),
        "content_path_verdict[kept]": lambda: narrative.sampling.content_path_verdict(pd.Series([0.9, 0.85, 0.95])),
        "content_path_verdict[lost]": lambda: narrative.sampling.content_path_verdict(pd.Series([0.9, 0.6, 0.95])),
        "paths_sentence[switch]": lambda: narrative.sampling.paths_sentence(*_paths(
            [0.9, 0.8, 0.9], [0.9, 0.4, 0.1], [0.05, 0.4, 0.85])),
        "paths_sentence[no switch]": lambda: narrative.sampling.paths_sentence(*_paths(
            [0.9, 0.8, 0.9], [0.9, 0.8, 0.7], [0.05, 0.1, 0.2])),
        "noise_sentence": lambda: narrative.sampling.noise_sentence(pd.DataFrame(
            {"noise_scale": [0.0, 0.5, 1.0, 2.0], "agreement": [0.97, 0.95, 0.8, 0.4]}), 1.0312, 0.3),
        "SAMPLERS_CAPTION": lambda: narrative.sampling.SAMPLERS_CAPTION,
        "JUDGED_CAPTION": lambda: narrative.sampling.JUDGED_CAPTION,
        "TRANSFER_CAPTION": lambda: narrative.sampling.TRANSFER_CAPTION,
        "CONTENT_PATHS_CAPTION": lambda: narrative.sampling.CONTENT_PATHS_CAPTION,
        "CLASS_PATHS_CAPTION": lambda: narrative.sampling.CLASS_PATHS_CAPTION,
        "NOISE_CAPTION": lambda: narrative.sampling.NOISE_CAPTION,
        "sampling_verdicts[uneven, far]": lambda: narrative.sampling.sampling_verdicts(
            _sampler_table(fd=(100.0, 120.0), random=(250.0, 0.95, 3, 0.25))).drop(columns="sentence"),
        "sampling_verdicts[no random]": lambda: narrative.sampling.sampling_verdicts(
            _sampler_table().drop(index="random")),
    },
    "probe": {
        "regimes_caption": lambda: narrative.probe.regimes_caption(5, 0.01, "normal"),
        "init_caption": lambda: narrative.probe.init_caption(0.3, "lord"),
        "leakage_caption": lambda: narrative.probe.leakage_caption(5),
        "floors_caption": lambda: narrative.probe.floors_caption(),
        "figure_caption": lambda: narrative.probe.figure_caption(),
        "transfer_caption": lambda: narrative.probe.transfer_caption([0.0, 0.3, 4.0], 0),
        "travel_claim": lambda: narrative.probe.travel_claim(_means(_rows(**MEASURES), _rows(
            regime="codes that learn", **{**MEASURES, "content_shift": (0.8, 0.9)})), 10).statement,
        "leak_claim": lambda: narrative.probe.leak_claim(_means(_rows(**MEASURES))).statement,
        "push_claim[none]": lambda: " ".join(c.statement for c in narrative.probe.push_claim(
            _means(_rows(**MEASURES)), _means(_rows(**MEASURES)))),
    },
    "encoders": {
        "table_caption": lambda: narrative.encoders.table_caption(256, 500),
        "setup_sentence": lambda: narrative.encoders.setup_sentence(GLOConfig(), 0.985, 500),
        "training_sentence[both phases]": lambda: narrative.encoders.training_sentence(_encoder_run()),
        "training_sentence[cached, no fine-tuning]": lambda: narrative.encoders.training_sentence(
            _encoder_run(finetune_epochs=0, cached=True)),
        "generalisation_sentence[gap]": lambda: narrative.encoders.generalisation_sentence(_encoder_table()),
        "generalisation_sentence[close]": lambda: narrative.encoders.generalisation_sentence(
            _encoder_table().assign(mse=lambda t: t["mse"].where(t["digits"] == enc_study.TRAINING, 0.0300))),
        "transfer_sentence": lambda: narrative.encoders.transfer_sentence(
            _encoder_table(), SimpleNamespace(accuracy=0.985, n_train=3795)),
        "leakage_sentence": lambda: narrative.encoders.leakage_sentence(_encoder_table()),
        "finetune_sentence[trade]": lambda: narrative.encoders.finetune_sentence(_encoder_table()),
        "finetune_sentence[no trade]": lambda: narrative.encoders.finetune_sentence(
            _encoder_table().assign(probe_mlp=0.339)),
        "HISTORY_CAPTION": lambda: narrative.encoders.HISTORY_CAPTION,
        "RECONSTRUCTION_CAPTION": lambda: narrative.encoders.RECONSTRUCTION_CAPTION,
        "TRANSFER_CAPTION": lambda: narrative.encoders.TRANSFER_CAPTION,
        "anchor_caption": lambda: narrative.encoders.anchor_caption(_anchor_table()),
        "anchor_sentence[class code alone better]": lambda: narrative.encoders.anchor_sentence(_anchor_table()),
        "anchor_sentence[both better]": lambda: narrative.encoders.anchor_sentence(_anchor_table(0.0425, 0.0400)),
        "anchor_sentence[the same]": lambda: narrative.encoders.anchor_sentence(_anchor_table(0.0425, 0.0428)),
    },
    "summary": {
        "too_high_sentence[no collapse]": lambda: narrative.summary.too_high_sentence(_results()),
        "too_high_sentence[nothing moves]": lambda: narrative.summary.too_high_sentence(_results(probe=_probe(
            mse=(0.01, 0.0101, 0.0102), transfer=(0.7, 0.7, 0.7), diversity=(0.9, 0.9, 0.4)))),
        "too_low_sentence": lambda: narrative.summary.too_low_sentence(
            _results(leaks=True, lord=False), narrative.summary.samples_claim(_results(leaks=True, lord=False))),
        "samples_claim[no longer]": lambda: narrative.summary.samples_claim(
            _results(probe=_probe(agreement=(0.30, 0.90, 0.95)))).statement,
        "recommended_claim[Table 1]": lambda: narrative.summary.recommended_claim(
            _results(probe=_probe(mse=(0.010, 0.0105, 0.030), transfer=(0.5, 0.7, 0.9))), 0.3).statement,
        "recommended_claim[another]": lambda: narrative.summary.recommended_claim(
            _results(probe=_probe(mse=(0.010, 0.020, 0.030), transfer=(0.69, 0.7, 0.9))), 0.3).statement,
        "course_verdicts[right]": lambda: narrative.summary.course_verdicts(_results(leaks=True, lord=False)),
        "course_verdicts[wrong]": lambda: narrative.summary.course_verdicts(_results(
            probe=_probe(mlp=(0.11, 0.10, 0.10), diversity=(0.9, 0.9, 0.9)), leaks=False, lord=True, decay_effect=0.01,
            random_share=0.1, random_frechet=360.0, losses=pd.DataFrame(
                [{**row(l, 0, mse=m, l1=c, sharpness=sh), "degenerate": d, "ink": 0.5 if d else 1.0}
                 for l, m, c, sh, d in (("l1", 0.009, 0.02, 0.9, False), ("l1", 0.09, 0.2, 0.3, True),
                                        ("l2", 0.011, 0.03, 0.95, False), ("l1+l2", 0.010, 0.03, 0.8, False))]))),
        "references_markdown": lambda: narrative.summary.references_markdown(),
        "references_latex": lambda: narrative.summary.references_latex(),
    },
}

#: what a name must look like to be pinned here: the module's sentences, captions, paragraphs,
#: phrases and verdicts (functions) and its captions (constants)
WORDY = ("_sentence", "_caption", "_paragraph", "_phrase", "_verdict", "_verdicts", "CAPTION")


def render(module: str) -> str:
    """Every case of ``module``, each under its name: the text, or the table a verdict function gives."""
    parts = []
    for name, case in CASES[module].items():
        out = case()
        text = out.to_string() if isinstance(out, pd.DataFrame) else repr(out) if out is None else str(out)
        parts.append(f"## {name}\n{text}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("module", sorted(CASES))
def test_prose_matches_its_golden_file(module):
    path = GOLDEN / f"{module}.txt"
    text = render(module)
    if ACCEPT:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing: run `make accept-prose` to write it"
    golden = path.read_text()
    diff = "".join(difflib.unified_diff(golden.splitlines(True), text.splitlines(True), str(path), "rendered now"))
    assert text == golden, f"the words of narrative.{module} changed (re-accept with `make accept-prose`):\n{diff}"


def test_every_wordy_name_of_narrative_has_a_golden_case():
    assert set(CASES) == set(narrative.__all__)
    for module in CASES:
        names = {n for n, v in vars(getattr(narrative, module)).items()
                 if not n.startswith("_") and n.endswith(WORDY) and (inspect.isfunction(v) or isinstance(v, str))
                 and getattr(v, "__module__", f"glo_lib.narrative.{module}") == f"glo_lib.narrative.{module}"}
        cased = {c.split("[")[0] for c in CASES[module]}
        assert names <= cased, f"narrative.{module}: no golden case for {', '.join(sorted(names - cased))}"


def test_golden_files_are_those_of_the_modules():
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(CASES)

"""glo_lib.studies.summary: the build's tables gathered, and the answers to "noise too high / too low"."""
import io

import pandas as pd
import pytest

from glo_lib import GLOConfig
from glo_lib.results import load_table, save_table
from glo_lib import narrative
from glo_lib.studies import noise_study, summary
from glo_lib.narrative import summary as words


def _sweep_table(**extra) -> pd.DataFrame:
    """A noise-study table (notebook 02's Table 1 sweep) with every declared column, two decays."""
    from glo_lib.results import MEASURED_COLUMNS

    rows = pd.DataFrame({c: [0.5, 0.5, 0.5, 0.5] for c in MEASURED_COLUMNS})
    rows["noise_std"], rows["content_decay"], rows["seed"] = [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.001, 0.001], 0
    rows["mse"] = [0.1, 0.2, 0.3, 0.4]
    return rows.assign(**extra)


def test_summary_needs_notebook_02s_table_and_gathers_what_is_there(tmp_path):
    cfg = GLOConfig()
    with pytest.raises(FileNotFoundError, match="noise_study.csv is missing"):
        summary.load_results(cfg, tmp_path)
    _sweep_table().to_csv(tmp_path / "noise_study.csv", index=False)
    pd.DataFrame({"claim": ["decay_small"], "holds": [True], "value": [0.1], "sentence": ["..."]}) \
        .to_csv(tmp_path / "noise_verdicts.csv", index=False)
    results = summary.load_results(cfg, tmp_path)
    assert list(results) == ["noise_study", "noise_verdicts", "content_probe"]  # the optional tables that are there
    assert results["noise_verdicts"]["holds"].tolist() == [True]
    assert results["content_probe"]["mse"].tolist() == [0.3, 0.4]  # the sweep at the config's decay only
    assert summary.load_results(cfg.replace(content_decay=0.0), tmp_path)["content_probe"]["mse"].tolist() == [0.1, 0.2]


def test_load_results_reads_the_build_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("GLO_BUILD_DIR", str(tmp_path))
    save_table("noise_study", _sweep_table())
    results = summary.load_results(GLOConfig())
    assert list(results) == ["noise_study", "content_probe"] and results["content_probe"]["mse"].tolist() == [0.3, 0.4]


def test_a_table_is_written_by_its_owner_only_and_with_its_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("GLO_BUILD_DIR", str(tmp_path))
    monkeypatch.setenv("GLO_NOTEBOOK", "05_adversarial_content_probe")
    with pytest.raises(PermissionError, match="belongs to notebook 02_noise_study"):
        save_table("noise_study", _sweep_table())
    monkeypatch.setenv("GLO_NOTEBOOK", "02_noise_study")
    with pytest.raises(ValueError, match="lacks the column"):
        save_table("noise_study", _sweep_table().drop(columns="mse"))
    with pytest.raises(KeyError, match="no table 'encoders' is declared"):
        save_table("encoders", _sweep_table())
    save_table("noise_study", _sweep_table())
    pd.DataFrame({"noise_std": [0.0]}).to_csv(tmp_path / "noise_study.csv", index=False)  # an older build's file
    with pytest.raises(ValueError, match="run 02_noise_study again"):
        load_table("noise_study")


def _probe(sigmas=(0.0, 0.3, 1.0), mse=(0.010, 0.020, 0.030), transfer=(0.50, 0.70, 0.90),
           diversity=(1.00, 0.90, 0.70), agreement=(0.80, 0.90, 0.95), mlp=(0.40, 0.20, 0.10)):
    """A probe table of two seeds per sigma whose means are the given values."""
    rows = []
    for i, s in enumerate(sigmas):
        for d in (-0.001, 0.001):
            rows.append({"noise_std": s, "seed": int(d > 0), "mse": mse[i], "transfer_accuracy": transfer[i] + d,
                         "diversity": diversity[i], "sample_agreement": agreement[i], "probe_mlp": mlp[i] + d,
                         "lr_content": 0.01})
    return pd.DataFrame(rows)


def test_compared_sigmas_take_the_one_nearest_to_table1():
    assert summary.TABLE1_SIGMA == 0.3
    assert summary.compared_sigmas(summary.probe_means(_probe())) == (0.0, 0.3, 1.0)
    assert summary.compared_sigmas(summary.probe_means(_probe(sigmas=(0.0, 0.5, 1.0)))) == (0.0, 0.5, 1.0)
    assert summary.compared_sigmas(summary.probe_means(_probe(sigmas=(0.1, 0.6, 0.9))))[1] == 0.1


def test_too_high_when_diversity_collapses_control_improves_and_detail_is_lost():
    assert words.too_high_sentence(_probe()) == (
        "**Noise too high.** From the Table 1 $\\sigma$ (0.3) to the highest one (1), the within-class diversity of the reconstructions "
        "falls from 0.90 to 0.70 (1.0 = as varied as the real digits), the reconstruction MSE rises from 0.0200 "
        "to 0.0300, and class-transfer accuracy rises from 70.0% to 90.0%. Different images of one digit come out "
        "more alike: the generator listens less to the content code. The class code decides the digit more "
        "reliably. The price is detail: each image is reproduced less faithfully.")


def test_too_high_when_nothing_moves_beyond_the_tolerances():
    text = words.too_high_sentence(_probe(mse=(0.01, 0.0200, 0.0204), transfer=(0.5, 0.700, 0.709),
                                            diversity=(1.0, 0.90, 0.885)))
    assert text == (
        "**Noise too high.** From the Table 1 $\\sigma$ (0.3) to the highest one (1), the within-class diversity of the reconstructions "
        "stays at about 0.90 (1.0 = as varied as the real digits), the reconstruction MSE stays at about 0.0200, "
        "and class-transfer accuracy stays at about 70.0%. More noise did not make the digits of a class come out "
        "more alike in this build. ")


def test_too_low_when_samples_still_look_like_digits_but_less_reliably():
    assert words.too_low_sentence(_probe()) == (
        "**Noise too low.** From the Table 1 $\\sigma$ (0.3) down to 0, the reconstruction MSE falls from 0.0200 to 0.0100, "
        "class-transfer accuracy falls from 70.0% to 50.0%, and the judge's agreement with the intended class "
        "of random samples (Gaussian content) falls from 90% to 80%. The MLP probe reads the digit from the "
        "content codes with 40.0% accuracy at $\\sigma$ = 0 (chance 10%). The course report guessed that after "
        "low-noise training, samples would no longer look like digits: the judge still recognises the intended "
        "digit in 80% of them, so they do, though less reliably than at the Table 1 $\\sigma$.")


def test_too_low_sample_verdicts():
    assert words.samples_verdict(0.90, 0.905) == "the judge still recognises the intended digit in 90% of them, so they do."
    assert words.samples_verdict(0.50, 0.90) == (
        "the judge recognises the intended digit in only 50% of them, which bears the guess out.")
    text = words.too_low_sentence(_probe(agreement=(0.30, 0.90, 0.95)))
    assert text.endswith("samples would no longer look like digits: the judge recognises the intended digit in "
                         "only 30% of them, which bears the guess out.")


def _csv(table):
    """``table`` after the trip through a saved CSV that the summary reads it back from."""
    return pd.read_csv(io.StringIO(table.to_csv(index=False)))


def _results(probe=None, leaks=None, lord=None, decay_effect=0.0, losses=None, random_share=0.56, random_frechet=460.0):
    """What ``load_results`` gives: the probe tables, and the verdicts notebooks 02, 03 and 04 saved,
    decided on these small tables by the functions those notebooks call."""
    noise = pd.concat([_probe().assign(content_decay=d, content_norm=3.0 - 0.5 * d * 1000,
                                       probe_logreg=0.1, mse=lambda f: f["mse"] + decay_effect * d * 1000)
                       for d in (0.0, 0.001)])
    diff = noise_study.decay_differences(noise, noise_study.DECAY_MEASURES, 0.0, 0.001)
    effects = noise_study.decay_effects(diff, noise[noise["content_decay"] == 0.001], noise_study.DECAY_MEASURES)
    losses = losses if losses is not None else pd.DataFrame(
        [{"loss": l, "seed": k, "mse": m + 0.001 * k, "l1": 0.1, "sharpness": sh, "transfer_accuracy": 0.5,
          "diversity": 0.8, "train_seconds": 1.0, "ink": 1.0, "degenerate": False}
         for l, m, sh in (("l1", 0.012, 0.9), ("l2", 0.011, 0.6), ("l1+l2", 0.010, 0.8)) for k in range(3)])
    sampling = pd.DataFrame({"key": ["random", "gaussian", "real"], "most_judged": [0, 0, 8],
                             "most_judged_share": [random_share, 0.12, 0.11], "frechet": [random_frechet, 350.0, 9.0],
                             "diversity": [0.9, 0.8, 1.0]})
    out = {"content_probe": probe if probe is not None else _probe(),
           "noise_verdicts": _csv(narrative.noise.decay_verdicts(effects, 0.0, 0.001)),
           "loss_verdicts": _csv(narrative.losses.loss_verdicts(losses)),
           "sampling": sampling,
           "sampling_verdicts": _csv(narrative.sampling.sampling_verdicts(sampling.set_index("key")))}
    if leaks is not None:
        out["probe_verdicts"] = pd.DataFrame({"claim": ["low_noise_leaks", "noise_needs_no_adversary"],
                                              "holds": [leaks, lord], "value": [float("nan")] * 2, "sentence": ["..."] * 2})
    return out


def test_course_verdicts_check_each_claim_against_the_tables():
    said = words.course_verdicts(_results(leaks=True, lord=False))
    lines = said.splitlines()
    assert all(l.startswith("- *") for l in lines) and len(lines) == 7
    assert lines[0] == ("- *Too much noise makes the digits of a class alike*: right; the within-class diversity "
                        "falls from $\\sigma$ = 0.3 to 1 (content noise).")
    assert lines[1].startswith("- *Content regularisation did not help*: right.")
    assert lines[2] == ("- *L1+L2 reconstructs best*: right; the lowest MSE is L1+L2's. *L2 is too blurry*: right; "
                        "the least sharp reconstructions are L2's.")
    assert lines[3].startswith("- *Random vectors give digit-like images*: only partly. They intend no digit, the "
                               "judge calls 56% of them one digit (0), and they are further from real digits")
    assert lines[4].startswith("- *After low-noise training samples will not look like digits*: wrong;")
    assert lines[5] == ("- *With too little noise the content code holds the class*: right here (the adversarial "
                        "content probe).")
    assert lines[6] == ("- *LORD: latent optimisation with noise needs no adversary*: wrong here (the adversarial "
                        "content probe).")


def test_course_verdicts_when_the_course_report_was_wrong():
    flat = _probe(mlp=(0.11, 0.10, 0.10), diversity=(0.9, 0.9, 0.9))
    losses = pd.DataFrame([{"loss": l, "seed": 0, "mse": m, "l1": 0.1, "sharpness": sh, "transfer_accuracy": 0.5,
                            "diversity": 0.8, "train_seconds": 1.0, "ink": 0.5 if d else 1.0, "degenerate": d}
                           for l, m, sh, d in (("l1", 0.009, 0.9, False), ("l1", 0.09, 0.3, True),
                                               ("l2", 0.011, 0.95, False), ("l1+l2", 0.010, 0.8, False))])
    # random vectors as close to real digits as the fitted sampler
    results = _results(probe=flat, leaks=False, lord=True, losses=losses, decay_effect=0.01, random_share=0.1,
                       random_frechet=360.0)
    said = words.course_verdicts(results)
    assert "alike*: not seen here; the within-class diversity does not fall" in said
    assert "*Content regularisation did not help*: wrong at this weight" in said
    assert ("*L1+L2 reconstructs best*: wrong; the lowest MSE is L1's. *L2 is too blurry*: wrong; the least sharp "
            "reconstructions are L1+L2's. A degenerate run is left out (loss comparison).") in said
    assert "*Random vectors give digit-like images*: right" in said
    assert "*With too little noise the content code holds the class*: wrong here" in said
    assert "*LORD: latent optimisation with noise needs no adversary*: right here" in said



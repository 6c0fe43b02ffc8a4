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
    """A noise-study table at one decay, two seeds per sigma whose means are the given values."""
    rows = []
    for i, s in enumerate(sigmas):
        for d in (-0.001, 0.001):
            rows.append({"noise_std": s, "seed": int(d > 0), "mse": mse[i] + d / 10, "transfer_accuracy": transfer[i] + d,
                         "diversity": diversity[i] + d, "sample_agreement": agreement[i] + d, "probe_mlp": mlp[i] + d,
                         "probe_logreg": 0.1, "content_norm": 3.0, "lr_content": 0.01})
    return pd.DataFrame(rows)


def _csv(table):
    """``table`` after the trip through a saved CSV that the summary reads it back from."""
    return pd.read_csv(io.StringIO(table.to_csv(index=False)))


def _noise_verdicts(probe, decay_effect=0.0, tolerance=0.1):
    """What notebook 02 saves for this table: its claims and verdicts, decided by the functions it calls."""
    noise = pd.concat([probe.assign(content_decay=d, content_norm=3.0 - 0.5 * d * 1000,
                                    mse=lambda f: f["mse"] + decay_effect * d * 1000) for d in (0.0, 0.001)])
    rows = noise[noise["content_decay"] == 0.001]
    steps = {m: noise_study.sigma_steps(rows, m) for m in narrative.noise.SHAPED}
    shape, collapse = narrative.noise.shape_claims(steps), narrative.noise.collapse_claim(rows)
    choice = narrative.noise.choice_claim(noise_study.sigma_means(rows, tolerance), tolerance, 0.3)
    diff = noise_study.decay_differences(noise, noise_study.DECAY_MEASURES, 0.0, 0.001)
    decay = narrative.noise.decay_claims(noise_study.decay_shares(diff, rows, noise_study.DECAY_SHOWN))
    return rows, _csv(narrative.noise.noise_verdicts(steps, shape, collapse, rows, choice, decay, tolerance, 0.3))


def _results(probe=None, leaks=None, lord=None, decay_effect=0.0, losses=None, random_share=0.56, random_frechet=460.0,
             runs=None):
    """What ``load_results`` gives: the probe tables, and the verdicts notebooks 02, 03 and 04 saved,
    decided on these small tables by the functions those notebooks call."""
    rows, noise_verdicts = _noise_verdicts(probe if probe is not None else _probe(), decay_effect)
    losses = losses if losses is not None else pd.DataFrame(
        [{"loss": l, "seed": k, "mse": m + 0.0001 * k, "l1": c + 0.0001 * k, "sharpness": sh, "transfer_accuracy": 0.5,
          "diversity": 0.8, "train_seconds": 1.0, "ink": 1.0, "degenerate": False}
         for l, m, c, sh in (("l1", 0.012, 0.030, 0.9), ("l2", 0.011, 0.033, 0.6), ("l1+l2", 0.009, 0.028, 0.8))
         for k in range(3)])
    sampling = pd.DataFrame({"key": ["random", "gaussian", "real"], "most_judged": [0, 0, 8],
                             "most_judged_share": [random_share, 0.12, 0.11], "frechet": [random_frechet, 350.0, 9.0],
                             "diversity": [0.9, 0.8, 1.0]})
    out = {"content_probe": rows, "noise_verdicts": noise_verdicts,
           "loss_verdicts": _csv(narrative.losses.loss_verdicts(losses)),
           "sampling": sampling,
           "sampling_verdicts": _csv(narrative.sampling.sampling_verdicts(sampling.set_index("key")))}
    if leaks is not None:
        out["probe_verdicts"] = pd.DataFrame({
            "claim": ["low_noise_leaks", "noise_needs_no_adversary"], "holds": [leaks, lord], "value": [float("nan")] * 2,
            "sentence": ["**Too little noise lets the class into the content code.** Without noise, content codes "
                         "drawn with the class-blind code come out as their own digit more often than chance allows "
                         "under codes that learn: the generator takes part of the class from the content code.", "..."]})
    if runs is not None:
        out["probe_runs"] = runs
    return out


def test_too_high_reads_the_noise_studys_verdicts():
    said = words.too_high_sentence(_results())
    assert said == ("**Noise too high.** Under Table 1, more noise raises class transfer, costs reconstruction (the MSE "
                    "rises) and makes the reconstructions of a digit more alike (the within-class diversity falls), "
                    "step by step over the sweep ([Table](#tab:noise-sweep), [Section](#sec:noise-shape)). Yet no swept $\\sigma$ draws a class as one "
                    "digit: the within-class diversity stays at or above 0.5 of the real digits' (lowest 0.70).")
    learning = pd.DataFrame({"regime": ["codes that learn"] * 4 + ["Table 1"], "adversary_weight": [0, 0, 0, 1, 0],
                             "noise_std": [0.3, 1.0, 4.0, 4.0, 4.0], "diversity": [0.8, 0.4, 0.2, 0.1, 0.1]})
    assert words.learning_collapse(learning) == 1.0
    assert words.too_high_sentence(_results(runs=learning)).endswith(
        "(lowest 0.70); where the content codes learn, the noise does collapse the classes, from $\\sigma$ = 1 on "
        "([Table](#tab:regimes)).")
    flat = words.too_high_sentence(_results(probe=_probe(mse=(0.01, 0.0101, 0.0102), transfer=(0.7, 0.7, 0.7),
                                                         diversity=(0.9, 0.9, 0.4))))
    assert "does not raise class transfer beyond the seed spread, does not raise the MSE beyond the seed spread" in flat
    assert "At the highest $\\sigma$ the classes collapse: the lowest within-class diversity, 0.40" in flat


def test_too_low_quotes_notebook_05s_sentence_and_the_samples_claim():
    results = _results(leaks=True, lord=False)
    samples = words.samples_claim(results)
    assert samples.holds and samples.statement == (
        "The course report guessed that after low-noise training, samples would no longer look like digits: at "
        "$\\sigma$ = 0 the judge reads 80.0% of random samples (a learned class code with Gaussian content) as the "
        "digit asked for ([Table](#tab:noise-sweep)), so they still do.")
    said = words.too_low_sentence(results, samples)
    assert said.startswith("**Noise too low.** Without noise, content codes drawn with the class-blind code come out "
                           "as their own digit")
    assert "from the content code ([Table](#tab:leakage)). The course report guessed" in said
    low = _results(probe=_probe(agreement=(0.30, 0.90, 0.95)))
    assert words.samples_claim(low).statement.endswith("reads 30.0% of random samples (a learned class code with "
                                                       "Gaussian content) as the digit asked for ([Table](#tab:noise-sweep)), which bears "
                                                       "the guess out.")


def test_recommended_sigma_is_the_rules_pick_checked_at_every_sigma():
    rec = words.recommended_claim(_results(probe=_probe(mse=(0.010, 0.0105, 0.030), transfer=(0.5, 0.7, 0.9))), 0.3)
    assert rec.holds and rec.statement == (
        "**Recommended $\\sigma$: 0.3.** It is the value the rule of [Section](#sec:noise-shape) picks from [Table](#tab:noise-sweep): its MSE is within "
        "10% of the lowest, and no $\\sigma$ within that limit has more class transfer (70.0% at an MSE of 0.0105). It "
        "is Table 1's value, which the report uses throughout.")
    other = words.recommended_claim(_results(probe=_probe(mse=(0.010, 0.020, 0.030), transfer=(0.69, 0.7, 0.9))), 0.3)
    assert other.statement.startswith("**Recommended $\\sigma$: 0.**")
    assert ("Table 1's $\\sigma$ = 0.3, kept in this report for comparability with the course, has a higher MSE "
            "(beyond the seed spread) and more class transfer (beyond the seed spread)") in other.statement
    assert len(other.rows) == 3 and other.holds


def test_course_verdicts_read_each_claim_as_its_notebook_decided_it():
    said = words.course_verdicts(_results(leaks=True, lord=False))
    lines = said.splitlines()
    assert all(l.startswith("- *") for l in lines) and len(lines) == 7
    assert lines[0] == ("- *Too much noise makes the digits of a class alike*: right in degree; the within-class "
                        "diversity falls as $\\sigma$ grows, but no swept $\\sigma$ draws a class as one digit ([Table](#tab:noise-sweep)).")
    assert lines[1].startswith("- *Content regularisation did not help*: right at this weight;")
    assert lines[2] == ("- *L1+L2 reconstructs best*: right; it leads on both MSE and L1 error, beyond the seed spread "
                        "([Table](#tab:losses)). *L2 is too blurry*: right; its reconstructions are the least sharp, beyond the seed "
                        "spread.")
    assert lines[3].startswith("- *Random vectors give digit-like images*: only partly. They intend no digit, the "
                               "judge calls 56.0% of them one digit, a 0, and they are further from real digits")
    assert lines[4] == ("- *After low-noise training samples will not look like digits*: wrong; the judge still reads "
                        "most of them as the digit asked for ([Table](#tab:noise-sweep)).")
    assert lines[5] == ("- *With too little noise the content code holds the class*: right; without noise the "
                        "generator takes part of the class from the content code ([Table](#tab:leakage)).")
    assert lines[6] == ("- *LORD: latent optimisation with noise needs no adversary*: wrong here; the adversary still "
                        "removes class that the noise leaves ([Table](#tab:leakage)).")
    assert "argued" not in said  # nothing beside a verdict says the opposite of it


def test_course_verdicts_when_the_course_report_was_wrong():
    flat = _probe(mlp=(0.11, 0.10, 0.10), diversity=(0.9, 0.9, 0.9))
    losses = pd.DataFrame([{"loss": l, "seed": 0, "mse": m, "l1": c, "sharpness": sh, "transfer_accuracy": 0.5,
                            "diversity": 0.8, "train_seconds": 1.0, "ink": 0.5 if d else 1.0, "degenerate": d}
                           for l, m, c, sh, d in (("l1", 0.009, 0.02, 0.9, False), ("l1", 0.09, 0.2, 0.3, True),
                                                  ("l2", 0.011, 0.03, 0.95, False), ("l1+l2", 0.010, 0.03, 0.8, False))])
    results = _results(probe=flat, leaks=False, lord=True, losses=losses, decay_effect=0.01, random_share=0.1,
                       random_frechet=360.0)
    said = words.course_verdicts(results)
    assert "alike*: not seen here; the within-class diversity does not fall beyond the seed spread" in said
    assert "*Content regularisation did not help*: wrong at this weight" in said
    assert ("*L1+L2 reconstructs best*: wrong; L1 leads on both MSE and L1 error ([Table](#tab:losses)). *L2 is too blurry*: "
            "wrong; L1+L2's reconstructions are the least sharp, beyond the seed spread of L2's. A degenerate run is "
            "left out.") in said
    assert "*Random vectors give digit-like images*: right" in said
    assert "*With too little noise the content code holds the class*: not seen" in said
    assert "*LORD: latent optimisation with noise needs no adversary*: right here" in said


def test_references_are_an_unnumbered_section_that_the_notebooks_cite():
    latex = words.references_latex()
    assert latex.startswith("\\section*{References}\n\\addcontentsline{toc}{section}{References}")
    assert latex.count("\\item ") == len(words.REFERENCES) == 7 and "\\emph{" in latex and "*" not in latex.split("\n", 1)[1]
    assert words.references_markdown().startswith("**References**\n\n- Bojanowski")
    import nbformat
    from conftest import ROOT

    markdown = " ".join(c.source for p in sorted((ROOT / "notebooks").glob("0*.ipynb"))
                        for c in nbformat.read(str(p), as_version=4).cells if c.cell_type == "markdown")
    for cite in ("Bojanowski et al. 2018", "Gabbay and Hoshen 2020", "Huang and Belongie 2017", "Heusel et al. 2017",
                 "Ledoit and Wolf 2004", "Lample et al. 2017", "LeCun et al. 1998"):
        assert cite in markdown, cite  # cited by author and year where the method is used


def test_the_decay_verdict_says_whether_the_codes_shrink_as_notebook_02_decided():
    results = _results()
    v = results["noise_verdicts"]
    assert "the decay shrinks the content codes, but moves" in words.course_verdicts(results)
    results["noise_verdicts"] = v.assign(holds=v["holds"].where(v["claim"] != "decay_shrinks", False))
    assert "the decay does not clearly shrink the content codes, and moves" in words.course_verdicts(results)

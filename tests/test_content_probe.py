"""The adversarial content probe (notebook 05): its settings, study functions, checked claims and notebook."""

import numpy as np
import pandas as pd
import papermill
import pytest

from conftest import ROOT
from glo_lib import GLOConfig
from glo_lib.checks import ParameterError
from glo_lib.claims import ClaimError
from glo_lib.narrative import probe as words
from glo_lib.studies import content_probe as cp
from glo_lib.studies.settings import ProbeSettings

NOTEBOOK = ROOT / "notebooks" / "05_adversarial_content_probe.ipynb"


# --- settings -----------------------------------------------------------------------------------

def test_probe_settings_defaults_and_the_regime_they_build():
    probe, cfg = ProbeSettings(), GLOConfig()
    learning = probe.learning_config(cfg, "lord")
    assert learning.lr_content == pytest.approx(10 * cfg.lr_generator) and learning.code_init == "lord"
    assert probe.seeds(cfg) == [0, 1, 2, 3, 4] and probe.adversary_sigmas(cfg) == [0.0, cfg.noise_std]
    smoke = probe.smoke()
    assert smoke.probe_seeds == () and smoke.learn_sigmas == (0.0, 2.0) and smoke.adversary_weights == (1.0,)


@pytest.mark.parametrize("field, value, message", [
    ("learn_lr_ratio", -1.0, "learn_lr_ratio must be"),
    ("learn_inits", ["gaussian"], "learn_inits must be drawn from"),
    ("learn_sigmas", [-0.1], "learn_sigmas"),
    ("adversary_weights", [0.0, 1.0], "adversary_weights lists 0"),
    ("adversary_weights", [-1.0], "adversary_weights"),
    ("probe_seeds", [-1], "probe_seeds"),
])
def test_probe_settings_refuse_bad_values_by_name(field, value, message):
    with pytest.raises(ParameterError, match=message) as err:
        ProbeSettings(**{field: value})
    assert err.value.name == field


def test_adversary_configs_cover_both_regimes_both_sigmas_every_seed():
    cfg, probe = GLOConfig(), ProbeSettings(probe_seeds=(0, 1), adversary_weights=(0.5, 1.0))
    configs = cp.adversary_configs({cp.TABLE1: cfg, cp.LEARNING: probe.learning_config(cfg, "normal")}, probe, cfg)
    assert len(configs) == 2 * 2 * 2 * 2
    assert {(c.lr_content, c.adversary_weight, c.noise_std) for c in configs} == {
        (lr, w, s) for lr in (cfg.lr_content, 10 * cfg.lr_generator) for w in (0.5, 1.0) for s in (0.0, 0.3)}
    assert {cp.regime_of(c, cfg) for c in configs} == {cp.TABLE1, cp.LEARNING}


# --- study functions ----------------------------------------------------------------------------

def test_interval95_is_student_t_over_seeds():
    assert cp.interval95([1.0, 1.0, 1.0]) == 0.0
    assert cp.interval95([0.0, 1.0]) == pytest.approx(12.706 * np.std([0, 1], ddof=1) / np.sqrt(2), rel=1e-4)
    assert np.isnan(cp.interval95([0.5])) and np.isnan(cp.interval95([])) and np.isnan(cp.interval95([1.0, np.nan]))


def test_chosen_init_is_the_lower_mse_among_those_that_did_not_collapse():
    rows = pd.DataFrame({"code_init": ["normal", "normal", "lord", "lord"], "mse": [0.010, 0.012, 0.008, 0.008],
                         "diversity": [0.9, 0.9, 0.3, 0.4]})
    assert cp.chosen_init(rows) == "normal"  # lord reconstructs better, but its classes collapse
    assert cp.chosen_init(rows.assign(diversity=0.9)) == "lord"
    assert cp.chosen_init(rows.assign(diversity=0.1)) == "lord"  # all collapsed: the lowest MSE


def _rows(regime="Table 1", sigmas=(0.0, 1.0), seeds=(0, 1, 2), adversary=0.0, **measures):
    """Per-run rows: each measure a value per sigma (seed k adds 0.001 k)."""
    out = []
    for i, s in enumerate(sigmas):
        for k in seeds:
            row = {"regime": regime, "adversary_weight": adversary, "noise_std": s, "seed": k}
            row.update({m: v[i] + 0.001 * k for m, v in measures.items()})
            out.append(row)
    return pd.DataFrame(out)


MEASURES = dict(diversity=(0.9, 0.9), mse=(0.01, 0.02), transfer_accuracy=(0.9, 0.95), class_blind_source=(0.3, 0.2),
                class_blind_chance=(0.1, 0.1), probe_mlp=(0.2, 0.15), content_shift=(0.1, 0.1))


def _means(*tables):
    rows = pd.concat(tables, ignore_index=True)
    return cp.setting_means(rows, [c for c in rows.columns if c not in (*cp.SETTING, "seed")])


def test_setting_means_average_seeds_with_intervals_and_flag_collapse():
    means = _means(_rows(**{**MEASURES, "diversity": (0.9, 0.3)}))
    assert means["noise_std"].tolist() == [0.0, 1.0] and means["seeds"].tolist() == [3, 3]
    assert means["mse"].tolist() == pytest.approx([0.011, 0.021])
    assert means["mse_ci"].iloc[0] == pytest.approx(cp.interval95([0.010, 0.011, 0.012]))
    assert means["collapsed"].tolist() == [False, True]
    table = cp.printed(means, ["mse", "content_shift"])
    assert table["$\\sigma$"].tolist() == ["0", "1 (collapsed)"] and table["MSE"].iloc[0] == "0.0110 ± 0.0025"
    assert table["travel (%)"].iloc[0] == "10"  # a description of the codes: the mean alone
    adv = cp.printed(_means(_rows(adversary=1.0, **MEASURES)), ["mse"])
    assert list(adv.columns) == ["regime", "$\\sigma$", "MSE"] and adv["regime"].iloc[0] == "Table 1 + adversary 1"


# --- checked claims -----------------------------------------------------------------------------

def test_travel_claim_holds_for_two_regimes_and_names_a_setting_that_breaks_it():
    t1 = _rows(**MEASURES)
    learn = _rows(regime=cp.LEARNING, **{**MEASURES, "content_shift": (0.8, 0.9)})
    claim = words.travel_claim(_means(t1, learn), 10)
    assert claim.holds and "This holds at every $\\sigma$." in claim.statement and claim.rows.shape[0] == 4
    broken = words.travel_claim(_means(t1, _rows(regime=cp.LEARNING, **{**MEASURES, "content_shift": (0.8, 0.1)})), 10)
    assert broken.holds and broken.statement.endswith("except codes that learn at $\\sigma$ = 1.")


def test_leak_claim_reads_the_class_blind_interval_against_chance():
    learn = _rows(regime=cp.LEARNING, **MEASURES)
    leaks = words.leak_claim(_means(_rows(**MEASURES), learn))
    assert leaks.statement.startswith("**Too little noise lets the class into the content code.**")
    assert "under Table 1 and codes that learn" in leaks.statement
    flat = _means(_rows(**{**MEASURES, "class_blind_source": (0.1, 0.1)}))
    assert words.leak_claim(flat).statement.startswith("**Too little noise?**")
    collapsed = _means(_rows(**{**MEASURES, "diversity": (0.2, 0.2)}))
    assert words.leak_claim(collapsed) is None  # a collapsed run is never evidence


def test_leak_shape_claim_speaks_of_every_step_not_the_endpoints():
    falls = _rows(regime=cp.LEARNING, sigmas=(0, 0.3, 1), **{**MEASURES, "class_blind_source": (0.5, 0.3, 0.2),
                                                              "diversity": (0.9,) * 3, **{m: (v[0],) * 3 for m, v in
                                                              MEASURES.items() if m not in ("class_blind_source",
                                                                                            "diversity")}})
    assert "does not rise with any step" in words.leak_shape_claim(_means(falls)).statement
    peak = falls.assign(class_blind_source=falls["class_blind_source"].where(falls["noise_std"] != 0.3, 0.8))
    said = words.leak_shape_claim(_means(peak)).statement
    assert said.endswith("except it rises at $\\sigma$ = 0.3.")  # rises to a peak, falls: both endpoints fall


def test_floor_claim_and_adversary_claims():
    none = _rows(regime=cp.LEARNING, sigmas=(0, 0.3), **MEASURES)
    adv = _rows(regime=cp.LEARNING, sigmas=(0, 0.3), adversary=1.0,
                **{**MEASURES, "class_blind_source": (0.1, 0.1), "mse": (0.03, 0.04)})
    means = _means(none, adv)
    assert words.floor_claim(means, floor=0.3).statement.startswith("**Against the right floor.** No content code")
    assert "except" in words.floor_claim(means, floor=0.18).statement
    leak, cost = words.adversary_claims(means)
    assert leak.statement.startswith("**The adversary.** Trained against") and "except" not in leak.statement
    assert cost.statement.startswith("It costs reconstruction")
    lord = words.lord_claim(means, 0.3)
    assert "does not hold at this scale" in lord.statement
    same = _means(none, adv.assign(class_blind_source=none["class_blind_source"]))
    assert "as LORD argues" in words.lord_claim(same, 0.3).statement
    verdicts = words.verdicts(words.leak_claim(means), lord)
    assert verdicts["claim"].tolist() == ["low_noise_leaks", "noise_needs_no_adversary"]
    assert verdicts["holds"].tolist() == [True, False]


def test_push_claim_checks_every_table_and_names_the_nearest():
    mine = _means(_rows(regime=cp.LEARNING, **{**MEASURES, "transfer_accuracy": (0.95, 0.98), "mse": (0.015, 0.025)}))
    theirs = _means(_rows(**MEASURES))
    none, best, reaching = words.push_claim(mine, theirs)
    assert none.statement.startswith("**The frontier, pushed.** No setting of the build reaches")
    assert none.rows.shape[0] == 4 and "codes that learn at $\\sigma$ = 0" in best.statement
    assert reaching.statement == "Of those that reach 97% class transfer, codes that learn at $\\sigma$ = 1 reconstructs best."
    hit = _means(_rows(regime=cp.LEARNING, **{**MEASURES, "transfer_accuracy": (0.975, 0.98), "mse": (0.015, 0.025)}))
    (claim,) = words.push_claim(hit, theirs)
    assert claim.statement.startswith("**The frontier, pushed.** codes that learn at $\\sigma$ = 0 reaches")


def test_a_claim_its_rows_contradict_fails():
    from glo_lib.claims import Claim, choose
    rows = pd.DataFrame({"x": [1, 2, 3]})
    with pytest.raises(ClaimError, match="contradicted by 1 of 3 rows"):
        Claim("x.small", "every x is below 3", ("t",), rows, lambda r: r["x"] < 3).check()
    with pytest.raises(ClaimError):
        choose("x", ["t"], rows, [("all below 2", lambda r: r["x"] < 2), ("all above 1", lambda r: r["x"] > 1)])
    assert choose("x", ["t"], rows, [("all below 2", lambda r: r["x"] < 2),
                                     ("all positive", lambda r: r["x"] > 0)]).statement == "all positive"


# --- the notebook -------------------------------------------------------------------------------

def test_notebook_rejects_a_bad_parameter_before_training(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="adversary_weights lists 0"):
        papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "bad.ipynb"), progress_bar=False,
                                   parameters={"smoke": True, "adversary_weights": [0.0]}, cwd=str(NOTEBOOK.parent))


def test_style_claim_reads_the_code_r2_at_every_setting():
    means = _means(_rows(**{**MEASURES, "code_r2": (0.01, 0.05)}))
    assert words.style_claim(means).statement.startswith("**Style, identity or class?** The style attributes explain "
                                                         "almost none")
    mixed = _means(_rows(**{**MEASURES, "code_r2": (0.01, 0.5)}))
    assert words.style_claim(mixed).statement.endswith("except Table 1 at $\\sigma$ = 1.")
